package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/store"
)

// Binding ties a target to where its value comes from.
type Binding struct {
	TaskNumber int      `json:"task"`
	Ordinal    int      `json:"ordinal"`
	MetricKey  string   `json:"metric"`   // "" = reported by the lead department
	Baseline   float64  `json:"baseline"` // value at plan start
	Deadline   string   `json:"deadline"` // "" = 31 December of the target's year
	Weight     *float64 `json:"weight"`   // nil = equal share within its task
	Note       string   `json:"note"`
}

// TargetState is the live state of one target.
type TargetState struct {
	TaskNumber int      `json:"task"`
	Ordinal    int      `json:"ordinal"`
	TargetID   int64    `json:"target_id"`
	Text       string   `json:"text"`
	Comparator string   `json:"comparator"`
	Target     float64  `json:"target"`
	Max        *float64 `json:"max"`
	Unit       string   `json:"unit"`
	Year       int      `json:"year"`
	Metric     string   `json:"metric"`      // metric key, or "manual"
	MetricName string   `json:"metric_name"` // what the number is
	Baseline   float64  `json:"baseline"`
	Current    float64  `json:"current"`
	HasValue   bool     `json:"has_value"` // false: nothing approved or computed yet
	AsOfValue  string   `json:"value_as_of,omitempty"`
	Progress   float64  `json:"progress"`
	Schedule   float64  `json:"schedule"`
	Status     string   `json:"status"`
	Deadline   string   `json:"deadline"`
	Done       bool     `json:"done"`
	Forecast   *float64 `json:"forecast"`
	Verdict    string   `json:"verdict"` // on_course, at_risk, insufficient_data, done, in_range, above_range
	History    []Point  `json:"history"`
	weight     *float64
}

// VerdictLabels are the Chinese forecast verdicts.
// A range target ("6—8个") is met inside the range: "in_range" says so;
// "above_range" is a value past its upper end, which is not met.
var VerdictLabels = map[string]string{"on_course": "按期可完成", "at_risk": "有不能按期完成的风险", "insufficient_data": "数据不足，暂无法预测", "done": "已完成",
	"in_range": "已完成（在目标区间内）", "above_range": "超出目标区间上限"}

// TaskState is the live state of a task: its targets rolled up, or its
// reported milestone progress when it has none; an override wins with its reason.
type TaskState struct {
	Number         int           `json:"number"`
	Title          string        `json:"title"`
	Pillar         int           `json:"pillar"`
	Lead           []string      `json:"lead"`
	Progress       float64       `json:"progress"`
	Schedule       float64       `json:"schedule"`
	Status         string        `json:"status"`
	Qualitative    bool          `json:"qualitative"`
	Overridden     bool          `json:"overridden"`
	OverrideReason string        `json:"override_reason,omitempty"`
	OverdueReports []string      `json:"overdue_reports"` // departments whose report for the last closed period is missing
	Targets        []TargetState `json:"targets"`
	// Figures are live figures shown beside the narrative (no target).
	Figures []Figure `json:"figures"`
	weight  *float64
}

// PillarState rolls tasks up.
type PillarState struct {
	Number   int            `json:"number"`
	Title    string         `json:"title"`
	Progress float64        `json:"progress"`
	Status   string         `json:"status"`
	Counts   map[string]int `json:"counts"` // tasks by status
}

// State is the whole plan as of a date.
type State struct {
	PlanID     int64          `json:"plan_id"`
	PlanTitle  string         `json:"plan_title"`
	AsOf       string         `json:"as_of"`
	PlanStart  string         `json:"plan_start"`
	Progress   float64        `json:"progress"`
	Schedule   float64        `json:"schedule"`
	Counts     map[string]int `json:"counts"` // tasks by status
	Pillars    []PillarState  `json:"pillars"`
	Tasks      []TaskState    `json:"tasks"`
	LastClosed *Period        `json:"last_closed_period,omitempty"`
	// PlanEnd is the last target deadline year's 31 December; Finished
	// says the state is as of a day after it (序时 is then 100 %).
	PlanEnd  string `json:"plan_end"`
	Finished bool   `json:"finished"`
}

