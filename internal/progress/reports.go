package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/plan"
	"sidi/internal/store"
)

// Report statuses.
const (
	ReportDraft     = "draft"
	ReportSubmitted = "submitted"
	ReportReturned  = "returned"
	ReportApproved  = "approved"
)

// ReportStatusLabels are the Chinese names of report statuses.
var ReportStatusLabels = map[string]string{ReportDraft: "草稿", ReportSubmitted: "已提交待审核", ReportReturned: "已退回", ReportApproved: "已审核通过"}

// Report is one department's report on one task for one period.
type Report struct {
	ID            int64             `json:"id"`
	PlanID        int64             `json:"plan_id"`
	Period        Period            `json:"period"`
	TaskNumber    int               `json:"task"`
	DeptID        int64             `json:"dept_id"`
	DeptName      string            `json:"dept_name"`
	Role          string            `json:"role"` // lead or co
	Status        string            `json:"status"`
	Narrative     string            `json:"narrative"`
	Progress      *float64          `json:"progress"` // qualitative tasks: % reached
	Values        map[int]float64   `json:"values"`   // target ordinal → value (lead only)
	TimesReturned int               `json:"times_returned"`
	CreatedBy     string            `json:"created_by"`
	UpdatedAt     time.Time         `json:"updated_at"`
	SubmittedBy   string            `json:"submitted_by,omitempty"`
	SubmittedAt   *time.Time        `json:"submitted_at,omitempty"`
	ReviewedBy    string            `json:"reviewed_by,omitempty"`
	ReviewedAt    *time.Time        `json:"reviewed_at,omitempty"`
	ReviewComment string            `json:"review_comment,omitempty"`
	Evidence      []Evidence        `json:"evidence"`
	Demo          bool              `json:"demo"`
	Extra         map[string]string `json:"-"`
}

// ReportInput is what a reporter fills in.
type ReportInput struct {
	PlanID     int64
	PeriodID   int64
	TaskNumber int
	DeptID     int64
	Narrative  string
	Progress   *float64
	Values     map[int]float64
	Demo       bool
}

// responsibility returns the department's role on a task of the current
// plan version, or an error when it has none.
func (s *Service) responsibility(ctx context.Context, planID int64, task int, deptID int64) (string, *plan.TaskView, error) {
	t, _, err := s.plans.Task(ctx, planID, task)
	if err != nil {
		return "", nil, err
	}
	for _, d := range t.LeadDepts {
		if d.ID == deptID {
			return "lead", t, nil
		}
	}
	for _, d := range t.CoDepts {
		if d.ID == deptID {
			return "co", t, nil
		}
	}
	return "", t, apperr.Forbidden("该部门不是任务 %d 的牵头或责任单位，不能报送", task)
}

// reportPaging bounds a list of reports: more than 1,000 at once is
// refused, not shortened.
var reportPaging = kit.Paging{Default: 200, Max: 1000}

// checkDept enforces data scope: the user may act for deptID only if it is
// within their scope.
func (s *Service) checkDept(ctx context.Context, p auth.Principal, deptID int64) error {
	sc, err := s.auth.Scope(ctx, p)
	if err != nil {
		return err
	}
	// Same answer as a missing record: ids of other departments reveal nothing.
	return sc.Check(deptID, "报告不存在或不在您的数据范围内")
}

// CheckWriter refuses p unless p may save a report for deptID: the role and
// data-scope checks SaveDraft makes, for forms that must not open when
// saving would be refused. Out of scope is a not-found, as everywhere.
func (s *Service) CheckWriter(ctx context.Context, p auth.Principal, deptID int64) error {
	if err := p.Require(auth.RoleReporter, auth.RoleApprover); err != nil {
		return err
	}
	return s.checkDept(ctx, p, deptID)
}

