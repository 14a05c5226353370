package progress

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"
)

// DeptScore is one department's assessment for a period.
type DeptScore struct {
	DeptID      int64   `json:"dept_id"`
	Dept        string  `json:"dept"`
	Expected    int     `json:"expected"` // reports owed for the period
	OnTime      int     `json:"on_time"`  // submitted by the deadline
	Late        int     `json:"late"`     // submitted after it
	Missing     int     `json:"missing"`  // not submitted at all
	Returned    int     `json:"returned"` // reports sent back at least once
	LeadTasks   int     `json:"lead_tasks"`
	Achievement float64 `json:"achievement"` // led tasks: progress against schedule, 0–1
	Score       float64 `json:"score"`
	Rank        int     `json:"rank"`
}

// Assess scores every responsible department for a period: timeliness of
// its reports, achievement of the tasks it leads against schedule (as of
// the period's end), and reports approved without being returned. The
// weights come from the plan's settings.
func (s *Service) Assess(ctx context.Context, planID int64, period Period) ([]DeptScore, error) {
	st, err := s.Settings(ctx, planID)
	if err != nil {
		return nil, err
	}
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return nil, err
	}
	state, err := s.Evaluate(ctx, planID, period.EndTime())
	if err != nil {
		return nil, err
	}
	progress := map[int]TaskState{}
	for _, t := range state.Tasks {
		progress[t.Number] = t
	}
	type sub struct {
		status    string
		submitted *time.Time
		returned  int
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT task_number, dept_id, status, submitted_at, times_returned FROM reports WHERE period_id = $1`, period.ID)
	if err != nil {
		return nil, fmt.Errorf("progress: assess: %w", err)
	}
	reports := map[[2]int64]sub{}
	for rows.Next() {
		var task, dept int64
		var r sub
		var at *time.Time
		if err := rows.Scan(&task, &dept, &r.status, &at, &r.returned); err != nil {
			rows.Close()
			return nil, fmt.Errorf("progress: assess: %w", err)
		}
		r.submitted = at
		reports[[2]int64{task, dept}] = r
	}
	rows.Close()
	deadlineEnd := period.DeadlineTime().Add(24*time.Hour - time.Second).Add(-8 * time.Hour) // end of the deadline day in China, as UTC
	scores := map[int64]*DeptScore{}
	achieve := map[int64][]float64{}
	for _, t := range pv.Tasks() {
		for _, d := range Expected(t) {
			ds := scores[d.ID]
			if ds == nil {
				ds = &DeptScore{DeptID: d.ID, Dept: d.Name}
				scores[d.ID] = ds
			}
			ds.Expected++
			r, ok := reports[[2]int64{int64(t.Number), d.ID}]
			switch {
			case !ok || r.submitted == nil || r.status == ReportDraft:
				ds.Missing++
			case r.submitted.After(deadlineEnd):
				ds.Late++
			default:
				ds.OnTime++
			}
			if ok && r.returned > 0 {
				ds.Returned++
			}
		}
		for _, d := range t.LeadDepts {
			ts := progress[t.Number]
			ratio := 1.0
			if ts.Schedule > 0 {
				ratio = math.Min(ts.Progress/ts.Schedule, 1)
			}
			achieve[d.ID] = append(achieve[d.ID], ratio)
			if ds := scores[d.ID]; ds != nil {
				ds.LeadTasks++
			}
		}
	}
	total := st.Scoring.Timeliness + st.Scoring.Achievement + st.Scoring.Quality
	if total <= 0 {
		total = 1
	}
	var out []DeptScore
	for id, ds := range scores {
		timeliness := (float64(ds.OnTime) + 0.5*float64(ds.Late)) / float64(ds.Expected)
		ach := 1.0 // departments that lead nothing are judged on their reports alone
		if a := achieve[id]; len(a) > 0 {
			sum := 0.0
			for _, v := range a {
				sum += v
			}
			ach = sum / float64(len(a))
		}
		ds.Achievement = ach
		quality := 1 - float64(ds.Returned)/float64(ds.Expected)
		ds.Score = math.Round((st.Scoring.Timeliness*timeliness+st.Scoring.Achievement*ach+st.Scoring.Quality*quality)/total*1000) / 10
		out = append(out, *ds)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Dept < out[j].Dept
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Score == out[i-1].Score {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out, nil
}
