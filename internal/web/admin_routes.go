package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
)

var (
	adminOnly  = []auth.Role{auth.RoleAdmin}
	logReaders = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
)

// adminRoutes are the system-management pages (users, departments, logs),
// the personal token pages and their JSON twins.
func (s *Server) adminRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/admin/users", Name: "用户管理", Roles: adminOnly, Handle: s.adminUsers, Menu: Menu{Group: MenuAdmin, Label: "用户管理", Order: 10, Section: "admin-users"}},
		{Method: "GET", Pattern: "/admin/users/new", Name: "新增用户页", Roles: adminOnly, Handle: s.adminUserNew},
		{Method: "POST", Pattern: "/admin/users", Name: "新增用户", Roles: adminOnly, Handle: s.adminUserCreate},
		{Method: "GET", Pattern: "/admin/users/{id}", Name: "用户详情", Roles: adminOnly, Handle: s.adminUser},
		{Method: "POST", Pattern: "/admin/users/{id}", Name: "修改用户", Roles: adminOnly, Handle: s.adminUserUpdate},
		{Method: "POST", Pattern: "/admin/users/{id}/password", Name: "重置密码", Roles: adminOnly, Handle: s.adminUserResetPassword},
		{Method: "POST", Pattern: "/admin/users/{id}/unlock", Name: "解锁账号", Roles: adminOnly, Handle: s.adminUserUnlock},

		{Method: "GET", Pattern: "/admin/departments", Name: "部门管理", Roles: adminOnly, Handle: s.adminDepartments, Menu: Menu{Group: MenuAdmin, Label: "部门管理", Order: 20, Section: "admin-departments"}},
		{Method: "POST", Pattern: "/admin/departments", Name: "新增部门", Roles: adminOnly, Handle: s.adminDepartmentCreate},
		{Method: "GET", Pattern: "/admin/departments/{id}", Name: "部门详情", Roles: adminOnly, Handle: s.adminDepartment},
		{Method: "POST", Pattern: "/admin/departments/{id}", Name: "修改部门", Roles: adminOnly, Handle: s.adminDepartmentUpdate},
		{Method: "POST", Pattern: "/admin/departments/{id}/aliases", Name: "添加部门别名", Roles: adminOnly, Handle: s.adminDepartmentAlias},
		{Method: "POST", Pattern: "/admin/departments/{id}/rename", Name: "标记部门更名", Roles: adminOnly, Handle: s.adminDepartmentRename},

		{Method: "GET", Pattern: "/admin/roles", Name: "角色", Roles: adminOnly, Handle: s.adminRoles, Menu: Menu{Group: MenuAdmin, Label: "角色", Order: 30, Section: "admin-roles"}},
		{Method: "GET", Pattern: "/admin/audit", Name: "操作日志", Roles: logReaders, Handle: s.adminAudit, Menu: Menu{Group: MenuAdmin, Label: "操作日志", Order: 40, Section: "admin-audit"}},
		{Method: "GET", Pattern: "/admin/logins", Name: "登录日志", Roles: logReaders, Handle: s.adminLogins, Menu: Menu{Group: MenuAdmin, Label: "登录日志", Order: 50, Section: "admin-logins"}},

		{Method: "GET", Pattern: "/account/tokens", Name: "我的令牌", Handle: s.tokenList},
		{Method: "POST", Pattern: "/account/tokens", Name: "创建令牌", Handle: s.tokenCreate},
		{Method: "POST", Pattern: "/account/tokens/{id}/revoke", Name: "吊销令牌", Handle: s.tokenRevoke},
		{Method: "POST", Pattern: "/account/logout-all", Name: "退出所有设备", AllowPendingPassword: true, Handle: s.logoutEverywhere},

		{Method: "GET", Pattern: "/api/v1/admin/users", Name: "用户列表", Roles: adminOnly, API: true, Handle: s.apiAdminUsers},
		{Method: "POST", Pattern: "/api/v1/admin/users", Name: "新增用户", Roles: adminOnly, API: true, Handle: s.apiAdminUserCreate},
		{Method: "GET", Pattern: "/api/v1/admin/audit", Name: "操作日志", Roles: logReaders, API: true, Handle: s.apiAdminAudit},
		{Method: "GET", Pattern: "/api/v1/admin/logins", Name: "登录日志", Roles: logReaders, API: true, Handle: s.apiAdminLogins},
		{Method: "GET", Pattern: "/api/v1/account/tokens", Name: "我的令牌", API: true, Handle: s.apiTokens},
		{Method: "POST", Pattern: "/api/v1/account/tokens", Name: "创建令牌", API: true, Handle: s.apiTokenCreate},
		{Method: "DELETE", Pattern: "/api/v1/account/tokens/{id}", Name: "吊销令牌", API: true, Handle: s.apiTokenRevoke},
	}
}

// The helpers below are shared by the system-management lists: paging,
// CSV export, date ranges, form values.

// option is one entry of a select or a group of checkboxes.
type option struct {
	Value, Label string
	Selected     bool
}

var pageSizes = []int{10, 20, 50, 100}

// pageOf is the page a system-management list asks for (?page=, ?size=):
// a size from the menu (pageSizes), else 20. (checkParams has refused
// page numbers out of range already.)
func pageOf(q url.Values) kit.Page {
	lp := kit.Page{Number: 1, Size: 20}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		lp.Number = n
	}
	if n, err := strconv.Atoi(q.Get("size")); err == nil && slices.Contains(pageSizes, n) {
		lp.Size = n
	}
	return lp
}

