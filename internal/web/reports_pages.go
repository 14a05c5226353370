package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/plan"
	"sidi/internal/progress"
)

func queryInt(r *http.Request, name string) int64 {
	v, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return v
}

func (s *Server) reportList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	periods, err := s.Progress.Periods(r.Context(), pv.ID)
	if err != nil {
		return err
	}
	f := progress.ReportFilter{PlanID: pv.ID, Task: int(queryInt(r, "task")), Status: r.URL.Query().Get("status"), Limit: 200, Offset: int(queryInt(r, "offset"))}
	code := r.URL.Query().Get("period")
	if code == "" {
		if cur, err := s.Progress.CurrentPeriod(r.Context(), pv.ID); err == nil {
			code = cur.Code
		}
	}
	if code != "" && code != "all" {
		p, err := s.Progress.Period(r.Context(), pv.ID, code)
		if err != nil {
			return err
		}
		f.PeriodID = p.ID
	}
	if _, ok := progress.ReportStatusLabels[f.Status]; f.Status != "" && !ok {
		return apperr.Invalid("状态“%s”无效", f.Status)
	}
	reports, err := s.Progress.Reports(r.Context(), rc.P, f)
	if err != nil {
		return err
	}
	if wantFile(r) {
		header := []string{"周期", "任务", "部门", "角色", "状态", "提交时间", "审核人", "退回意见"}
		var rows [][]string
		for _, rp := range reports {
			sub := ""
			if rp.SubmittedAt != nil {
				sub = rp.SubmittedAt.In(cst).Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{rp.Period.Code, strconv.Itoa(rp.TaskNumber), rp.DeptName, roleLabel(rp.Role), progress.ReportStatusLabels[rp.Status], sub, rp.ReviewedBy, rp.ReviewComment})
		}
		return writeList(w, r, "reports-"+code, "进展报告-"+code, header, rows)
	}
	return s.render(w, r, rc, http.StatusOK, "reports", "进展报告", "reports", map[string]any{"Reports": reports, "Periods": periods, "Period": code, "Status": f.Status, "Task": f.Task})
}

func roleLabel(role string) string {
	if role == "lead" {
		return "牵头"
	}
	return "责任"
}

type reportForm struct {
	Report   *progress.Report
	Task     *plan.TaskView
	Period   progress.Period
	DeptID   int64
	DeptName string
	Role     string
	Editable bool
	Error    string
	Input    progress.ReportInput
	// CoReports are the co-owners' reports a lead department consolidates.
	CoReports []*progress.Report
	// Targets hold each target's baseline, last approved value and goal
	// (and, for a saved report, the reported value and its change).
	Targets []progress.TargetContext
	// Returns are the times the report was sent back, oldest first.
	Returns []progress.ReturnNote
}

// withContext fills the targets' context and the history of returns.
func (s *Server) withContext(r *http.Request, rc *reqCtx, rf *reportForm) (*reportForm, error) {
	var err error
	if rf.Role == "lead" && len(rf.Task.Targets) > 0 {
		if rf.Targets, err = s.Progress.ReportContext(r.Context(), rf.Input.PlanID, rf.Task.Number, rf.Period, rf.Input.Values); err != nil {
			return nil, err
		}
	}
	if rf.Report != nil {
		if rf.Returns, err = s.Progress.Returns(r.Context(), rc.P, rf.Report.ID); err != nil {
			return nil, err
		}
	}
	return rf, nil
}

// reportTarget resolves the period, task and department a new report is for.
func (s *Server) reportTarget(r *http.Request, rc *reqCtx, code string, task int, deptID int64) (*reportForm, error) {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return nil, err
	}
	var period progress.Period
	if code == "" {
		period, err = s.Progress.CurrentPeriod(r.Context(), pv.ID)
	} else {
		period, err = s.Progress.Period(r.Context(), pv.ID, code)
	}
	if err != nil {
		return nil, err
	}
	t, _, err := s.Plan.Task(r.Context(), pv.ID, task)
	if err != nil {
		return nil, err
	}
	if deptID == 0 {
		deptID = rc.P.DeptID
	}
	// The form opens only for a department whose report p may save.
	if err := s.Progress.CheckWriter(r.Context(), rc.P, deptID); err != nil {
		return nil, err
	}
	d, err := s.Org.Get(r.Context(), deptID)
	if err != nil {
		return nil, err
	}
	role := ""
	for _, x := range t.LeadDepts {
		if x.ID == deptID {
			role = "lead"
		}
	}
	if role == "" {
		for _, x := range t.CoDepts {
			if x.ID == deptID {
				role = "co"
			}
		}
	}
	if role == "" {
		return nil, apperr.Forbidden("%s不是任务 %d 的牵头或责任单位", d.Name, task)
	}
	return &reportForm{Task: t, Period: period, DeptID: deptID, DeptName: d.Name, Role: role, Editable: true,
		Input: progress.ReportInput{PlanID: pv.ID, PeriodID: period.ID, TaskNumber: task, DeptID: deptID, Values: map[int]float64{}}}, nil
}

