package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/org"
)

// userQuery is the search form above the user list.
type userQuery struct {
	Q      string
	Role   string
	Status string
	Dept   int64
	Sub    bool
}

// parseUserQuery reads the user filters from the query string.
func parseUserQuery(q url.Values) (userQuery, auth.UserFilter, error) {
	uq := userQuery{Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), Status: q.Get("status"), Sub: q.Get("sub") == "1"}
	var err error
	if uq.Dept, err = formID(q.Get("dept"), "部门"); err != nil {
		return uq, auth.UserFilter{}, err
	}
	if uq.Role != "" && !auth.Role(uq.Role).Valid() {
		return uq, auth.UserFilter{}, apperr.Invalid("角色“%s”不存在，请重新选择", uq.Role)
	}
	if _, ok := auth.StatusNames[auth.UserStatus(uq.Status)]; uq.Status != "" && !ok {
		return uq, auth.UserFilter{}, apperr.Invalid("状态“%s”不存在，请重新选择", uq.Status)
	}
	return uq, auth.UserFilter{DeptID: uq.Dept, IncludeSubtree: uq.Sub, Query: uq.Q, Role: auth.Role(uq.Role), Status: auth.UserStatus(uq.Status)}, nil
}

func roleOptions(selected string) []option {
	out := []option{}
	for _, r := range auth.AllRoles {
		out = append(out, option{Value: string(r), Label: r.Label(), Selected: string(r) == selected})
	}
	return out
}

func statusOptions(selected string) []option {
	return []option{
		{Value: string(auth.StatusActive), Label: auth.StatusActive.Label(), Selected: selected == string(auth.StatusActive)},
		{Value: string(auth.StatusDisabled), Label: auth.StatusDisabled.Label(), Selected: selected == string(auth.StatusDisabled)},
	}
}

func scopeOptions(selected auth.Scope) []option {
	out := []option{}
	for _, sc := range []auth.Scope{auth.ScopeOwn, auth.ScopeSubtree, auth.ScopeAll} {
		out = append(out, option{Value: string(sc), Label: sc.Label(), Selected: sc == selected})
	}
	return out
}

// roleChecks are role checkboxes with those in have ticked.
func roleChecks(have []auth.Role) []option {
	out := []option{}
	for _, r := range auth.AllRoles {
		on := false
		for _, h := range have {
			on = on || h == r
		}
		out = append(out, option{Value: string(r), Label: r.Label(), Selected: on})
	}
	return out
}

func roleLabels(roles []auth.Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = r.Label()
	}
	return strings.Join(parts, "、")
}

// deptNode is one department of the tree beside the user list.
type deptNode struct {
	ID       int64
	Name     string
	Renamed  bool
	URL      string
	Current  bool
	Open     bool
	Children []*deptNode
}

// userTree builds the department tree whose links filter the user list,
// keeping the other filters; the branch holding the selection is open.
func userTree(ds []org.Department, r *http.Request, selected int64) []*deptNode {
	nodes := map[int64]*deptNode{}
	for _, d := range ds {
		q := r.URL.Query()
		q.Del("page")
		q.Set("dept", strconv.FormatInt(d.ID, 10))
		nodes[d.ID] = &deptNode{ID: d.ID, Name: d.Label(), Renamed: d.Status != "active", URL: r.URL.Path + "?" + q.Encode(), Current: d.ID == selected}
	}
	parent := map[int64]int64{}
	var roots []*deptNode
	for _, d := range ds {
		parent[d.ID] = d.ParentID
		if p, ok := nodes[d.ParentID]; ok {
			p.Children = append(p.Children, nodes[d.ID])
		} else {
			roots = append(roots, nodes[d.ID])
		}
	}
	for id, hops := selected, 0; id != 0 && hops < 50; id, hops = parent[id], hops+1 {
		if n, ok := nodes[id]; ok {
			n.Open = true
		}
	}
	for _, n := range roots {
		n.Open = true
	}
	return roots
}

