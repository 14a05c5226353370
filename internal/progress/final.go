package progress

import (
	"context"
	"sort"
	"time"
)

// FinalTarget is one target at the end: met or not, with its last value.
type FinalTarget struct {
	Task     int      `json:"task"`
	Ordinal  int      `json:"ordinal"`
	Text     string   `json:"text"`
	Unit     string   `json:"unit"`
	Target   float64  `json:"target"`
	Max      *float64 `json:"max,omitempty"`
	Value    float64  `json:"value"`
	HasValue bool     `json:"has_value"`
	ValueAt  string   `json:"value_as_of,omitempty"`
	Met      bool     `json:"met"`
	Lead     []string `json:"lead"`
}

// FinalDept sums a lead department's targets and tasks.
type FinalDept struct {
	Dept      string  `json:"dept"`
	Targets   int     `json:"targets"`
	Met       int     `json:"met"`
	Tasks     int     `json:"tasks"`
	TasksDone int     `json:"tasks_done"`
	Share     float64 `json:"share"` // met / targets × 100 (0 without targets)
}

// Final is the final assessment of a plan: every target met or not and
// each lead department's account, as of a date (normally after PlanEnd).
type Final struct {
	PlanTitle string        `json:"plan_title"`
	PlanEnd   string        `json:"plan_end"`
	AsOf      string        `json:"as_of"`
	Finished  bool          `json:"finished"` // AsOf is after PlanEnd
	Targets   []FinalTarget `json:"targets"`
	Met       int           `json:"met"`
	Tasks     int           `json:"tasks"`
	TasksDone int           `json:"tasks_done"`
	Depts     []FinalDept   `json:"depts"`
}

// FinalAssessment evaluates the plan as of asOf and accounts for every
// target (met: the approved or computed value satisfies it) and for each
// lead department (a task led by several counts for each).
func (s *Service) FinalAssessment(ctx context.Context, planID int64, asOf time.Time) (*Final, error) {
	st, err := s.Evaluate(ctx, planID, asOf)
	if err != nil {
		return nil, err
	}
	f := &Final{PlanTitle: st.PlanTitle, PlanEnd: st.PlanEnd, AsOf: st.AsOf, Finished: st.Finished, Targets: []FinalTarget{}, Depts: []FinalDept{}}
	depts := map[string]*FinalDept{}
	dept := func(name string) *FinalDept {
		d := depts[name]
		if d == nil {
			d = &FinalDept{Dept: name}
			depts[name] = d
		}
		return d
	}
	for _, t := range st.Tasks {
		done := t.Progress >= 100
		f.Tasks++
		if done {
			f.TasksDone++
		}
		for _, name := range t.Lead {
			d := dept(name)
			d.Tasks++
			if done {
				d.TasksDone++
			}
		}
		for _, g := range t.Targets {
			ft := FinalTarget{Task: t.Number, Ordinal: g.Ordinal, Text: g.Text, Unit: g.Unit, Target: g.Target, Max: g.Max,
				Value: g.Current, HasValue: g.HasValue, ValueAt: g.AsOfValue, Met: g.Done, Lead: t.Lead}
			if ft.Met {
				f.Met++
			}
			for _, name := range t.Lead {
				d := dept(name)
				d.Targets++
				if ft.Met {
					d.Met++
				}
			}
			f.Targets = append(f.Targets, ft)
		}
	}
	for _, d := range depts {
		if d.Targets > 0 {
			d.Share = float64(d.Met) / float64(d.Targets) * 100
		}
		f.Depts = append(f.Depts, *d)
	}
	sort.Slice(f.Depts, func(i, j int) bool {
		a, b := f.Depts[i], f.Depts[j]
		if a.Share != b.Share {
			return a.Share > b.Share
		}
		if a.TasksDone != b.TasksDone {
			return a.TasksDone > b.TasksDone
		}
		return a.Dept < b.Dept
	})
	return f, nil
}

// DemoAsOf picks the date a demo shows when the plan has ended: the day
// after the deadline of the last reporting period whose deadline falls
// inside the plan, so the last full quarter's reports count and the
// schedule is not yet 100 %. It returns "" while the plan is running.
func (s *Service) DemoAsOf(ctx context.Context, planID int64) (string, error) {
	st, err := s.Evaluate(ctx, planID, s.today())
	if err != nil {
		return "", err
	}
	if !st.Finished {
		return "", nil
	}
	periods, err := s.Periods(ctx, planID)
	if err != nil {
		return "", err
	}
	pick := ""
	for _, p := range periods {
		if day := fmtDay(p.DeadlineTime().AddDate(0, 0, 1)); day <= st.PlanEnd && day > pick {
			pick = day
		}
	}
	return pick, nil
}