func (s *Server) reportNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rf, err := s.reportTarget(r, rc, r.URL.Query().Get("period"), int(queryInt(r, "task")), queryInt(r, "dept"))
	if err != nil {
		return err
	}
	// An existing report for the same slot is edited in place.
	existing, err := s.Progress.Reports(r.Context(), rc.P, progress.ReportFilter{PlanID: rf.Input.PlanID, PeriodID: rf.Period.ID, Task: rf.Task.Number, DeptID: rf.DeptID, Limit: 1})
	if err != nil {
		return err
	}
	if len(existing) == 1 {
		http.Redirect(w, r, fmt.Sprintf("/reports/%d", existing[0].ID), http.StatusSeeOther)
		return nil
	}
	if rf, err = s.withContext(r, rc, rf); err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "report", "填报进展报告", "reports", rf)
}

// inputFromForm reads the report form; malformed numbers are reported by field.
func inputFromForm(r *http.Request, in progress.ReportInput, targets int) (progress.ReportInput, error) {
	in.Narrative = r.PostFormValue("narrative")
	if v := strings.TrimSpace(r.PostFormValue("progress")); v != "" {
		f, err := numfmt.Parse("完成进度", strings.TrimSuffix(strings.TrimSuffix(v, "%"), "％"))
		if err != nil {
			return in, err
		}
		in.Progress = &f
	}
	in.Values = map[int]float64{}
	for i := 1; i <= targets; i++ {
		v := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("value_%d", i)))
		if v == "" {
			continue
		}
		f, err := numfmt.Parse(fmt.Sprintf("第 %d 个量化目标的本期数值", i), v)
		if err != nil {
			return in, err
		}
		in.Values[i] = f
	}
	return in, nil
}

func (s *Server) reportCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	task, _ := strconv.Atoi(r.PostFormValue("task"))
	dept, _ := strconv.ParseInt(r.PostFormValue("dept"), 10, 64)
	rf, err := s.reportTarget(r, rc, r.PostFormValue("period"), task, dept)
	if err != nil {
		return err
	}
	return s.saveReport(w, r, rc, rf)
}

func (s *Server) saveReport(w http.ResponseWriter, r *http.Request, rc *reqCtx, rf *reportForm) error {
	in, err := inputFromForm(r, rf.Input, len(rf.Task.Targets))
	if err == nil {
		var rep *progress.Report
		rep, err = s.Progress.SaveDraft(r.Context(), rc.P, in)
		if err == nil {
			s.redirectMsg(w, r, fmt.Sprintf("/reports/%d", rep.ID), "草稿已保存")
			return nil
		}
	}
	if !errors.Is(err, apperr.ErrInvalid) && !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	rf.Error, rf.Input = apperr.Message(err), in
	status := statusFor(err)
	if rf, err = s.withContext(r, rc, rf); err != nil {
		return err
	}
	return s.render(w, r, rc, status, "report", "填报进展报告", "reports", rf)
}

func (s *Server) loadReportForm(r *http.Request, rc *reqCtx) (*reportForm, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return nil, err
	}
	rep, err := s.Progress.Report(r.Context(), rc.P, id)
	if err != nil {
		return nil, err
	}
	t, _, err := s.Plan.Task(r.Context(), rep.PlanID, rep.TaskNumber)
	if err != nil {
		return nil, err
	}
	if err := s.inPlan(r, rc, rep.PlanID); err != nil {
		return nil, err
	}
	editable := (rep.Status == progress.ReportDraft || rep.Status == progress.ReportReturned) && rc.P.Has(reportWriters...)
	if editable {
		// Only the department itself edits; a lead reading a co-owner's report does not.
		if ok, err := s.Auth.CanAccessDept(r.Context(), rc.P, rep.DeptID); err != nil || !ok {
			editable = false
		}
	}
	cos, err := s.Progress.CoReports(r.Context(), rc.P, rep)
	if err != nil {
		return nil, err
	}
	return &reportForm{CoReports: cos, Report: rep, Task: t, Period: rep.Period, DeptID: rep.DeptID, DeptName: rep.DeptName, Role: rep.Role, Editable: editable,
		Input: progress.ReportInput{PlanID: rep.PlanID, PeriodID: rep.Period.ID, TaskNumber: rep.TaskNumber, DeptID: rep.DeptID, Narrative: rep.Narrative, Progress: rep.Progress, Values: rep.Values}}, nil
}

func (s *Server) reportView(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rf, err := s.loadReportForm(r, rc)
	if err != nil {
		return err
	}
	if rf, err = s.withContext(r, rc, rf); err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "report", fmt.Sprintf("任务 %d · %s · %s", rf.Task.Number, rf.DeptName, rf.Period.Label()), "reports", rf)
}