type userRow struct {
	auth.User
	RoleLabels string
	Locked     bool
}

func userRows(us []auth.User, now time.Time) []userRow {
	out := make([]userRow, len(us))
	for i, u := range us {
		out[i] = userRow{User: u, RoleLabels: roleLabels(u.Roles), Locked: u.Locked(now)}
	}
	return out
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	uq, f, ferr := parseUserQuery(r.URL.Query())
	if wantFile(r) {
		if ferr != nil {
			return ferr
		}
		users, err := collectAll(func(off, lim int) ([]auth.User, int, error) {
			f.Offset, f.Limit = off, lim
			return s.Auth.ListUsers(ctx, rc.P, f)
		})
		if err != nil {
			return err
		}
		rows := make([][]string, len(users))
		for i, u := range users {
			rows[i] = []string{strconv.FormatInt(u.ID, 10), u.Login, u.Name, u.DeptName, roleLabels(u.Roles), u.Scope.Label(), u.Status.Label(),
				u.Phone, u.Email, fmtDateTime(u.CreatedAt)}
		}
		return writeList(w, r, "users", "用户列表", []string{"编号", "登录名", "姓名", "部门", "角色", "数据权限", "状态", "联系电话", "电子邮箱", "创建时间"}, rows)
	}
	lp := pageOf(r.URL.Query())
	ds, err := s.Org.List(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"Query": uq, "Roles": roleOptions(uq.Role), "Statuses": statusOptions(uq.Status), "Sizes": sizeOptions(lp),
		"Tree": userTree(ds, r, uq.Dept), "AllURL": allDeptsURL(r)}
	for _, d := range ds {
		if d.ID == uq.Dept {
			data["DeptName"] = d.Name
		}
	}
	status := http.StatusOK
	if ferr != nil {
		data["Error"], data["Pager"], status = apperr.Message(ferr), newPager(r, lp, 0), http.StatusUnprocessableEntity
	} else {
		f.Offset, f.Limit = lp.Offset(), lp.Size
		users, total, err := s.Auth.ListUsers(ctx, rc.P, f)
		if err != nil {
			return err
		}
		data["Users"], data["Pager"] = userRows(users, time.Now()), newPager(r, lp, total)
	}
	return s.render(w, r, rc, status, "admin_users", "用户管理", "admin-users", data)
}

func allDeptsURL(r *http.Request) string {
	q := r.URL.Query()
	q.Del("dept")
	q.Del("page")
	return r.URL.Path + "?" + q.Encode()
}

func fmtDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04:05")
}

// userForm is what the create and edit forms show and post.
type userForm struct {
	Login, Name, Phone, Email string
	DeptID                    int64
	Roles                     []auth.Role
	Scope                     auth.Scope
	Status                    auth.UserStatus
}

func formOfUser(u auth.User) userForm {
	return userForm{Login: u.Login, Name: u.Name, Phone: u.Phone, Email: u.Email, DeptID: u.DeptID, Roles: u.Roles, Scope: u.Scope, Status: u.Status}
}

// readUserForm reads the posted fields; the department must be a number.
func readUserForm(r *http.Request) (userForm, error) {
	f := userForm{
		Login: strings.TrimSpace(r.PostFormValue("login")), Name: r.PostFormValue("name"),
		Phone: r.PostFormValue("phone"), Email: r.PostFormValue("email"),
		Scope: auth.Scope(r.PostFormValue("scope")), Status: auth.UserStatus(r.PostFormValue("status")),
	}
	for _, v := range r.PostForm["roles"] {
		f.Roles = append(f.Roles, auth.Role(v))
	}
	var err error
	f.DeptID, err = formID(r.PostFormValue("dept"), "所属部门")
	if err == nil && f.DeptID == 0 {
		err = apperr.Invalid("请选择所属部门")
	}
	return f, err
}