func sizeOptions(lp kit.Page) []option {
	out := make([]option, len(pageSizes))
	for i, n := range pageSizes {
		out[i] = option{Value: strconv.Itoa(n), Label: fmt.Sprintf("%d 条", n), Selected: n == lp.Size}
	}
	return out
}

// pager is what a template needs to draw the paging bar and export link.
type pager struct {
	Total, Page, Pages int
	First, Last        int // row numbers shown, 1-based
	Prev, Next         string
	Links              []pageLink
	Export             string // the same list as CSV
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis, not a link
}

func newPager(r *http.Request, lp kit.Page, total int) pager {
	p := pager{Total: total, Page: lp.Number, Pages: lp.Pages(total)}
	if p.Pages == 0 {
		p.Pages = 1
	}
	at := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if first, last := lp.Bounds(total); first < last {
		p.First, p.Last = first+1, last
	}
	if lp.Number > 1 {
		p.Prev = at(min(lp.Number-1, p.Pages))
	}
	if lp.Number < p.Pages {
		p.Next = at(lp.Number + 1)
	}
	for n := 1; n <= p.Pages; n++ {
		if n == 1 || n == p.Pages || (n >= lp.Number-2 && n <= lp.Number+2) {
			p.Links = append(p.Links, pageLink{N: n, URL: at(n), Current: n == lp.Number})
		} else if len(p.Links) > 0 && !p.Links[len(p.Links)-1].Gap {
			p.Links = append(p.Links, pageLink{Gap: true})
		}
	}
	q := r.URL.Query()
	q.Del("page")
	q.Del("size")
	q.Set("format", "csv")
	p.Export = r.URL.Path + "?" + q.Encode()
	return p
}

// wantFile reports whether the request asks for the list as a file
// (?format=csv or xlsx) rather than the page.
func wantFile(r *http.Request) bool {
	f := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format")))
	return f == "csv" || f == "xlsx"
}

// csvLimit bounds an export; the page says so when a list is longer.
const csvLimit = 100000

// collectAll fetches every matching row for an export, 500 at a time.
func collectAll[T any](fetch func(offset, limit int) ([]T, int, error)) ([]T, error) {
	var all []T
	for off := 0; ; off += 500 {
		items, total, err := fetch(off, 500)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if len(items) < 500 || len(all) >= total || len(all) >= csvLimit {
			return all, nil
		}
	}
}

// writeList sends a list of text cells as the file the request asks for
// (?format=csv or xlsx), through the same exporter as the registers' lists.
func writeList(w http.ResponseWriter, r *http.Request, ascii, chinese string, header []string, rows [][]string) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if format == "" {
		format = "csv"
	}
	t := exportTable{Name: chinese, ASCII: ascii, Header: header, Rows: make([][]any, len(rows)), Max: csvLimit}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		t.Rows[i] = cells
	}
	return sendExport(w, format, time.Now(), t)
}

// contentDisposition names an attachment for old and new clients alike.
func contentDisposition(ascii, name string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte(attrChars, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}

// dateRange reads ?from= and ?to= (2025-06-30, China time, both days
// included) as a half-open interval.
func dateRange(q url.Values) (from, to time.Time, err error) {
	parse := func(field, label string) (time.Time, error) {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, cst)
		if err != nil {
			return time.Time{}, apperr.Invalid("%s格式应为 2025-06-30（当前为“%s”）", label, v)
		}
		return t, nil
	}
	if from, err = parse("from", "开始日期"); err != nil {
		return
	}
	if to, err = parse("to", "结束日期"); err != nil {
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = apperr.Invalid("开始日期不能晚于结束日期")
	}
	return
}

// formID reads a positive id from a form or query value; "" gives 0.
func formID(v, label string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Invalid("%s无效（“%s”），请重新选择", label, v)
	}
	return n, nil
}

// parseForm reads a posted form, letting an over-long body through as the
// error that maps to 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.Invalid("提交的表单无法读取：%v", err)
	}
	return nil
}

// decodeJSON reads a JSON request body into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &apperr.Error{Kind: apperr.ErrInvalid, Msg: "请求体不是有效的 JSON：" + err.Error(), Err: err}
	}
	return nil
}

// formError reports whether err is the user's to fix on the same form.
func formError(err error) bool {
	return errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict)
}

// formStatus is the status of a form shown again with its error.
func formStatus(err error) int {
	if errors.Is(err, apperr.ErrConflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// deptOption is a department in a select, indented by its depth.
type deptOption struct {
	ID       int64
	Label    string
	Indent   string
	Selected bool
}

// deptTree orders departments as a tree (parents before children, siblings
// in directory order) and reports each one's depth.
func deptTree(ds []org.Department) ([]org.Department, []int) {
	children := map[int64][]org.Department{}
	for _, d := range ds {
		children[d.ParentID] = append(children[d.ParentID], d)
	}
	var out []org.Department
	var depth []int
	var walk func(parent int64, n int)
	walk = func(parent int64, n int) {
		for _, d := range children[parent] {
			out = append(out, d)
			depth = append(depth, n)
			walk(d.ID, n+1)
		}
	}
	walk(0, 0)
	return out, depth
}

// deptOptions lists the current departments for a select, marking selected.
func (s *Server) deptOptions(r *http.Request, selected int64, except int64) ([]deptOption, error) {
	ds, err := s.Org.List(r.Context())
	if err != nil {
		return nil, err
	}
	ordered, depth := deptTree(ds)
	var out []deptOption
	for i, d := range ordered {
		if d.Status != "active" || d.Kind == org.KindUnspecified || d.ID == except {
			continue
		}
		out = append(out, deptOption{ID: d.ID, Label: d.Name, Indent: strings.Repeat("　", depth[i]), Selected: d.ID == selected})
	}
	return out, nil
}
