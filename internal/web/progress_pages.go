package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/numfmt"
	"sidi/internal/org"
	"sidi/internal/progress"
)

// asOfFrom reads ?period=2025Q2 (the state a bulletin of that period
// reports: the day after its deadline) or ?date=2025-06-30; default today.
func (s *Server) asOfFrom(r *http.Request, planID int64) (time.Time, *progress.Period, error) {
	if code := r.URL.Query().Get("period"); code != "" {
		p, err := s.Progress.Period(r.Context(), planID, code)
		if err != nil {
			return time.Time{}, nil, err
		}
		return p.DeadlineTime().AddDate(0, 0, 1), &p, nil
	}
	if d := r.URL.Query().Get("date"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return time.Time{}, nil, apperr.Invalid("日期“%s”无效，请写成 2025-06-30 的形式", d)
		}
		return t, nil, nil
	}
	if d, err := s.pinnedAsOf(r, planID); err != nil || d != "" {
		t, _ := time.Parse("2006-01-02", d)
		return t, nil, err
	}
	n := s.now().In(cst)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), nil, nil
}

// pinnedAsOf is the default date of the settings (a demo's date inside the
// plan's period) when the request names no period or date, else "".
func (s *Server) pinnedAsOf(r *http.Request, planID int64) (string, error) {
	q := r.URL.Query()
	if q.Get("period") != "" || q.Get("date") != "" {
		return "", nil
	}
	st, err := s.Progress.Settings(r.Context(), planID)
	if err != nil {
		return "", err
	}
	return st.DefaultAsOf, nil
}

// stateFor evaluates the current plan as of the request's ?period or ?date.
func (s *Server) stateFor(r *http.Request, rc *reqCtx) (*progress.State, *progress.Period, error) {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return nil, nil, err
	}
	asOf, period, err := s.asOfFrom(r, pv.ID)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.Progress.Evaluate(r.Context(), pv.ID, asOf)
	return st, period, err
}

type cockpitData struct {
	State   *progress.State
	Period  *progress.Period
	Periods []progress.Period
	Scores  []progress.DeptScore
	// Prefectures are the scores of the eight prefecture governments.
	Prefectures []progress.DeptScore
	// Pinned is the settings' default date when the page shows it.
	Pinned string
	Today  string
}

func (s *Server) cockpit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, period, err := s.stateFor(r, rc)
	if err != nil {
		return err
	}
	periods, err := s.Progress.Periods(r.Context(), st.PlanID)
	if err != nil {
		return err
	}
	d := cockpitData{State: st, Period: period, Periods: periods, Today: s.now().In(cst).Format("2006-01-02")}
	if d.Pinned, err = s.pinnedAsOf(r, st.PlanID); err != nil {
		return err
	}
	scorePeriod := period
	if scorePeriod == nil {
		scorePeriod = st.LastClosed
	}
	if scorePeriod != nil {
		if d.Scores, err = s.Progress.Assess(r.Context(), st.PlanID, *scorePeriod); err != nil {
			return err
		}
		depts, err := s.Org.List(r.Context())
		if err != nil {
			return err
		}
		prefecture := map[int64]bool{}
		for _, dp := range depts {
			prefecture[dp.ID] = dp.Kind == org.KindPrefecture
		}
		for _, sc := range d.Scores {
			if prefecture[sc.DeptID] {
				d.Prefectures = append(d.Prefectures, sc)
			}
		}
		d.Period = scorePeriod
	}
	return s.render(w, r, rc, http.StatusOK, "progress", "进展总览", "progress", d)
}

func (s *Server) taskProgress(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	task, pv, err := s.planTask(r, rc, int(n))
	if err != nil {
		return err
	}
	asOf, _, err := s.asOfFrom(r, pv.ID)
	if err != nil {
		return err
	}
	st, err := s.Progress.Evaluate(r.Context(), pv.ID, asOf)
	if err != nil {
		return err
	}
	var ts progress.TaskState
	for _, t := range st.Tasks {
		if t.Number == int(n) {
			ts = t
		}
	}
	reports, err := s.Progress.Reports(r.Context(), rc.P, progress.ReportFilter{PlanID: pv.ID, Task: int(n), Limit: 100})
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "progress_task", "任务 "+strconv.Itoa(task.Number)+" 进展", "progress",
		map[string]any{"Task": task, "State": ts, "AsOf": st.AsOf, "Reports": reports, "CanOverride": rc.P.Has(planEditors...), "Metrics": s.Progress.Metrics().All()})
}