// userFormData is what admin_user_new and admin_user need for the form.
func (s *Server) userFormData(r *http.Request, f userForm, errMsg string) (map[string]any, error) {
	depts, err := s.deptOptions(r, f.DeptID, 0)
	if err != nil {
		return nil, err
	}
	sc := f.Scope
	if sc == "" {
		sc = auth.ScopeOwn
	}
	return map[string]any{"Form": f, "Depts": depts, "RoleChecks": roleChecks(f.Roles), "Scopes": scopeOptions(sc),
		"Statuses": statusOptions(string(f.Status)), "Error": errMsg}, nil
}

func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	data, err := s.userFormData(r, userForm{Scope: auth.ScopeOwn}, "")
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "admin_user_new", "新增用户", "admin-users", data)
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f, err := readUserForm(r)
	if err == nil && r.PostFormValue("password") != r.PostFormValue("password2") {
		err = apperr.Invalid("两次输入的初始密码不一致")
	}
	var u auth.User
	if err == nil {
		u, err = s.Auth.CreateUser(r.Context(), rc.P, auth.NewUser{Login: f.Login, Name: f.Name, DeptID: f.DeptID, Roles: f.Roles,
			Scope: f.Scope, Password: r.PostFormValue("password"), Phone: f.Phone, Email: f.Email})
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		data, derr := s.userFormData(r, f, apperr.Message(err))
		if derr != nil {
			return derr
		}
		return s.render(w, r, rc, formStatus(err), "admin_user_new", "新增用户", "admin-users", data)
	}
	msg := fmt.Sprintf("已创建用户“%s”（%s），请将初始密码告知本人；首次登录须修改密码", u.Name, u.Login)
	s.redirectMsg(w, r, fmt.Sprintf("/admin/users/%d", u.ID), msg)
	return nil
}

// renderUser shows one account with its forms and its audit trail.
func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, u auth.User, f userForm, errMsg, pwErr string) error {
	data, err := s.userFormData(r, f, errMsg)
	if err != nil {
		return err
	}
	recs, total, err := audit.List(r.Context(), s.DB.Reader(), audit.Filter{Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Limit: 100})
	if err != nil {
		return err
	}
	data["User"], data["RoleLabels"], data["Locked"] = u, roleLabels(u.Roles), u.Locked(time.Now())
	trail, err := s.auditTrail(r.Context(), rc, recs)
	if err != nil {
		return err
	}
	data["PasswordError"], data["Trail"], data["TrailTotal"] = pwErr, trail, total
	data["TrailMore"] = fmt.Sprintf("/admin/audit?entity=user&entity_id=%d", u.ID)
	return s.render(w, r, rc, status, "admin_user", u.Name+"（"+u.Login+"）", "admin-users", data)
}

func (s *Server) getUser(ctx context.Context, rc *reqCtx, r *http.Request) (auth.User, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return auth.User{}, err
	}
	return s.Auth.GetUser(ctx, rc.P, id)
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	u, err := s.getUser(r.Context(), rc, r)
	if err != nil {
		return err
	}
	return s.renderUser(w, r, rc, http.StatusOK, u, formOfUser(u), "", "")
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	u, err := s.getUser(r.Context(), rc, r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, err := readUserForm(r)
	f.Login = u.Login
	if err == nil {
		patch := auth.UserPatch{Name: &f.Name, DeptID: &f.DeptID, Roles: f.Roles, Scope: &f.Scope, Status: &f.Status, Phone: &f.Phone, Email: &f.Email}
		if patch.Roles == nil {
			patch.Roles = []auth.Role{} // none ticked: refused as such, not "unchanged"
		}
		_, err = s.Auth.UpdateUser(r.Context(), rc.P, u.ID, patch)
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderUser(w, r, rc, formStatus(err), u, f, apperr.Message(err), "")
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/users/%d", u.ID), "已保存用户信息")
	return nil
}

func (s *Server) adminUserResetPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	u, err := s.getUser(r.Context(), rc, r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		err = apperr.Invalid("两次输入的新密码不一致")
	} else {
		err = s.Auth.ResetPassword(r.Context(), rc.P, u.ID, pw)
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderUser(w, r, rc, formStatus(err), u, formOfUser(u), "", apperr.Message(err))
	}
	msg := "已重置密码：该用户已登录的会话均已退出，下次登录须修改密码"
	s.redirectMsg(w, r, fmt.Sprintf("/admin/users/%d", u.ID), msg)
	return nil
}

