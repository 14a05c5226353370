package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/org"
)

// adminDeptRow is a line of the department table.
type adminDeptRow struct {
	org.DepartmentDetail
	Depth       int
	KindLabel   string
	StatusLabel string
	Successor   string
}

// deptForm is what the create and edit forms show and post.
type deptForm struct {
	Code, Name, Short, Kind, SortOrder string
	ParentID                           int64
}

func kindOptions(selected string) []option {
	out := []option{}
	for _, k := range org.AdminKinds {
		out = append(out, option{Value: k, Label: org.KindNames[k], Selected: k == selected})
	}
	return out
}

func readDeptForm(r *http.Request) (deptForm, *int, error) {
	f := deptForm{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Short: r.PostFormValue("short"),
		Kind: r.PostFormValue("kind"), SortOrder: strings.TrimSpace(r.PostFormValue("sort"))}
	var err error
	if f.ParentID, err = formID(r.PostFormValue("parent"), "上级部门"); err != nil {
		return f, nil, err
	}
	if f.SortOrder == "" {
		return f, nil, nil
	}
	n, err := strconv.Atoi(f.SortOrder)
	if err != nil {
		return f, nil, apperr.Invalid("显示顺序须为整数（当前为“%s”）", f.SortOrder)
	}
	return f, &n, nil
}

func (s *Server) deptRows(r *http.Request) ([]adminDeptRow, error) {
	ds, err := s.Org.ListDetails(r.Context())
	if err != nil {
		return nil, err
	}
	plain := make([]org.Department, len(ds))
	byID := map[int64]org.DepartmentDetail{}
	for i, d := range ds {
		plain[i] = d.Department
		byID[d.ID] = d
	}
	ordered, depth := deptTree(plain)
	rows := make([]adminDeptRow, len(ordered))
	for i, d := range ordered {
		rows[i] = adminDeptRow{DepartmentDetail: byID[d.ID], Depth: depth[i], KindLabel: labelOr(org.KindNames, d.Kind), StatusLabel: labelOr(org.StatusNames, d.Status)}
		if d.SuccessorID != 0 {
			rows[i].Successor = byID[d.SuccessorID].Name
		}
	}
	return rows, nil
}

func (s *Server) renderDepartments(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f deptForm, errMsg string) error {
	rows, err := s.deptRows(r)
	if err != nil {
		return err
	}
	parents, err := s.deptOptions(r, f.ParentID, 0)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "admin_departments", "部门管理", "admin-departments",
		map[string]any{"Rows": rows, "Form": f, "Kinds": kindOptions(f.Kind), "Parents": parents, "Error": errMsg})
}

func (s *Server) adminDepartments(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	if wantFile(r) {
		rows, err := s.deptRows(r)
		if err != nil {
			return err
		}
		out := make([][]string, len(rows))
		for i, d := range rows {
			out[i] = []string{strconv.FormatInt(d.ID, 10), d.Code, d.Name, d.Short, d.KindLabel, strconv.FormatInt(d.ParentID, 10),
				strconv.Itoa(d.SortOrder), d.StatusLabel, d.Successor, strings.Join(d.Aliases, "、")}
		}
		return writeList(w, r, "departments", "部门列表", []string{"编号", "编码", "名称", "简称", "类型", "上级编号", "显示顺序", "状态", "现名称", "别名"}, out)
	}
	return s.renderDepartments(w, r, rc, http.StatusOK, deptForm{Kind: org.KindOffice}, "")
}

func (s *Server) adminDepartmentCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, sortOrder, err := readDeptForm(r)
	var d org.DepartmentDetail
	if err == nil {
		d, err = s.Org.CreateDepartment(r.Context(), rc.P.Actor(), org.NewDepartment{Code: f.Code, Name: f.Name, Short: f.Short, Kind: f.Kind, ParentID: f.ParentID, SortOrder: sortOrder})
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderDepartments(w, r, rc, formStatus(err), f, apperr.Message(err))
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/departments/%d", d.ID), "已新增部门“"+d.Name+"”")
	return nil
}

