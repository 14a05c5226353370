package training

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricSessions          = "training.sessions"
	MetricPersonTimes       = "training.person_times"
	MetricSidiSessions      = "training.sidi_sessions"
	MetricLeaderPersonTimes = "training.leader_person_times"
)

// RegisterMetrics registers the training measures. All count sessions that
// began between the plan's start and the statistics day.
func RegisterMetrics(r *indicator.Registry) error {
	count := func(key, expr, where string) func(context.Context, indicator.Querier, time.Time, time.Time) (float64, error) {
		return func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
			var n float64
			err := q.QueryRowContext(ctx, `SELECT COALESCE(`+expr+`, 0) FROM training_sessions WHERE starts_on >= $1 AND starts_on <= $2`+where, kit.DayOf(since), kit.DayOf(asOf)).Scan(&n)
			if err != nil {
				return 0, fmt.Errorf("training: %s: %w", key, err)
			}
			return n, nil
		}
	}
	ms := []indicator.Metric{
		{Key: MetricSessions, Name: "标准化培训期数", Unit: "期", Domain: "training",
			Description: "自方案实施之日起至统计日举办（按开班日期）的标准化培训期数。",
			Compute:     count(MetricSessions, "COUNT(*)", "")},
		{Key: MetricPersonTimes, Name: "标准化培训人次", Unit: "人次", Domain: "training",
			Description: "自方案实施之日起至统计日举办的标准化培训的培训人数之和（同一人参加多期计多人次）。",
			Compute:     count(MetricPersonTimes, "SUM(trainees)", "")},
		{Key: MetricSidiSessions, Name: "“四地”建设标准化专题培训期数", Unit: "期", Domain: "training",
			Description: "自方案实施之日起至统计日举办、登记为“四地”建设标准化专题的培训期数。",
			Compute:     count(MetricSidiSessions, "COUNT(*)", " AND sidi = 1")},
		{Key: MetricLeaderPersonTimes, Name: "领导干部和标准化管理人员培训人次", Unit: "人次", Domain: "training",
			Description: "自方案实施之日起至统计日，培训对象为行业主管部门领导干部或标准化管理人员的培训人数之和（任务 6 的重点）。",
			Compute:     count(MetricLeaderPersonTimes, "SUM(trainees)", " AND category IN ('leaders', 'managers')")},
	}
	for _, m := range ms {
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}