// SaveDraft creates or updates a department's draft (or returned) report.
// Values are only taken for tasks the department leads: co-owners report
// their part in words and evidence, the lead consolidates the figures.
func (s *Service) SaveDraft(ctx context.Context, p auth.Principal, in ReportInput) (*Report, error) {
	if err := p.Require(auth.RoleReporter, auth.RoleApprover); err != nil {
		return nil, err
	}
	if err := s.checkDept(ctx, p, in.DeptID); err != nil {
		return nil, err
	}
	role, task, err := s.responsibility(ctx, in.PlanID, in.TaskNumber, in.DeptID)
	if err != nil {
		return nil, err
	}
	in.Narrative = strings.TrimSpace(in.Narrative)
	if len([]rune(in.Narrative)) > 20000 {
		return nil, invalid("工作进展说明过长（上限 20000 字）")
	}
	if in.Progress != nil && (math.IsNaN(*in.Progress) || *in.Progress < 0 || *in.Progress > 100) {
		return nil, invalid("完成进度须在 0–100 之间")
	}
	if role != "lead" {
		in.Values = nil
	}
	for ord, v := range in.Values {
		if ord < 1 || ord > len(task.Targets) {
			return nil, invalid("任务 %d 没有第 %d 个量化目标", in.TaskNumber, ord)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, invalid("第 %d 个量化目标的数值须为非负数", ord)
		}
		if v > numfmt.Limit { // 1e308 through the API: refused as on the form
			return nil, invalid("第 %d 个量化目标的数值过大（不得超过 10 的 15 次方）", ord)
		}
	}
	if len(task.Targets) > 0 {
		in.Progress = nil // quantitative tasks progress by their targets
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, _, err = s.saveDraftTx(ctx, tx, p, in, role)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Report(ctx, p, id)
}

// saveDraftTx writes a validated draft inside tx. It reports changed =
// false, and writes nothing, when the stored report already says exactly
// this, so saving the same thing twice leaves no trace.
func (s *Service) saveDraftTx(ctx context.Context, tx *sql.Tx, p auth.Principal, in ReportInput, role string) (int64, bool, error) {
	var id int64
	var status string
	now := time.Now().UTC()
	err := tx.QueryRowContext(ctx, `SELECT id, status FROM reports WHERE period_id = $1 AND task_number = $2 AND dept_id = $3`, in.PeriodID, in.TaskNumber, in.DeptID).Scan(&id, &status)
	var before *Report
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var pid int64
		if err := tx.QueryRowContext(ctx, `SELECT plan_id FROM reporting_periods WHERE id = $1`, in.PeriodID).Scan(&pid); err != nil || pid != in.PlanID {
			return 0, false, apperr.NotFound("报送周期不存在")
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO reports(plan_id, period_id, task_number, dept_id, role, status, narrative, progress, created_by, created_at, updated_at, demo)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id`,
			in.PlanID, in.PeriodID, in.TaskNumber, in.DeptID, role, ReportDraft, in.Narrative, in.Progress, p.Login, now, boolInt(in.Demo)).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("progress: create report: %w", err)
		}
	case err != nil:
		return 0, false, fmt.Errorf("progress: find report: %w", err)
	default:
		before, err = getReport(ctx, tx, id)
		if err != nil {
			return 0, false, err
		}
		if sameContent(before, in) {
			return id, false, nil
		}
		if status != ReportDraft && status != ReportReturned {
			return 0, false, apperr.Conflict("任务 %d 的报告%s，不能再修改", in.TaskNumber, ReportStatusLabels[status])
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET narrative = $1, progress = $2, updated_at = $3, status = $4 WHERE id = $5`,
			in.Narrative, in.Progress, now, ReportDraft, id); err != nil {
			return 0, false, fmt.Errorf("progress: update report: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_values WHERE report_id = $1`, id); err != nil {
			return 0, false, fmt.Errorf("progress: update report values: %w", err)
		}
	}
	for ord, v := range in.Values {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_values(report_id, target_ordinal, value) VALUES ($1, $2, $3)`, id, ord, v); err != nil {
			return 0, false, fmt.Errorf("progress: report value: %w", err)
		}
	}
	after, err := getReport(ctx, tx, id)
	if err != nil {
		return 0, false, err
	}
	return id, true, audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "report", EntityID: fmt.Sprint(id), Action: "save", Before: before, After: after})
}

func sameContent(r *Report, in ReportInput) bool {
	if r.Narrative != in.Narrative || (r.Progress == nil) != (in.Progress == nil) || (r.Progress != nil && *r.Progress != *in.Progress) || len(r.Values) != len(in.Values) {
		return false
	}
	for k, v := range in.Values {
		if got, ok := r.Values[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Submit sends a draft to the regulator for review (department approvers).
func (s *Service) Submit(ctx context.Context, p auth.Principal, id int64) (*Report, error) {
	if err := p.Require(auth.RoleApprover); err != nil {
		return nil, err
	}
	return s.transition(ctx, p, id, "submit", []string{ReportDraft, ReportReturned}, func(tx *sql.Tx, r *Report) error {
		if r.Narrative == "" {
			return invalid("请先填写工作进展说明再提交")
		}
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, submitted_by = $2, submitted_at = $3 WHERE id = $4`, ReportSubmitted, p.Login, time.Now().UTC(), id)
		return err
	}, true)
}