// deptErrors are the messages of the three forms on a department's page.
type deptErrors struct{ Edit, Alias, Rename string }

func (s *Server) renderDepartment(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, id int64, f *deptForm, errs deptErrors) error {
	ctx := r.Context()
	d, err := s.Org.Details(ctx, id)
	if err != nil {
		return err
	}
	if f == nil {
		f = &deptForm{Name: d.Name, Short: d.Short, Kind: d.Kind, ParentID: d.ParentID, SortOrder: strconv.Itoa(d.SortOrder)}
	}
	parents, err := s.deptOptions(r, f.ParentID, d.ID)
	if err != nil {
		return err
	}
	successors, err := s.deptOptions(r, 0, d.ID)
	if err != nil {
		return err
	}
	var parent, successor *org.Department
	if d.ParentID != 0 {
		p, err := s.Org.Get(ctx, d.ParentID)
		if err != nil {
			return err
		}
		parent = &p
	}
	if d.SuccessorID != 0 {
		sd, err := s.Org.Get(ctx, d.SuccessorID)
		if err != nil {
			return err
		}
		successor = &sd
	}
	recs, total, err := audit.List(ctx, s.DB.Reader(), audit.Filter{Entity: "department", EntityID: strconv.FormatInt(id, 10), Limit: 100})
	if err != nil {
		return err
	}
	trail, err := s.auditTrail(ctx, rc, recs)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, status, "admin_department", d.Name, "admin-departments", map[string]any{
		"Dept": d, "KindLabel": labelOr(org.KindNames, d.Kind), "StatusLabel": labelOr(org.StatusNames, d.Status),
		"Parent": parent, "Successor": successor, "Form": f, "Parents": parents, "Successors": successors, "Errors": errs,
		"Trail": trail, "TrailTotal": total, "TrailMore": fmt.Sprintf("/admin/audit?entity=department&entity_id=%d", id),
	})
}

func (s *Server) adminDepartment(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	return s.renderDepartment(w, r, rc, http.StatusOK, id, nil, deptErrors{})
}

func (s *Server) adminDepartmentUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, sortOrder, err := readDeptForm(r)
	if err == nil {
		p := org.DepartmentPatch{Name: &f.Name, Short: &f.Short, SortOrder: sortOrder}
		if f.ParentID != 0 {
			p.ParentID = &f.ParentID
		}
		_, err = s.Org.UpdateDepartment(r.Context(), rc.P.Actor(), id, p)
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderDepartment(w, r, rc, formStatus(err), id, &f, deptErrors{Edit: apperr.Message(err)})
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/departments/%d", id), "已保存部门信息")
	return nil
}

func (s *Server) adminDepartmentAlias(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	alias := r.PostFormValue("alias")
	if err := s.Org.AddAlias(r.Context(), rc.P.Actor(), id, alias); err != nil {
		if !formError(err) {
			return err
		}
		return s.renderDepartment(w, r, rc, formStatus(err), id, nil, deptErrors{Alias: apperr.Message(err)})
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/departments/%d", id), "已添加别名“"+strings.TrimSpace(alias)+"”")
	return nil
}

func (s *Server) adminDepartmentRename(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := rc.P.Require(auth.RoleAdmin); err != nil {
		return err
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	succ, err := formID(r.PostFormValue("successor"), "更名后的部门")
	if err == nil {
		err = s.Org.MarkRenamed(r.Context(), rc.P.Actor(), id, succ)
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderDepartment(w, r, rc, formStatus(err), id, nil, deptErrors{Rename: apperr.Message(err)})
	}
	s.redirectMsg(w, r, fmt.Sprintf("/admin/departments/%d", id), "已标记为更名，原名称今后解析为承接单位")
	return nil
}