func (s *Server) reportUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rf, err := s.loadReportForm(r, rc)
	if err != nil {
		return err
	}
	return s.saveReport(w, r, rc, rf)
}

func (s *Server) reportEvidence(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return apperr.Invalid("请选择要上传的文件")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, progress.MaxEvidenceSize+1))
	if err != nil {
		return apperr.Invalid("读取上传文件失败")
	}
	if _, err := s.Progress.AddEvidence(r.Context(), rc.P, id, hdr.Filename, data); err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) {
			s.redirectMsg(w, r, fmt.Sprintf("/reports/%d", id), "上传失败："+apperr.Message(err))
			return nil
		}
		return err
	}
	s.redirectMsg(w, r, fmt.Sprintf("/reports/%d", id), "佐证材料已上传")
	return nil
}

func (s *Server) reportEvidenceFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	ev, data, err := s.Progress.EvidenceFile(r.Context(), rc.P, id, r.PathValue("sha"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ev.ContentType)
	w.Header().Set("Content-Disposition", contentDisposition(asciiName(ev.Filename), ev.Filename))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

func (s *Server) reportAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, action string) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	comment := r.PostFormValue("comment")
	var msg string
	switch action {
	case "submit":
		msg = "已提交，等待省市场监管局审核"
		_, err = s.Progress.Submit(r.Context(), rc.P, id)
	case "approve":
		msg = "已审核通过"
		_, err = s.Progress.Approve(r.Context(), rc.P, id, comment, r.PostFormValue("confirm_no_evidence") == "1")
	case "send_back":
		msg = "已退回填报人修改"
		_, err = s.Progress.SendBack(r.Context(), rc.P, id, comment)
	case "return":
		msg = "已退回"
		_, err = s.Progress.Return(r.Context(), rc.P, id, comment)
	}
	if err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) {
			msg = apperr.Message(err)
		} else {
			return err
		}
	}
	s.redirectMsg(w, r, fmt.Sprintf("/reports/%d", id), msg)
	return nil
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.reportAction(w, r, rc, "submit")
}
func (s *Server) reportApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.reportAction(w, r, rc, "approve")
}
func (s *Server) reportReturn(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.reportAction(w, r, rc, "return")
}
func (s *Server) reportSendBack(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.reportAction(w, r, rc, "send_back")
}

func (s *Server) reportTemplate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	period, err := s.Progress.CurrentPeriod(r.Context(), pv.ID)
	if code := r.URL.Query().Get("period"); code != "" {
		period, err = s.Progress.Period(r.Context(), pv.ID, code)
	}
	if err != nil {
		return err
	}
	dept := queryInt(r, "dept")
	if dept == 0 {
		dept = rc.P.DeptID
	}
	b, err := s.Progress.TemplateXLSX(r.Context(), rc.P, pv.ID, period, dept)
	if err != nil {
		return err
	}
	return writeDownload(w, fmt.Sprintf("进展报送模板-%s.xlsx", period.Code), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

func (s *Server) reportUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	pv, err := s.planOf(r, rc)
	if err != nil {
		return err
	}
	period, err := s.Progress.Period(r.Context(), pv.ID, r.FormValue("period"))
	if err != nil {
		return err
	}
	dept, _ := strconv.ParseInt(r.FormValue("dept"), 10, 64)
	if dept == 0 {
		dept = rc.P.DeptID
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return apperr.Invalid("请选择填好的报送表格（.xlsx）")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return apperr.Invalid("读取上传文件失败")
	}
	res, err := s.Progress.ImportXLSX(r.Context(), rc.P, pv.ID, period, dept, data)
	var cells kit.Errors
	if errors.As(err, &cells) {
		// Every problem on a page of its own (a flash message would cut
		// the list after a few), each by sheet, row and column.
		return s.render(w, r, rc, http.StatusUnprocessableEntity, "report_upload", "报送表格未导入", "reports", map[string]any{
			"Errors": cells, "Period": period, "My": withPlan(rc.planCode, "/my"),
		})
	}
	msg := ""
	if err != nil {
		if !errors.Is(err, apperr.ErrInvalid) {
			return err
		}
		msg = apperr.Message(err)
	} else {
		msg = fmt.Sprintf("导入完成：新保存或更新 %d 份草稿，%d 份无变化，%d 项未填写", res.Saved, res.Unchanged, res.Skipped)
	}
	s.redirectMsg(w, r, withPlan(rc.planCode, "/reports?period="+url.QueryEscape(period.Code)), msg)
	return nil
}

func writeDownload(w http.ResponseWriter, filename, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", contentDisposition(asciiName(filename), filename))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(b)
	return err
}

// asciiName keeps the ASCII part of a file name for old clients.
func asciiName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r < 128 && r > 32 && r != '"' && r != '\\' {
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || strings.HasPrefix(out, ".") {
		out = "sidi" + out
	}
	return out
}