func (s *Server) taskOverride(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	var val *float64
	if v := strings.TrimSpace(r.PostFormValue("progress")); v != "" {
		f, err := numfmt.Parse("进度", v)
		if err != nil {
			return err
		}
		val = &f
	}
	if err := s.Progress.SetOverride(r.Context(), rc.P, pv.ID, int(n), val, strings.TrimSpace(r.PostFormValue("reason"))); err != nil {
		return err
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/progress/tasks/"+strconv.Itoa(int(n))), "已保存人工调整")
	return nil
}

// taskFigures sets the live figures a task shows beside its narrative.
func (s *Server) taskFigures(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := pathInt(r, "number")
	if err != nil {
		return err
	}
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	err = s.Progress.SetTaskFigures(r.Context(), rc.P, pv.ID, int(n), r.PostForm["metric"])
	if err != nil && !formError(err) {
		return err
	}
	msg := "已保存实时数据设置"
	if err != nil {
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/progress/tasks/"+strconv.Itoa(int(n))), msg)
	return nil
}

func (s *Server) bindingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	bs, err := s.Progress.Bindings(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	type row struct {
		Task    int
		Ordinal int
		Text    string
		Binding progress.Binding
	}
	var rows []row
	for _, t := range pv.Tasks() {
		for i, g := range t.Targets {
			b := bs[strconv.Itoa(t.Number)+"."+strconv.Itoa(i+1)]
			rows = append(rows, row{t.Number, i + 1, g.Text, b})
		}
	}
	return s.render(w, r, rc, http.StatusOK, "bindings", "指标数据来源", "progress", map[string]any{"Rows": rows, "Metrics": s.Progress.Metrics().All()})
}

func (s *Server) bindingsSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	task, err1 := strconv.Atoi(r.PostFormValue("task"))
	ord, err2 := strconv.Atoi(r.PostFormValue("ordinal"))
	base, err3 := numfmt.Parse("基线值", r.PostFormValue("baseline"))
	if err1 != nil || err2 != nil {
		return apperr.Invalid("缺少任务或目标序号")
	}
	if err3 != nil {
		return err3
	}
	b := progress.Binding{TaskNumber: task, Ordinal: ord, MetricKey: r.PostFormValue("metric"), Baseline: base,
		Deadline: strings.TrimSpace(r.PostFormValue("deadline")), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if wv := strings.TrimSpace(r.PostFormValue("weight")); wv != "" {
		f, err := numfmt.Parse("权重", wv)
		if err != nil {
			return err
		}
		if f < 0 {
			return apperr.Invalid("权重“%s”须为非负数", wv)
		}
		b.Weight = &f
	}
	if err := s.Progress.SetBinding(r.Context(), rc.P, pv.ID, b); err != nil {
		return err
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/progress/bindings"), "已保存")
	return nil
}

// finalPage is the final assessment: every target met or not and each
// lead department's account, as of the request's date (default: today, or
// the settings' pinned date).
func (s *Server) finalPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	asOf, _, err := s.asOfFrom(r, pv.ID)
	if err != nil {
		return err
	}
	f, err := s.Progress.FinalAssessment(r.Context(), pv.ID, asOf)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "progress_final", "终期评估", "progress", f)
}

func (s *Server) publicProgress(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, _, err := s.stateFor(r, rc)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "public_progress", "实施进展", "public", st)
}

func (s *Server) myDesk(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	items, err := s.toDo(r.Context(), rc.P, pv.ID)
	if err != nil {
		return err
	}
	var dept any
	var duties any
	if rc.P.DeptID != 0 {
		d, err := s.Org.Get(r.Context(), rc.P.DeptID)
		if err != nil {
			return err
		}
		dept = d
		all, err := s.Plan.Duties(r.Context(), rc.P.DeptID)
		if err != nil {
			return err
		}
		duties = all.InPlan(pv.ID)
	}
	returned, err := s.Progress.Reports(r.Context(), rc.P, progress.ReportFilter{PlanID: pv.ID, Status: progress.ReportReturned, DeptID: rc.P.DeptID, Limit: 50})
	if err != nil {
		return err
	}
	period, _ := s.Progress.CurrentPeriod(r.Context(), pv.ID)
	elsewhere, err := s.toDoElsewhere(r, rc, pv.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Items": items, "Dept": dept, "Duties": duties, "Returned": returned, "Period": period,
		"Reporting": rc.P.Has(progressViewers...), "Elsewhere": elsewhere}
	// The registers' own sections (an enterprise's declarations …).
	desk, err := s.desk(r.Context(), rc.P)
	if err != nil {
		return err
	}
	data["Desk"] = desk
	return s.render(w, r, rc, http.StatusOK, "my", "我的工作台", "my", data)
}

// planToDo counts a user's to-do items in a plan other than the one the
// desk shows, so work in another plan is not missed.
type planToDo struct {
	Title, Href string
	Count       int
}

func (s *Server) toDoElsewhere(r *http.Request, rc *reqCtx, shown int64) ([]planToDo, error) {
	sums, err := s.Plan.Summaries(r.Context(), true)
	if err != nil || len(sums) < 2 {
		return nil, err
	}
	var out []planToDo
	for _, sm := range sums {
		if sm.ID == shown {
			continue
		}
		items, err := s.Progress.ToDo(r.Context(), rc.P, sm.ID)
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			href := "/my"
			if !sm.Primary {
				href = withPlan(sm.Code, href)
			}
			out = append(out, planToDo{Title: sm.Title, Href: href, Count: len(items)})
		}
	}
	return out, nil
}
