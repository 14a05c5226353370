package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
)

// The views below read the structured rows of an approved version: what
// pages and the API show. They mirror the parser's JSON shape, plus ids and
// the departments each name resolved to.

// DeptRef is a responsible department as the plan names it.
type DeptRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Short   string `json:"short_name"`
	Kind    string `json:"kind"`
	Written string `json:"written"`       // the name as the text writes it
	Via     string `json:"via,omitempty"` // 各市州政府 when expanded from the group
}

// TargetView is a stored target.
type TargetView struct {
	ID int64 `json:"id"`
	Target
}

// TaskView is a stored task with its resolved owners.
type TaskView struct {
	ID           int64        `json:"id"`
	PlanID       int64        `json:"plan_id"`
	PlanCode     string       `json:"plan_code"`
	Number       int          `json:"number"`
	PillarNumber int          `json:"pillar"`
	PillarTitle  string       `json:"pillar_title"`
	Title        string       `json:"title"`
	Text         string       `json:"text"`
	Lead         []string     `json:"lead"`
	Co           []string     `json:"co"`
	Clauses      []Clause     `json:"clauses"`
	Targets      []TargetView `json:"targets"`
	Deliverables []string     `json:"deliverables"`
	LeadDepts    []DeptRef    `json:"lead_departments"`
	CoDepts      []DeptRef    `json:"co_departments"`
}

// PillarView is a stored pillar.
type PillarView struct {
	ID     int64      `json:"id"`
	Number int        `json:"number"`
	Title  string     `json:"title"`
	Tasks  []TaskView `json:"tasks"`
}

// PlanView is the current approved version of a plan.
type PlanView struct {
	ID           int64         `json:"id"`
	Code         string        `json:"code"`
	VersionID    int64         `json:"version_id"`
	Version      int           `json:"version"`
	ApprovedAt   time.Time     `json:"approved_at"`
	Title        string        `json:"title"`
	NoticeTitle  string        `json:"notice_title,omitempty"`
	Issuer       string        `json:"issuer"`
	Issued       string        `json:"issued"`
	Published    string        `json:"published,omitempty"`
	Goals        []Goal        `json:"goals"`
	Pillars      []PillarView  `json:"pillars"`
	Requirements []Requirement `json:"requirements"`
}

// Tasks returns every task in order.
func (v *PlanView) Tasks() []TaskView {
	var ts []TaskView
	for _, p := range v.Pillars {
		ts = append(ts, p.Tasks...)
	}
	return ts
}

// TargetCount counts the quantitative targets.
func (v *PlanView) TargetCount() int {
	n := 0
	for _, t := range v.Tasks() {
		n += len(t.Targets)
	}
	return n
}