func (s *Server) adminUserUnlock(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	u, err := s.getUser(r.Context(), rc, r)
	if err != nil {
		return err
	}
	if err := s.Auth.UnlockUser(r.Context(), rc.P, u.ID); err != nil {
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/users/%d", u.ID), "已解除登录锁定")
	return nil
}

// apiAdminUsers is the JSON twin of the user list; it takes the same
// filters (q, role, status, dept, sub, page, size).
func (s *Server) apiAdminUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, f, err := parseUserQuery(r.URL.Query())
	if err != nil {
		return err
	}
	lp := pageOf(r.URL.Query())
	f.Offset, f.Limit = lp.Offset(), lp.Size
	users, total, err := s.Auth.ListUsers(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": users, "total": total, "page": lp.Number, "size": lp.Size})
}

type apiNewUser struct {
	Login    string      `json:"login"`
	Name     string      `json:"name"`
	DeptID   int64       `json:"dept_id"`
	Roles    []auth.Role `json:"roles"`
	Scope    auth.Scope  `json:"scope"`
	Password string      `json:"password"`
	Phone    string      `json:"phone"`
	Email    string      `json:"email"`
}

func (s *Server) apiAdminUserCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in apiNewUser
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.DeptID <= 0 {
		return apperr.Invalid("请选择所属部门（dept_id）")
	}
	u, err := s.Auth.CreateUser(r.Context(), rc.P, auth.NewUser{Login: in.Login, Name: in.Name, DeptID: in.DeptID, Roles: in.Roles,
		Scope: in.Scope, Password: in.Password, Phone: in.Phone, Email: in.Email})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"user": u})
}

// roleRow is a line of the roles page: what a role may reach, derived from
// the route table, and how many accounts hold it.
type roleRow struct {
	Role  auth.Role
	Label string
	Users int
	Pages []string
	APIs  []string
}

func (s *Server) roleRows(r *http.Request, rc *reqCtx) ([]roleRow, error) {
	var out []roleRow
	for _, role := range auth.AllRoles {
		_, n, err := s.Auth.ListUsers(r.Context(), rc.P, auth.UserFilter{Role: role, Limit: 1})
		if err != nil {
			return nil, err
		}
		row := roleRow{Role: role, Label: role.Label(), Users: n, Pages: []string{}, APIs: []string{}}
		seen := map[string]bool{}
		for _, rt := range s.routes {
			if rt.Public || (len(rt.Roles) > 0 && !(auth.Principal{Roles: []auth.Role{role}}).Has(rt.Roles...)) {
				continue
			}
			key := fmt.Sprint(rt.API, rt.Name)
			if seen[key] {
				continue
			}
			seen[key] = true
			if rt.API {
				row.APIs = append(row.APIs, rt.Name)
			} else {
				row.Pages = append(row.Pages, rt.Name)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) adminRoles(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.roleRows(r, rc)
	if err != nil {
		return err
	}
	if wantFile(r) {
		out := make([][]string, len(rows))
		for i, row := range rows {
			out[i] = []string{string(row.Role), row.Label, strconv.Itoa(row.Users), strings.Join(row.Pages, "、"), strings.Join(row.APIs, "、")}
		}
		return writeList(w, r, "roles", "角色列表", []string{"角色代码", "角色名称", "用户数", "可用页面与操作", "可用接口"}, out)
	}
	return s.render(w, r, rc, http.StatusOK, "admin_roles", "角色", "admin-roles", map[string]any{"Rows": rows, "Export": "/admin/roles?format=csv"})
}
