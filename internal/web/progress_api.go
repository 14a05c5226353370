package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/progress"
)

// indicatorRow is one line of GET /api/v1/indicators.
type indicatorRow struct {
	Task       int      `json:"task"`
	TaskTitle  string   `json:"task_title"`
	Ordinal    int      `json:"ordinal"`
	Text       string   `json:"text"`
	Metric     string   `json:"metric"`
	MetricName string   `json:"metric_name"`
	Baseline   float64  `json:"baseline"`
	Target     float64  `json:"target"`
	Max        *float64 `json:"max"`
	Comparator string   `json:"comparator"`
	Unit       string   `json:"unit"`
	Deadline   string   `json:"deadline"`
	Current    float64  `json:"current"`
	HasValue   bool     `json:"has_value"`
	Progress   float64  `json:"progress"`
	Schedule   float64  `json:"schedule"`
	Status     string   `json:"status"`
	Forecast   *float64 `json:"forecast"`
	Verdict    string   `json:"verdict"`
}

// apiIndicators lists every target with its live state. It is public: the
// values come only from approved reports and registries. ?format=csv gives
// the open-data file.
func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, _, err := s.stateFor(r, rc)
	if err != nil {
		return err
	}
	titles := map[int]string{}
	for _, t := range st.Tasks {
		titles[t.Number] = t.Title
	}
	rows := []indicatorRow{}
	for _, g := range st.Targets() {
		rows = append(rows, indicatorRow{Task: g.TaskNumber, TaskTitle: titles[g.TaskNumber], Ordinal: g.Ordinal, Text: g.Text, Metric: g.Metric, MetricName: g.MetricName,
			Baseline: g.Baseline, Target: g.Target, Max: g.Max, Comparator: g.Comparator, Unit: g.Unit, Deadline: g.Deadline, Current: g.Current, HasValue: g.HasValue,
			Progress: g.Progress, Schedule: g.Schedule, Status: g.Status, Forecast: g.Forecast, Verdict: g.Verdict})
	}
	if wantFile(r) {
		header := []string{"任务", "任务名称", "目标序号", "目标", "数据来源", "基线", "目标值", "上限", "比较", "单位", "截止日期", "当前值", "进度%", "序时进度%", "状态", "预测值", "预测结论"}
		var out [][]string
		f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		for _, x := range rows {
			max, fc := "", ""
			if x.Max != nil {
				max = f(*x.Max)
			}
			if x.Forecast != nil {
				fc = fmt.Sprintf("%.2f", *x.Forecast)
			}
			out = append(out, []string{strconv.Itoa(x.Task), x.TaskTitle, strconv.Itoa(x.Ordinal), x.Text, x.MetricName, f(x.Baseline), f(x.Target), max, x.Comparator, x.Unit,
				x.Deadline, f(x.Current), fmt.Sprintf("%.1f", x.Progress), fmt.Sprintf("%.1f", x.Schedule), progress.StatusLabels[x.Status], fc, progress.VerdictLabels[x.Verdict]})
		}
		return writeList(w, r, "indicators-"+st.AsOf, "量化指标进展-"+st.AsOf, header, out)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plan_id": st.PlanID, "as_of": st.AsOf, "indicators": rows})
}

func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, _, err := s.stateFor(r, rc)
	if err != nil {
		return err
	}
	if rc.P.Anonymous() {
		// The public sees progress, not which departments are late.
		for i := range st.Tasks {
			st.Tasks[i].OverdueReports = []string{}
		}
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) apiToDo(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	items, err := s.toDo(r.Context(), rc.P, pv.ID)
	if err != nil {
		return err
	}
	if items == nil {
		items = []progress.ToDoItem{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	f := progress.ReportFilter{PlanID: pv.ID, Task: int(queryInt(r, "task")), DeptID: queryInt(r, "dept"), Status: r.URL.Query().Get("status"), Limit: int(queryInt(r, "limit")), Offset: int(queryInt(r, "offset"))}
	if code := r.URL.Query().Get("period"); code != "" {
		p, err := s.Progress.Period(r.Context(), pv.ID, code)
		if err != nil {
			return err
		}
		f.PeriodID = p.ID
	}
	reports, err := s.Progress.Reports(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	if reports == nil {
		reports = []*progress.Report{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reports": reports})
}

// reportRequest is the body of POST /api/v1/reports.
type reportRequest struct {
	Period    string             `json:"period"`
	Task      int                `json:"task"`
	Dept      int64              `json:"dept"`
	Narrative string             `json:"narrative"`
	Progress  *float64           `json:"progress"`
	Values    map[string]float64 `json:"values"` // target ordinal → value
}

func (s *Server) apiSaveReport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var req reportRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return &apperr.Error{Kind: apperr.ErrInvalid, Msg: "请求体不是有效的报告 JSON：" + err.Error(), Err: err}
	}
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	period, err := s.Progress.Period(r.Context(), pv.ID, req.Period)
	if err != nil {
		return err
	}
	dept := req.Dept
	if dept == 0 {
		dept = rc.P.DeptID
	}
	in := progress.ReportInput{PlanID: pv.ID, PeriodID: period.ID, TaskNumber: req.Task, DeptID: dept, Narrative: req.Narrative, Progress: req.Progress, Values: map[int]float64{}}
	for k, v := range req.Values {
		ord, err := strconv.Atoi(k)
		if err != nil {
			return apperr.Invalid("values 的键须为目标序号（如 \"1\"），实为“%s”", k)
		}
		in.Values[ord] = v
	}
	rep, err := s.Progress.SaveDraft(r.Context(), rc.P, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"report": rep})
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	rep, err := s.Progress.Report(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"report": rep})
}

func (s *Server) apiReportAction(action string) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		var body struct {
			Comment           string `json:"comment"`
			ConfirmNoEvidence bool   `json:"confirm_no_evidence"`
		}
		if r.ContentLength != 0 {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				return apperr.Invalid("请求体须为 JSON，如 {\"comment\": \"…\"}")
			}
		}
		var rep *progress.Report
		switch action {
		case "submit":
			rep, err = s.Progress.Submit(r.Context(), rc.P, id)
		case "approve":
			rep, err = s.Progress.Approve(r.Context(), rc.P, id, body.Comment, body.ConfirmNoEvidence)
		case "send_back":
			rep, err = s.Progress.SendBack(r.Context(), rc.P, id, body.Comment)
		default:
			rep, err = s.Progress.Return(r.Context(), rc.P, id, body.Comment)
		}
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"report": rep})
	}
}

func (s *Server) apiBulletin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	b, err := s.bulletin(r, rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}