// Return sends a submitted report back with the reviewer's comments.
func (s *Service) Return(ctx context.Context, p auth.Principal, id int64, comment string) (*Report, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	comment, err := checkComment(comment)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, p, id, "return", []string{ReportSubmitted}, func(tx *sql.Tx, r *Report) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4, times_returned = times_returned + 1 WHERE id = $5`,
			ReportReturned, p.Login, time.Now().UTC(), comment, id)
		return err
	}, false)
}

// Approve accepts a submitted report; its values become the indicator's
// approved values as of the period's end. Until then they replace nothing.
//
// A report without evidence is approved only when confirmNoEvidence says
// the reviewer saw that it has none.
func (s *Service) Approve(ctx context.Context, p auth.Principal, id int64, comment string, confirmNoEvidence bool) (*Report, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if n := len([]rune(comment)); n > maxComment {
		return nil, invalid("审核意见不能超过 %d 字（现为 %d 字）", maxComment, n)
	}
	return s.transition(ctx, p, id, "approve", []string{ReportSubmitted}, func(tx *sql.Tx, r *Report) error {
		if len(r.Evidence) == 0 && !confirmNoEvidence {
			return apperr.Invalid("该报告没有佐证材料。确认仍审核通过，请勾选“确认本报告没有佐证材料”后再提交；否则请退回并要求补充")
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 WHERE id = $5`,
			ReportApproved, p.Login, now, comment, id); err != nil {
			return err
		}
		for ord, v := range r.Values {
			if _, err := tx.ExecContext(ctx, `DELETE FROM indicator_values WHERE plan_id = $1 AND task_number = $2 AND target_ordinal = $3 AND as_of = $4`,
				r.PlanID, r.TaskNumber, ord, r.Period.Ends); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_values(plan_id, task_number, target_ordinal, as_of, value, report_id, approved_by, approved_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.PlanID, r.TaskNumber, ord, r.Period.Ends, v, id, p.Login, now); err != nil {
				return err
			}
		}
		if r.Progress != nil && r.Role == "lead" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM task_progress_values WHERE plan_id = $1 AND task_number = $2 AND as_of = $3`, r.PlanID, r.TaskNumber, r.Period.Ends); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_progress_values(plan_id, task_number, as_of, progress, report_id, approved_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				r.PlanID, r.TaskNumber, r.Period.Ends, *r.Progress, id, now); err != nil {
				return err
			}
		}
		return nil
	}, false)
}

// reviewed is the reports' register as the review steps (submit, send
// back, return, approve) write it: the audit log records a step's status
// before and its status and the review comment (as stored) after.
func (s *Service) reviewed() kit.Spec[*Report] {
	return kit.Spec[*Report]{DB: s.db, Entity: "report", Noun: "报告",
		Load:       func(ctx context.Context, q store.Querier, id int64) (*Report, error) { return getReport(ctx, q, id) },
		Audit:      func(r *Report) any { return map[string]any{"status": r.Status} },
		AuditAfter: func(r *Report) any { return map[string]any{"status": r.Status, "comment": r.ReviewComment} },
	}
}

// transition moves report id from one of the statuses from by apply (which
// may still refuse, as an apperr), after the department scope check when
// deptScoped (a department's own step; the regulator's are not).
func (s *Service) transition(ctx context.Context, p auth.Principal, id int64, action string, from []string, apply func(*sql.Tx, *Report) error, deptScoped bool) (*Report, error) {
	return s.reviewed().Save(ctx, kit.Write[*Report]{By: p.Actor(), ID: id, Action: action,
		Check: func(_ *sql.Tx, r *Report) error {
			if deptScoped {
				if err := s.checkDept(ctx, p, r.DeptID); err != nil {
					return err
				}
			}
			if !slices.Contains(from, r.Status) {
				return apperr.Conflict("报告当前状态为“%s”，不能执行此操作", ReportStatusLabels[r.Status])
			}
			return nil
		},
		Exec: func(tx *sql.Tx, r *Report) (int64, error) { return id, apply(tx, r) },
	})
}

// Report returns one report if p may see it: staff of the department (in
// scope) or the regulator's supervisors and admins.
func (s *Service) Report(ctx context.Context, p auth.Principal, id int64) (*Report, error) {
	r, err := getReport(ctx, s.db.Reader(), id)
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		if err := s.checkDept(ctx, p, r.DeptID); err != nil {
			// The lead department reads its co-owners' reports to consolidate them.
			if lead, _ := s.leads(ctx, p, r.PlanID, r.TaskNumber); !lead {
				return nil, err
			}
		}
	}
	return r, nil
}

// leads reports whether p's department leads the task.
func (s *Service) leads(ctx context.Context, p auth.Principal, planID int64, task int) (bool, error) {
	if p.DeptID == 0 {
		return false, nil
	}
	t, _, err := s.plans.Task(ctx, planID, task)
	if err != nil {
		return false, err
	}
	for _, d := range t.LeadDepts {
		if d.ID == p.DeptID {
			return true, nil
		}
	}
	return false, nil
}

// CoReports returns the co-owners' reports on the same task and period as
// a lead department's report, for the lead to consolidate.
func (s *Service) CoReports(ctx context.Context, p auth.Principal, lead *Report) ([]*Report, error) {
	if lead.Role != "lead" {
		return nil, nil
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.period_id = $1 AND r.task_number = $2 AND r.role = 'co' ORDER BY d.sort_order, d.id`,
		lead.Period.ID, lead.TaskNumber)
	if err != nil {
		return nil, fmt.Errorf("progress: co-owner reports: %w", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("progress: co-owner reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const reportColumns = `r.id, r.plan_id, r.task_number, r.dept_id, d.name, r.role, r.status, r.narrative, r.progress, r.times_returned,
	r.created_by, r.updated_at, r.submitted_by, r.submitted_at, r.reviewed_by, r.reviewed_at, r.review_comment, r.demo,
	p.id, p.plan_id, p.code, p.starts, p.ends, p.deadline`

const reportFrom = ` FROM reports r JOIN departments d ON d.id = r.dept_id JOIN reporting_periods p ON p.id = r.period_id`

func scanReport(sc interface{ Scan(...any) error }) (*Report, error) {
	r := &Report{Values: map[int]float64{}, Evidence: []Evidence{}}
	var progress sql.NullFloat64
	var sub, rev sql.NullTime
	var demo int
	if err := sc.Scan(&r.ID, &r.PlanID, &r.TaskNumber, &r.DeptID, &r.DeptName, &r.Role, &r.Status, &r.Narrative, &progress, &r.TimesReturned,
		&r.CreatedBy, &r.UpdatedAt, &r.SubmittedBy, &sub, &r.ReviewedBy, &rev, &r.ReviewComment, &demo,
		&r.Period.ID, &r.Period.PlanID, &r.Period.Code, &r.Period.Starts, &r.Period.Ends, &r.Period.Deadline); err != nil {
		return nil, err
	}
	if progress.Valid {
		v := progress.Float64
		r.Progress = &v
	}
	if sub.Valid {
		r.SubmittedAt = &sub.Time
	}
	if rev.Valid {
		r.ReviewedAt = &rev.Time
	}
	r.Demo = demo != 0
	return r, nil
}

func getReport(ctx context.Context, q querier, id int64) (*Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("报告不存在或不在您的数据范围内")
	}
	if err != nil {
		return nil, fmt.Errorf("progress: get report %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT target_ordinal, value FROM report_values WHERE report_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("progress: report values: %w", err)
	}
	for rows.Next() {
		var ord int
		var v float64
		if err := rows.Scan(&ord, &v); err != nil {
			rows.Close()
			return nil, err
		}
		r.Values[ord] = v
	}
	rows.Close()
	r.Evidence, err = listEvidence(ctx, q, id)
	return r, err
}

// ReportFilter selects reports for lists.
type ReportFilter struct {
	PlanID   int64
	PeriodID int64
	Task     int
	DeptID   int64
	Status   string
	Limit    int
	Offset   int
}

// Reports lists reports visible to p: everything for supervisors and
// admins, the departments in scope for everyone else.
func (s *Service) Reports(ctx context.Context, p auth.Principal, f ReportFilter) ([]*Report, error) {
	win, err := reportPaging.Window(f.Offset, f.Limit)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Add("r.plan_id = ?", f.PlanID)
	if f.PeriodID != 0 {
		w.Add("r.period_id = ?", f.PeriodID)
	}
	if f.Task != 0 {
		w.Add("r.task_number = ?", f.Task)
	}
	if f.DeptID != 0 {
		w.Add("r.dept_id = ?", f.DeptID)
	}
	if f.Status != "" {
		w.Add("r.status = ?", f.Status)
	}
	if !p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		sc, err := s.auth.Scope(ctx, p)
		if err != nil {
			return nil, err
		}
		if sc.None() {
			return nil, nil
		}
		w.Scope(sc, "r.dept_id")
	}
	q := `SELECT ` + reportColumns + reportFrom + w.SQL() + ` ORDER BY p.starts DESC, r.task_number, r.role DESC, d.sort_order` + win.SQL(&w.Args)
	args := w.Values()
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("progress: list reports: %w", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("progress: list reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
