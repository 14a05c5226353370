package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
)

// home is the primary plan's overview; it lists every plan tracked.
func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.overview(w, r, rc, true)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.DB.Reader().PingContext(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.DB.Dialect())})
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.OpenAPI()
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

// planOverview shows a plan's current version, or with ?version=N an
// earlier approved version of it (kept whole when a new one replaced it),
// with the plan's version history and the list of plans.
func (s *Server) planOverview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.overview(w, r, rc, false)
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, rc *reqCtx, home bool) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	current := pv.Version
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > maxID {
			return apperr.NotFound("版本号“%s”无效", v)
		}
		if pv, err = s.Plan.VersionView(r.Context(), pv.ID, n); err != nil {
			return err
		}
	}
	history, err := s.Plan.History(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	var rows []planRow
	if home {
		if rows, err = s.planRows(r); err != nil {
			return err
		}
	}
	return s.render(w, r, rc, http.StatusOK, "plan", pv.Title, "plan", map[string]any{"Plan": pv, "Stats": statsOf(pv),
		"Current": current, "History": history, "Rows": rows})
}

// planRow is a plan on the list of plans: its summary and progress.
type planRow struct {
	plan.Summary
	Href     string
	Progress *progress.State
}

// planRows lists the plans with an approved version and, for each, its
// progress as of today (or the date pinned in its settings).
func (s *Server) planRows(r *http.Request) ([]planRow, error) {
	sums, err := s.Plan.Summaries(r.Context(), true)
	if err != nil {
		return nil, err
	}
	rows := make([]planRow, 0, len(sums))
	for _, sm := range sums {
		row := planRow{Summary: sm, Href: "/plan"}
		if !sm.Primary {
			row.Href = withPlan(sm.Code, "/plan")
		}
		asOf := s.now().In(cst)
		asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
		if d, err := s.pinnedAsOf(r, sm.ID); err != nil {
			return nil, err
		} else if d != "" {
			asOf, _ = time.Parse("2006-01-02", d)
		}
		if row.Progress, err = s.Progress.Evaluate(r.Context(), sm.ID, asOf); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// plansList is the public list of the plans tracked side by side.
func (s *Server) plansList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.planRows(r)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "plans", "工作方案列表", "plans", rows)
}

func (s *Server) taskDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	t, pv, err := s.planTask(r, rc, int(n))
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
	primary := ""
	if pv, err := s.Plan.Current(r.Context(), 0); err == nil {
		primary = pv.Code
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "department", d.Name, "departments", map[string]any{"Dept": d, "Duties": duties, "Successor": successor, "Primary": primary})
}

// planOf returns the plan a plan-scoped request names with ?plan=CODE (the
// query of the page, or of the form's action for a POST), or the primary
// plan without it. An unknown or malformed code is a 404. The code is kept
// in rc so the page's links stay in the same plan (view.PlanURL).
func (s *Server) planOf(r *http.Request, rc *reqCtx) (*plan.PlanView, error) {
	code := r.URL.Query().Get("plan")
	pv, err := s.Plan.CurrentByCode(r.Context(), code)
	if err != nil {
		return nil, err
	}
	if code != "" {
		rc.planCode = pv.Code
	}
	rc.planID = pv.ID
	return pv, nil
}

// planTask returns task n of the plan the request names.
func (s *Server) planTask(r *http.Request, rc *reqCtx, n int) (*plan.TaskView, *plan.PlanView, error) {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return nil, nil, err
	}
	t, _, err := s.Plan.Task(r.Context(), pv.ID, n)
	return t, pv, err
}

// inPlan makes the links of a page about a record of plan pv (a report, a
// task) stay in that plan when it is not the primary one.
func (s *Server) inPlan(r *http.Request, rc *reqCtx, planID int64) error {
	rc.planID = planID
	if rc.planCode != "" {
		return nil
	}
	primary, err := s.Plan.Current(r.Context(), 0)
	if err != nil {
		return err
	}
	if primary.ID == planID {
		return nil
	}
	pv, err := s.Plan.Current(r.Context(), planID)
	if err != nil {
		return err
	}
	rc.planCode = pv.Code
	return nil
}

// withPlan adds plan=code to a local path (nothing for the primary plan).
func withPlan(code, path string) string {
	if code == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "plan=" + url.QueryEscape(code)
}

// apiPlans lists the plans with an approved version: code, title, current
// version, counts and progress.
func (s *Server) apiPlans(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rows, err := s.planRows(r)
	if err != nil {
		return err
	}
	type item struct {
		plan.Summary
		AsOf     string  `json:"as_of"`
		Progress float64 `json:"progress"`
		Schedule float64 `json:"schedule"`
	}
	out := make([]item, 0, len(rows))
	for _, row := range rows {
		out = append(out, item{Summary: row.Summary, AsOf: row.Progress.AsOf, Progress: row.Progress.Progress, Schedule: row.Progress.Schedule})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plans": out})
}

// planLevelPages are the pages about a whole plan, offered as they are in
// another plan; any other page switches to the first part of its path (a
// task, report or bulletin of one plan is not one of another).
var planLevelPages = map[string]bool{"/": true, "/plan": true, "/progress": true, "/progress/final": true, "/progress/bindings": true,
	"/progress/settings": true, "/public/progress": true, "/reports": true, "/bulletins": true, "/my": true}

// planTab is a plan in the switcher of a plan-scoped page.
type planTab struct {
	Title, Code, Href string
	Current           bool
}

// planTabs offers the page at r in each plan when more than one is
// tracked: the same path, without its other parameters (a period or task
// of one plan need not exist in another).
func (s *Server) planTabs(r *http.Request, rc *reqCtx) ([]planTab, error) {
	if rc.planID == 0 {
		return nil, nil
	}
	sums, err := s.Plan.Summaries(r.Context(), true)
	if err != nil || len(sums) < 2 {
		return nil, err
	}
	path := r.URL.Path
	if !planLevelPages[path] {
		path = "/" + strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)[0]
	}
	tabs := make([]planTab, 0, len(sums))
	for _, sm := range sums {
		t := planTab{Title: sm.Title, Code: sm.Code, Href: path, Current: sm.ID == rc.planID}
		if !sm.Primary {
			t.Href = withPlan(sm.Code, path)
		}
		tabs = append(tabs, t)
	}
	return tabs, nil
}