// Plans lists the plans that have an approved version, oldest first.
func (s *Service) Plans(ctx context.Context) ([]PlanView, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT v.id FROM plan_versions v WHERE v.status = $1 ORDER BY v.plan_id`, StatusApproved)
	if err != nil {
		return nil, fmt.Errorf("plan: list plans: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan: list plans: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []PlanView
	for _, id := range ids {
		v, err := s.view(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// Current returns the current approved version of the plan with the given
// id, or of the first plan when id is 0.
func (s *Service) Current(ctx context.Context, planID int64) (*PlanView, error) {
	var vid int64
	var err error
	if planID == 0 {
		err = s.db.Reader().QueryRowContext(ctx, `SELECT id FROM plan_versions WHERE status = $1 ORDER BY plan_id LIMIT 1`, StatusApproved).Scan(&vid)
	} else {
		err = s.db.Reader().QueryRowContext(ctx, `SELECT id FROM plan_versions WHERE status = $1 AND plan_id = $2`, StatusApproved, planID).Scan(&vid)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("尚无已审核通过的工作方案。请导入方案文本（sidi plan import）并在审核页审核通过。")
	}
	if err != nil {
		return nil, fmt.Errorf("plan: current: %w", err)
	}
	return s.cachedView(ctx, vid)
}

// cachedView returns the view of a version, cached under the audit head:
// an approved version's rows never change, but department names may, and
// every such write appends an audit record. Views are shared between
// callers and must not be modified.
func (s *Service) cachedView(ctx context.Context, vid int64) (*PlanView, error) {
	head, err := audit.Head(ctx, s.db.Reader())
	if err != nil {
		return nil, err
	}
	s.views.mu.Lock()
	if s.views.head == head {
		if v, ok := s.views.byVersion[vid]; ok {
			s.views.mu.Unlock()
			return v, nil
		}
	}
	s.views.mu.Unlock()
	v, err := s.view(ctx, vid)
	if err != nil {
		return nil, err
	}
	s.views.mu.Lock()
	if s.views.head != head || s.views.byVersion == nil {
		s.views.head, s.views.byVersion = head, map[int64]*PlanView{}
	}
	s.views.byVersion[vid] = v
	s.views.mu.Unlock()
	return v, nil
}

type viewCache struct {
	mu        sync.Mutex
	head      int64
	byVersion map[int64]*PlanView
}

func (s *Service) view(ctx context.Context, versionID int64) (*PlanView, error) {
	q := s.db.Reader()
	ver, err := getVersion(ctx, q, versionID)
	if err != nil {
		return nil, err
	}
	d := ver.Document
	v := &PlanView{ID: ver.PlanID, Code: ver.PlanCode, VersionID: ver.ID, Version: ver.Number, ApprovedAt: ver.ApprovedAt,
		Title: d.Title, NoticeTitle: d.NoticeTitle, Issuer: d.Issuer, Issued: d.Issued, Published: d.Published,
		Goals: orEmpty(d.Goals), Requirements: orEmpty(d.Requirements)}
	// The document keeps clause structure as written; the rows hold ids and
	// resolved departments. Both come from the same approval.
	clauses := map[int][]Clause{}
	for _, t := range d.Tasks() {
		clauses[t.Number] = t.Clauses
	}
	tasks, err := s.loadTasks(ctx, `t.version_id = $1`, versionID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, number, title FROM plan_pillars WHERE version_id = $1 ORDER BY number`, versionID)
	if err != nil {
		return nil, fmt.Errorf("plan: pillars: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p PillarView
		if err := rows.Scan(&p.ID, &p.Number, &p.Title); err != nil {
			return nil, fmt.Errorf("plan: pillars: %w", err)
		}
		p.Tasks = []TaskView{}
		for _, t := range tasks {
			if t.PillarNumber == p.Number {
				t.Clauses = orEmpty(clauses[t.Number])
				p.Tasks = append(p.Tasks, t)
			}
		}
		v.Pillars = append(v.Pillars, p)
	}
	return v, rows.Err()
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// loadTasks reads tasks matching where (over plan_tasks t) with their
// owners, targets and deliverables, in four queries whatever their number.
func (s *Service) loadTasks(ctx context.Context, where string, args ...any) ([]TaskView, error) {
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT t.id, pl.id, pl.code, t.number, p.number, p.title, t.title, t.text FROM plan_tasks t JOIN plan_pillars p ON p.id = t.pillar_id
		JOIN plan_versions pv ON pv.id = t.version_id JOIN plans pl ON pl.id = pv.plan_id WHERE `+where+` ORDER BY pl.id, t.number`, args...)
	if err != nil {
		return nil, fmt.Errorf("plan: tasks: %w", err)
	}
	var tasks []TaskView
	index := map[int64]int{}
	for rows.Next() {
		var t TaskView
		if err := rows.Scan(&t.ID, &t.PlanID, &t.PlanCode, &t.Number, &t.PillarNumber, &t.PillarTitle, &t.Title, &t.Text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan: tasks: %w", err)
		}
		t.Lead, t.Co, t.Clauses, t.Targets, t.Deliverables, t.LeadDepts, t.CoDepts = []string{}, []string{}, []Clause{}, []TargetView{}, []string{}, []DeptRef{}, []DeptRef{}
		index[t.ID] = len(tasks)
		tasks = append(tasks, t)
	}
	rows.Close()
	if len(tasks) == 0 {
		return tasks, nil
	}
	sub := `SELECT t.id FROM plan_tasks t WHERE ` + where
	rows, err = q.QueryContext(ctx, `SELECT r.task_id, r.role, r.name_written, r.via, d.id, d.name, d.short_name, d.kind
		FROM plan_responsibilities r JOIN departments d ON d.id = r.department_id
		WHERE r.task_id IN (`+sub+`) ORDER BY r.task_id, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("plan: responsibilities: %w", err)
	}
	type key struct {
		task    int64
		role    string
		written string
	}
	seenName := map[key]bool{}
	seenDept := map[[2]int64]bool{}
	for rows.Next() {
		var taskID int64
		var role string
		var r DeptRef
		if err := rows.Scan(&taskID, &role, &r.Written, &r.Via, &r.ID, &r.Name, &r.Short, &r.Kind); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan: responsibilities: %w", err)
		}
		t := &tasks[index[taskID]]
		k := key{taskID, role, r.Written}
		if role == "lead" {
			if !seenName[k] {
				t.Lead = append(t.Lead, r.Written)
			}
			if !seenDept[[2]int64{taskID, r.ID}] {
				t.LeadDepts = append(t.LeadDepts, r)
			}
		} else {
			if !seenName[k] && !seenName[key{taskID, "lead", r.Written}] {
				t.Co = append(t.Co, r.Written)
			}
			if !seenDept[[2]int64{taskID, r.ID}] {
				t.CoDepts = append(t.CoDepts, r)
			}
		}
		seenName[k] = true
		seenDept[[2]int64{taskID, r.ID}] = true
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT task_id, id, year, text, comparator, value, max_value, unit FROM plan_targets
		WHERE task_id IN (`+sub+`) ORDER BY task_id, ordinal`, args...)
	if err != nil {
		return nil, fmt.Errorf("plan: targets: %w", err)
	}
	for rows.Next() {
		var taskID int64
		var g TargetView
		var max sql.NullFloat64
		if err := rows.Scan(&taskID, &g.ID, &g.Year, &g.Text, &g.Comparator, &g.Value, &max, &g.Unit); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan: targets: %w", err)
		}
		if max.Valid {
			m := max.Float64
			g.Max = &m
		}
		t := &tasks[index[taskID]]
		t.Targets = append(t.Targets, g)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT task_id, title FROM plan_deliverables WHERE task_id IN (`+sub+`) ORDER BY task_id, ordinal`, args...)
	if err != nil {
		return nil, fmt.Errorf("plan: deliverables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var taskID int64
		var title string
		if err := rows.Scan(&taskID, &title); err != nil {
			return nil, fmt.Errorf("plan: deliverables: %w", err)
		}
		t := &tasks[index[taskID]]
		t.Deliverables = append(t.Deliverables, title)
	}
	return tasks, rows.Err()
}

