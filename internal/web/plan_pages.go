package web

import (
	"io/fs"
	"net/http"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/org"
	"sidi/internal/plan"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.planOverview(w, r, rc)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.DB.Reader().PingContext(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.DB.Dialect())})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := fs.ReadFile(s.static, "openapi.json")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}

func pathInt(r *http.Request, name string) (int64, error) {
	v, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || v <= 0 || v > maxID {
		return 0, apperr.NotFound("地址中的编号“%s”无效", r.PathValue(name))
	}
	return v, nil
}

// planStats are the figures shown at the top of the overview.
type planStats struct {
	Tasks, Targets, Departments, Deliverables int
}

func statsOf(pv *plan.PlanView) planStats {
	st := planStats{}
	depts := map[int64]bool{}
	for _, t := range pv.Tasks() {
		st.Tasks++
		st.Targets += len(t.Targets)
		st.Deliverables += len(t.Deliverables)
		for _, d := range append(append([]plan.DeptRef{}, t.LeadDepts...), t.CoDepts...) {
			if d.Kind != org.KindUnspecified {
				depts[d.ID] = true
			}
		}
	}
	st.Departments = len(depts)
	return st
}

func (s *Server) planOverview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.Plan.Current(r.Context(), 0)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "plan", pv.Title, "plan", map[string]any{"Plan": pv, "Stats": statsOf(pv)})
}

func (s *Server) taskDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	t, pv, err := s.Plan.Task(r.Context(), 0, int(n))
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "task", t.Title, "plan", map[string]any{"Plan": pv, "Task": t})
}

// deptRow is a line of the department directory page.
type deptRow struct {
	org.Department
	Depth  int
	Duties plan.DutyCount
}

func (s *Server) departmentRows(r *http.Request) ([]deptRow, error) {
	ds, err := s.Org.List(r.Context())
	if err != nil {
		return nil, err
	}
	counts, err := s.Plan.DutyCounts(r.Context())
	if err != nil {
		return nil, err
	}
	children := map[int64][]org.Department{}
	for _, d := range ds {
		children[d.ParentID] = append(children[d.ParentID], d)
	}
	var rows []deptRow
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, d := range children[parent] {
			rows = append(rows, deptRow{Department: d, Depth: depth, Duties: counts[d.ID]})
			walk(d.ID, depth+1)
		}
	}
	walk(0, 0)
	return rows, nil
}

func (s *Server) departmentList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.departmentRows(r)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "departments", "责任部门", "departments", rows)
}

func (s *Server) departmentDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Org.Get(r.Context(), id)
	if err != nil {
		return err
	}
	d.Note = publicNote(d.Note)
	duties, err := s.Plan.Duties(r.Context(), id)
	if err != nil {
		return err
	}
	var successor *org.Department
	if d.SuccessorID != 0 {
		sd, err := s.Org.Get(r.Context(), d.SuccessorID)
		if err != nil {
			return err
		}
		successor = &sd
	}
	return s.render(w, r, rc, http.StatusOK, "department", d.Name, "departments", map[string]any{"Dept": d, "Duties": duties, "Successor": successor})
}