// Targets lists every target state in task order.
func (st *State) Targets() []TargetState {
	var out []TargetState
	for _, t := range st.Tasks {
		out = append(out, t.Targets...)
	}
	return out
}

// Bindings returns the stored bindings of a plan keyed by "task.ordinal".
func (s *Service) Bindings(ctx context.Context, planID int64) (map[string]Binding, error) {
	out := map[string]Binding{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+bindingColumns+` FROM indicator_bindings WHERE plan_id = $1`, []any{planID}, func(r *sql.Rows) error {
		b, err := scanBinding(r)
		out[bindingKey(b.TaskNumber, b.Ordinal)] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("progress: bindings: %w", err)
	}
	return out, nil
}

const bindingColumns = `task_number, target_ordinal, metric_key, baseline, deadline, weight, note`

func scanBinding(r interface{ Scan(...any) error }) (Binding, error) {
	var b Binding
	var w sql.NullFloat64
	err := r.Scan(&b.TaskNumber, &b.Ordinal, &b.MetricKey, &b.Baseline, &b.Deadline, &w, &b.Note)
	if w.Valid {
		v := w.Float64
		b.Weight = &v
	}
	return b, err
}

func bindingKey(task, ord int) string { return strconv.Itoa(task) + "." + strconv.Itoa(ord) }

// targetKey names a target of a plan, by task and ordinal: the audit log
// writes "plan:task.ordinal".
type targetKey struct {
	Plan          int64
	Task, Ordinal int
}

func (k targetKey) String() string {
	return fmt.Sprintf("%d:%s", k.Plan, bindingKey(k.Task, k.Ordinal))
}

// bindings are the targets' bindings as the kit writes them.
func (s *Service) bindings() kit.Setting[targetKey, Binding] {
	return kit.Setting[targetKey, Binding]{DB: s.db, Entity: "indicator_binding",
		Load: func(ctx context.Context, q store.Querier, k targetKey) (Binding, bool, error) {
			b, err := scanBinding(q.QueryRowContext(ctx, `SELECT `+bindingColumns+` FROM indicator_bindings WHERE plan_id = $1 AND task_number = $2 AND target_ordinal = $3`, k.Plan, k.Task, k.Ordinal))
			found, err := kit.Found(err)
			return b, found, err
		}}
}

// SetBinding stores where a target's value comes from (supervisors).
func (s *Service) SetBinding(ctx context.Context, p auth.Principal, planID int64, b Binding) error {
	_, err := s.bindings().Save(ctx, kit.Put[targetKey, Binding]{By: p.Actor(), Allowed: p.Require(auth.RoleAdmin, auth.RoleSupervisor),
		Key: targetKey{planID, b.TaskNumber, b.Ordinal}, Action: "update",
		Validate: func() error {
			t, _, err := s.plans.Task(ctx, planID, b.TaskNumber)
			if err != nil {
				return err
			}
			if b.Ordinal < 1 || b.Ordinal > len(t.Targets) {
				return invalid("任务 %d 没有第 %d 个量化目标", b.TaskNumber, b.Ordinal)
			}
			if math.IsNaN(b.Baseline) || math.Abs(b.Baseline) > numfmt.Limit {
				return invalid("基线值无效（须为绝对值不超过 10 的 15 次方的数字）")
			}
			if b.Weight != nil && (math.IsNaN(*b.Weight) || *b.Weight < 0 || *b.Weight > numfmt.Limit) {
				return invalid("权重无效（须为不超过 10 的 15 次方的非负数）")
			}
			if b.MetricKey != "" {
				if _, ok := s.metrics.Get(b.MetricKey); !ok {
					return invalid("没有名为“%s”的计算指标", b.MetricKey)
				}
			}
			if b.Deadline != "" {
				if _, err := parseDay(b.Deadline); err != nil {
					return invalid("截止日期“%s”无效，请写成 2025-12-31 的形式", b.Deadline)
				}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Binding, _ bool) (Binding, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO indicator_bindings(plan_id, task_number, target_ordinal, metric_key, baseline, deadline, weight, note, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (plan_id, task_number, target_ordinal) DO UPDATE SET metric_key = excluded.metric_key, baseline = excluded.baseline,
				deadline = excluded.deadline, weight = excluded.weight, note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				planID, b.TaskNumber, b.Ordinal, b.MetricKey, b.Baseline, b.Deadline, b.Weight, b.Note, p.Login, time.Now().UTC())
			return b, err
		}})
	return err
}

// taskOverride is a task's progress fixed by hand (nil: none), as the
// audit log records it.
type taskOverride struct {
	Progress *float64 `json:"progress"`
	Reason   string   `json:"reason"`
}

// overrides are the tasks' overrides as the kit writes them; a task's
// row in task_settings (which also holds its weight) is found even when
// it holds no override.
func (s *Service) overrides() kit.Setting[taskKey, taskOverride] {
	return kit.Setting[taskKey, taskOverride]{DB: s.db, Entity: "task_override",
		Load: func(ctx context.Context, q store.Querier, k taskKey) (taskOverride, bool, error) {
			var o taskOverride
			var v sql.NullFloat64
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT override_progress, override_reason FROM task_settings WHERE plan_id = $1 AND task_number = $2`, k.Plan, k.Task).Scan(&v, &o.Reason))
			if v.Valid {
				o.Progress = &v.Float64
			}
			return o, found, err
		}}
}

// SetOverride fixes a task's progress by hand, or clears the override when
// progress is nil. A reason is required and the change is audited.
func (s *Service) SetOverride(ctx context.Context, p auth.Principal, planID int64, task int, progress *float64, reason string) error {
	_, err := s.overrides().Save(ctx, kit.Put[taskKey, taskOverride]{By: p.Actor(), Allowed: p.Require(auth.RoleAdmin, auth.RoleSupervisor),
		Key: taskKey{planID, task}, Action: "update",
		Validate: func() error {
			if _, _, err := s.plans.Task(ctx, planID, task); err != nil {
				return err
			}
			if progress != nil && (*progress < 0 || *progress > 100) {
				return invalid("人工调整的进度须在 0–100 之间")
			}
			if progress != nil && len([]rune(reason)) < 4 {
				return invalid("人工调整进度须写明理由（至少 4 个字）")
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ taskOverride, _ bool) (taskOverride, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO task_settings(plan_id, task_number, override_progress, override_reason, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (plan_id, task_number) DO UPDATE SET override_progress = excluded.override_progress, override_reason = excluded.override_reason,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				planID, task, progress, reason, p.Login, time.Now().UTC())
			return taskOverride{progress, reason}, err
		}})
	return err
}

// Evaluate computes the state of every target, task and pillar of the
// current plan version as of asOf, from approved values and registered
// metrics only: nothing submitted but unapproved counts.
//
// Results are cached under the audit log's head: any write anywhere
// appends an audit record and so retires every cached state.
func (s *Service) Evaluate(ctx context.Context, planID int64, asOf time.Time) (*State, error) {
	head, err := audit.Head(ctx, s.db.Reader())
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%s", planID, fmtDay(asOf))
	if st, ok := s.cache.get(head, key); ok {
		return st, nil
	}
	st, err := s.Recompute(ctx, planID, asOf)
	if err != nil {
		return nil, err
	}
	s.cache.put(head, key, st)
	return st.clone(), nil
}

// Recompute evaluates without the cache (benchmarks, and callers that must
// see metrics whose sources write no audit record).
func (s *Service) Recompute(ctx context.Context, planID int64, asOf time.Time) (*State, error) {
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return nil, err
	}
	planID = pv.ID
	st, err := s.Settings(ctx, planID)
	if err != nil {
		return nil, err
	}
	start, err := parseDay(st.PlanStart)
	if err != nil {
		return nil, fmt.Errorf("progress: plan start %q: %w", st.PlanStart, err)
	}
	asOfDay := fmtDay(asOf)
	bindings, err := s.Bindings(ctx, planID)
	if err != nil {
		return nil, err
	}
	manual, err := s.history(ctx, `SELECT task_number, target_ordinal, as_of, value FROM indicator_values WHERE plan_id = $1 AND as_of <= $2 ORDER BY as_of, id`, planID, asOfDay)
	if err != nil {
		return nil, err
	}
	qual, err := s.history(ctx, `SELECT task_number, 0, as_of, progress FROM task_progress_values WHERE plan_id = $1 AND as_of <= $2 ORDER BY as_of, id`, planID, asOfDay)
	if err != nil {
		return nil, err
	}
	overrides, weights, err := s.taskSettings(ctx, planID)
	if err != nil {
		return nil, err
	}
	figureKeys, err := s.TaskFigures(ctx, planID)
	if err != nil {
		return nil, err
	}
	periods, err := s.Periods(ctx, planID)
	if err != nil {
		return nil, err
	}
	var closed *Period
	for i := range periods {
		dl := periods[i].DeadlineTime().AddDate(0, 0, st.Thresholds.ReportGrace)
		if dl.Before(asOf) {
			closed = &periods[i]
		}
	}
	overdue, err := s.overdue(ctx, pv, closed)
	if err != nil {
		return nil, err
	}
	out := &State{PlanID: planID, PlanTitle: pv.Title, AsOf: asOfDay, PlanStart: st.PlanStart, Counts: map[string]int{}, LastClosed: closed}
	planEnd := start
	for _, t := range pv.Tasks() {
		for _, g := range t.Targets {
			if d := time.Date(g.Year, 12, 31, 0, 0, 0, 0, time.UTC); d.After(planEnd) {
				planEnd = d
			}
		}
	}
	out.PlanEnd, out.Finished = fmtDay(planEnd), asOf.After(planEnd)
	var sampleDays []time.Time
	for _, p := range periods {
		if e := p.EndTime(); !e.After(asOf) {
			sampleDays = append(sampleDays, e)
		}
	}
	for _, t := range pv.Tasks() {
		ts := TaskState{Number: t.Number, Title: t.Title, Pillar: t.PillarNumber, Lead: t.Lead, Targets: []TargetState{}, OverdueReports: overdue[t.Number], weight: weights[t.Number]}
		if ts.OverdueReports == nil {
			ts.OverdueReports = []string{}
		}
		if ts.Figures, err = s.figures(ctx, figureKeys[t.Number], start, asOf); err != nil {
			return nil, err
		}
		var items []Weighted
		worst := Green
		for i, g := range t.Targets {
			tg, err := s.evalTarget(ctx, st, start, asOf, t.Number, i+1, g, bindings[bindingKey(t.Number, i+1)], manual, sampleDays)
			if err != nil {
				return nil, err
			}
			ts.Targets = append(ts.Targets, tg)
			items = append(items, Weighted{Value: tg.Progress, Weight: tg.weight})
			if StatusRank[tg.Status] < StatusRank[worst] {
				worst = tg.Status
			}
		}
		ts.Schedule = ScheduleShare(start, planEnd, asOf)
		if len(items) > 0 {
			ts.Progress, _ = Rollup(items)
			ts.Status = worst
		} else {
			ts.Qualitative = true
			if h := qual[bindingKey(t.Number, 0)]; len(h) > 0 {
				ts.Progress = h[len(h)-1].Value
			}
			ts.Status = Classify(st.Thresholds, ts.Progress >= 100, ts.Progress, ts.Schedule, planEnd, asOf, false)
		}
		if o, ok := overrides[t.Number]; ok {
			ts.Progress, ts.Overridden, ts.OverrideReason = o.progress, true, o.reason
			if ts.Qualitative {
				ts.Status = Classify(st.Thresholds, ts.Progress >= 100, ts.Progress, ts.Schedule, planEnd, asOf, false)
			}
		}
		if len(ts.OverdueReports) > 0 && ts.Progress < 100 {
			ts.Status = Red
		}
		out.Tasks = append(out.Tasks, ts)
	}
	var pillarItems []Weighted
	for _, p := range pv.Pillars {
		ps := PillarState{Number: p.Number, Title: p.Title, Counts: map[string]int{}, Status: Green}
		var items []Weighted
		for _, ts := range out.Tasks {
			if ts.Pillar != p.Number {
				continue
			}
			items = append(items, Weighted{Value: ts.Progress, Weight: ts.weight})
			ps.Counts[ts.Status]++
			out.Counts[ts.Status]++
			if StatusRank[ts.Status] < StatusRank[ps.Status] {
				ps.Status = ts.Status
			}
		}
		var ok bool
		if ps.Progress, ok = Rollup(items); ok {
			pillarItems = append(pillarItems, Weighted{Value: ps.Progress})
		}
		out.Pillars = append(out.Pillars, ps)
	}
	out.Progress, _ = Rollup(pillarItems)
	out.Schedule = ScheduleShare(start, planEnd, asOf)
	return out, nil
}

func (s *Service) evalTarget(ctx context.Context, st Settings, start, asOf time.Time, task, ord int, g plan.TargetView, b Binding, manual map[string][]Point, samples []time.Time) (TargetState, error) {
	deadline := time.Date(g.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	if b.Deadline != "" {
		if d, err := parseDay(b.Deadline); err == nil {
			deadline = d
		}
	}
	tg := TargetState{TaskNumber: task, Ordinal: ord, TargetID: g.ID, Text: g.Text, Comparator: g.Comparator, Target: g.Value, Max: g.Max, Unit: g.Unit, Year: g.Year,
		Metric: "manual", MetricName: "牵头单位报送（审核通过的数值）", Baseline: b.Baseline, Current: b.Baseline, Deadline: fmtDay(deadline), weight: b.Weight}
	history := []Point{{At: start, Value: b.Baseline}}
	if m, ok := s.metrics.Get(b.MetricKey); ok && b.MetricKey != "" {
		tg.Metric, tg.MetricName = m.Key, m.Name
		for _, day := range samples {
			v, err := m.Compute(ctx, s.db.Reader(), start, day)
			if errors.Is(err, indicator.ErrNoValue) {
				continue // no value that day: no point in the history
			}
			if err != nil {
				return tg, fmt.Errorf("progress: metric %s: %w", m.Key, err)
			}
			history = append(history, Point{At: day, Value: v})
		}
		v, err := m.Compute(ctx, s.db.Reader(), start, asOf)
		switch {
		case errors.Is(err, indicator.ErrNoValue): // shown without a current value
		case err != nil:
			return tg, fmt.Errorf("progress: metric %s: %w", m.Key, err)
		default:
			tg.Current, tg.HasValue, tg.AsOfValue = v, true, fmtDay(asOf)
			history = append(history, Point{At: asOf, Value: v})
		}
	} else if h := manual[bindingKey(task, ord)]; len(h) > 0 {
		last := h[len(h)-1]
		tg.Current, tg.HasValue, tg.AsOfValue = last.Value, true, fmtDay(last.At)
		history = append(history, h...)
	}
	tg.History = history
	tg.Done = Satisfied(g.Comparator, tg.Current, g.Value, g.Max)
	tg.Progress = Progress(g.Comparator, tg.Baseline, tg.Current, g.Value, g.Max)
	tg.Schedule = ScheduleShare(start, deadline, asOf)
	tg.Status = Classify(st.Thresholds, tg.Done, tg.Progress, tg.Schedule, deadline, asOf, false)
	tg.Verdict, tg.Forecast = Verdict(g.Comparator, g.Value, g.Max, tg.Done, tg.HasValue, tg.Current, history, deadline)
	return tg, nil
}

// Verdict says whether a target is met or on course: "in_range" for a
// range target met inside its range, "done" for any other met target,
// "above_range" for a value past a range's upper end (not met, and no
// forecast helps), otherwise the least-squares forecast at the deadline
// (with three points or more) decides "on_course" (for a range: reaching
// its floor) or "at_risk", and without it "insufficient_data".
func Verdict(comparator string, target float64, max *float64, done, hasValue bool, current float64, history []Point, deadline time.Time) (string, *float64) {
	switch {
	case done && comparator == "between":
		return "in_range", nil
	case done:
		return "done", nil
	case comparator == "between" && max != nil && hasValue && current > *max:
		return "above_range", nil
	}
	if f, ok := Forecast(history, deadline); ok && len(history) >= 3 {
		// A range still below its floor is on course when the line reaches
		// the floor: a straight line past the upper end says the range will
		// be entered, not that the count will overshoot it.
		if Satisfied(comparator, f, target, max) || comparator == "between" && f >= target {
			return "on_course", &f
		}
		return "at_risk", &f
	}
	return "insufficient_data", nil
}

func (s *Service) history(ctx context.Context, q string, args ...any) (map[string][]Point, error) {
	rows, err := s.db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("progress: history: %w", err)
	}
	defer rows.Close()
	out := map[string][]Point{}
	for rows.Next() {
		var task, ord int
		var day string
		var v float64
		if err := rows.Scan(&task, &ord, &day, &v); err != nil {
			return nil, fmt.Errorf("progress: history: %w", err)
		}
		at, err := parseDay(day)
		if err != nil {
			continue
		}
		k := bindingKey(task, ord)
		out[k] = append(out[k], Point{At: at, Value: v})
	}
	return out, rows.Err()
}

type override struct {
	progress float64
	reason   string
}

func (s *Service) taskSettings(ctx context.Context, planID int64) (map[int]override, map[int]*float64, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT task_number, weight, override_progress, override_reason FROM task_settings WHERE plan_id = $1`, planID)
	if err != nil {
		return nil, nil, fmt.Errorf("progress: task settings: %w", err)
	}
	defer rows.Close()
	ov, ws := map[int]override{}, map[int]*float64{}
	for rows.Next() {
		var n int
		var w, o sql.NullFloat64
		var reason string
		if err := rows.Scan(&n, &w, &o, &reason); err != nil {
			return nil, nil, fmt.Errorf("progress: task settings: %w", err)
		}
		if w.Valid {
			v := w.Float64
			ws[n] = &v
		}
		if o.Valid {
			ov[n] = override{o.Float64, reason}
		}
	}
	return ov, ws, rows.Err()
}

// overdue lists, per task, the responsible departments that have not
// submitted a report for the last closed period.
func (s *Service) overdue(ctx context.Context, pv *plan.PlanView, closed *Period) (map[int][]string, error) {
	out := map[int][]string{}
	if closed == nil {
		return out, nil
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT task_number, dept_id FROM reports WHERE period_id = $1 AND status IN ('submitted', 'approved')`, closed.ID)
	if err != nil {
		return nil, fmt.Errorf("progress: overdue: %w", err)
	}
	defer rows.Close()
	done := map[[2]int64]bool{}
	for rows.Next() {
		var task, dept int64
		if err := rows.Scan(&task, &dept); err != nil {
			return nil, fmt.Errorf("progress: overdue: %w", err)
		}
		done[[2]int64{task, dept}] = true
	}
	for _, t := range pv.Tasks() {
		for _, d := range Expected(t) {
			if !done[[2]int64{int64(t.Number), d.ID}] {
				out[t.Number] = append(out[t.Number], d.Name)
			}
		}
	}
	return out, rows.Err()
}

// Expected lists the departments that owe a report on a task each period:
// the lead and co-owners, except the unspecified "相关部门", who cannot report.
func Expected(t plan.TaskView) []plan.DeptRef {
	seen := map[int64]bool{}
	var out []plan.DeptRef
	for _, d := range append(append([]plan.DeptRef{}, t.LeadDepts...), t.CoDepts...) {
		if d.Kind == org.KindUnspecified || seen[d.ID] {
			continue
		}
		seen[d.ID] = true
		out = append(out, d)
	}
	return out
}

// clone copies a state deeply enough that callers may edit its tasks.
func (st *State) clone() *State {
	c := *st
	c.Tasks = append([]TaskState(nil), st.Tasks...)
	c.Pillars = append([]PillarState(nil), st.Pillars...)
	return &c
}

// stateCache holds evaluated states of one audit head.
type stateCache struct {
	mu      sync.Mutex
	head    int64
	entries map[string]*State
}

func (c *stateCache) get(head int64, key string) (*State, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head {
		return nil, false
	}
	st, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	return st.clone(), true
}

func (c *stateCache) put(head int64, key string, st *State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head || c.entries == nil || len(c.entries) > 256 {
		c.head, c.entries = head, map[string]*State{}
	}
	c.entries[key] = st
}