// Task returns a task of the current version of a plan by its number.
func (s *Service) Task(ctx context.Context, planID int64, number int) (*TaskView, *PlanView, error) {
	pv, err := s.Current(ctx, planID)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range pv.Tasks() {
		if t.Number == number {
			return &t, pv, nil
		}
	}
	return nil, pv, apperr.NotFound("方案中没有第 %d 项任务", number)
}

// DepartmentDuties is what a department answers for in the current plans.
type DepartmentDuties struct {
	Leads   []TaskView   `json:"leads"`
	CoOwns  []TaskView   `json:"co_owns"`
	Targets []DutyTarget `json:"targets"`
}

// DutyTarget is a target of a task a department leads.
type DutyTarget struct {
	Task     int        `json:"task"`
	PlanID   int64      `json:"plan_id"`
	PlanCode string     `json:"plan_code"`
	Target   TargetView `json:"target"`
}

// InPlan keeps the duties of one plan.
func (d *DepartmentDuties) InPlan(planID int64) *DepartmentDuties {
	out := &DepartmentDuties{Leads: []TaskView{}, CoOwns: []TaskView{}, Targets: []DutyTarget{}}
	for _, t := range d.Leads {
		if t.PlanID == planID {
			out.Leads = append(out.Leads, t)
		}
	}
	for _, t := range d.CoOwns {
		if t.PlanID == planID {
			out.CoOwns = append(out.CoOwns, t)
		}
	}
	for _, g := range d.Targets {
		if g.PlanID == planID {
			out.Targets = append(out.Targets, g)
		}
	}
	return out
}

// Duties lists the tasks of current plan versions that a department leads
// or co-owns, and the targets of the tasks it leads.
func (s *Service) Duties(ctx context.Context, deptID int64) (*DepartmentDuties, error) {
	d := &DepartmentDuties{Leads: []TaskView{}, CoOwns: []TaskView{}, Targets: []DutyTarget{}}
	for _, role := range []string{"lead", "co"} {
		ts, err := s.loadTasks(ctx, `t.version_id IN (SELECT id FROM plan_versions WHERE status = 'approved')
			AND t.id IN (SELECT task_id FROM plan_responsibilities WHERE department_id = $1 AND role = $2)`, deptID, role)
		if err != nil {
			return nil, err
		}
		if role == "lead" {
			d.Leads = ts
			for _, t := range ts {
				for _, g := range t.Targets {
					d.Targets = append(d.Targets, DutyTarget{Task: t.Number, PlanID: t.PlanID, PlanCode: t.PlanCode, Target: g})
				}
			}
		} else {
			for _, t := range ts {
				if !containsTask(d.Leads, t.ID) {
					d.CoOwns = append(d.CoOwns, t)
				}
			}
		}
	}
	return d, nil
}

func containsTask(ts []TaskView, id int64) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

// DutyCount is how many current tasks a department leads and co-owns.
type DutyCount struct {
	Leads  int `json:"leads"`
	CoOwns int `json:"co_owns"`
}

// DutyCounts counts, per department, the current tasks it leads and the
// ones it co-owns without leading.
func (s *Service) DutyCounts(ctx context.Context) (map[int64]DutyCount, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT r.department_id, MAX(CASE WHEN r.role = 'lead' THEN 1 ELSE 0 END)
		FROM plan_responsibilities r JOIN plan_tasks t ON t.id = r.task_id
		JOIN plan_versions v ON v.id = t.version_id AND v.status = 'approved'
		GROUP BY r.department_id, r.task_id`)
	if err != nil {
		return nil, fmt.Errorf("plan: duty counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]DutyCount{}
	for rows.Next() {
		var dept int64
		var lead int
		if err := rows.Scan(&dept, &lead); err != nil {
			return nil, fmt.Errorf("plan: duty counts: %w", err)
		}
		c := out[dept]
		if lead == 1 {
			c.Leads++
		} else {
			c.CoOwns++
		}
		out[dept] = c
	}
	return out, rows.Err()
}
