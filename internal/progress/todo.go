package progress

import (
	"context"
	"fmt"

	"sidi/internal/auth"
)

// ToDoItem is one entry of a user's to-do list (待办).
type ToDoItem struct {
	Kind     string `json:"kind"`    // fill, returned, submit, review; a register's own kinds
	Urgency  string `json:"urgency"` // normal, remind (临近提醒), overdue (催办)
	Task     int    `json:"task"`
	Title    string `json:"title"`
	DeptID   int64  `json:"dept_id"`
	Dept     string `json:"dept"`
	Period   Period `json:"period"`
	ReportID int64  `json:"report_id,omitempty"`
	Deadline string `json:"deadline"`
	Message  string `json:"message"`
	// Link is the page of an item a register puts on the list (overdue
	// instruments, say); report items have none.
	Link string `json:"link,omitempty"`
}

// ToDo lists what p has to do now: reports to fill, fix or submit for the
// departments in scope (with reminders before the deadline and chasers
// after it), and for the regulator, reports waiting for review.
func (s *Service) ToDo(ctx context.Context, p auth.Principal, planID int64) ([]ToDoItem, error) {
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx, pv.ID)
	if err != nil {
		return nil, err
	}
	var items []ToDoItem
	if p.Has(auth.RoleAdmin, auth.RoleSupervisor) {
		rs, err := s.Reports(ctx, p, ReportFilter{PlanID: pv.ID, Status: ReportSubmitted, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			items = append(items, ToDoItem{Kind: "review", Urgency: "normal", Task: r.TaskNumber, DeptID: r.DeptID, Dept: r.DeptName, Period: r.Period, ReportID: r.ID,
				Deadline: r.Period.Deadline, Message: fmt.Sprintf("%s报送的任务 %d %s报告待审核", r.DeptName, r.TaskNumber, r.Period.Label())})
		}
	}
	if !p.Has(auth.RoleReporter, auth.RoleApprover) || p.DeptID == 0 {
		return items, nil
	}
	period, err := s.CurrentPeriod(ctx, pv.ID)
	if err != nil {
		return items, nil
	}
	sc, err := s.auth.Scope(ctx, p)
	if err != nil {
		return nil, err
	}
	existing, err := s.Reports(ctx, p, ReportFilter{PlanID: pv.ID, PeriodID: period.ID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	byKey := map[[2]int64]*Report{}
	for _, r := range existing {
		byKey[[2]int64{int64(r.TaskNumber), r.DeptID}] = r
	}
	today := s.today()
	deadline := period.DeadlineTime()
	urgency := "normal"
	switch {
	case today.After(deadline):
		urgency = "overdue"
	case !deadline.After(today.AddDate(0, 0, st.Thresholds.RemindBefore)):
		urgency = "remind"
	}
	for _, t := range pv.Tasks() {
		for _, d := range Expected(t) {
			if !sc.Allows(d.ID) {
				continue
			}
			it := ToDoItem{Task: t.Number, Title: t.Title, DeptID: d.ID, Dept: d.Name, Period: period, Deadline: period.Deadline, Urgency: urgency}
			r := byKey[[2]int64{int64(t.Number), d.ID}]
			switch {
			case r == nil:
				it.Kind, it.Message = "fill", fmt.Sprintf("请填报任务 %d（%s）%s进展", t.Number, t.Title, period.Label())
			case r.Status == ReportReturned:
				it.Kind, it.ReportID, it.Message = "returned", r.ID, fmt.Sprintf("任务 %d 的报告被退回：%s", t.Number, r.ReviewComment)
				it.Urgency = "overdue"
			case r.Status == ReportDraft && p.Has(auth.RoleApprover):
				it.Kind, it.ReportID, it.Message = "submit", r.ID, fmt.Sprintf("任务 %d 的报告草稿待审核提交", t.Number)
			case r.Status == ReportDraft:
				it.Kind, it.ReportID, it.Message = "fill", r.ID, fmt.Sprintf("任务 %d 的报告草稿尚未提交", t.Number)
			default:
				continue
			}
			if it.Urgency == "overdue" && it.Kind != "returned" {
				it.Message += fmt.Sprintf("（已超过报送期限 %s，请尽快补报）", period.Deadline)
			} else if it.Urgency == "remind" {
				it.Message += fmt.Sprintf("（报送期限 %s，还剩 %d 天）", period.Deadline, int(deadline.Sub(today).Hours()/24))
			}
			items = append(items, it)
		}
	}
	return items, nil
}
