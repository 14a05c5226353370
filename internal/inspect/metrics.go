package inspect

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys (task 19, 双随机、一公开; the plan sets no numeric target, so
// they are live figures beside the task's narrative).
const (
	MetricDraws    = "inspect.draws"           // 双随机抽查次数
	MetricEntities = "inspect.entities"        // 被抽中检查的市场主体（户次）
	MetricOnTime   = "inspect.results_on_time" // 按时公示的检查结果
)

// RegisterMetrics registers the draws held and the entities drawn for
// inspection, both counted from the draws as of the day asked (a draw
// counts from the day it was drawn; refused and uncompleted draws and
// avoidance redraws do not).
func RegisterMetrics(r *indicator.Registry) error {
	for _, m := range []struct{ key, name, unit, desc, query string }{
		{MetricDraws, "双随机抽查次数", "次", "截至统计日完成的“双随机”抽取次数（自计划起始日起；不含回避重抽、被拒绝或未完成的抽取）。",
			`SELECT COUNT(*) FROM inspect_draws WHERE kind = 'draw' AND status = 'drawn' AND drawn_at >= $1 AND drawn_at < $2`},
		{MetricEntities, "抽中检查的市场主体", "户次", "截至统计日各次“双随机”抽取抽中的检查对象户次（自计划起始日起；同一主体被不同任务抽中分别计数）。",
			`SELECT COUNT(*) FROM inspect_assignments a JOIN inspect_draws d ON d.id = a.draw_id WHERE d.kind = 'draw' AND d.status = 'drawn' AND d.drawn_at >= $1 AND d.drawn_at < $2`},
		{MetricOnTime, "按时公示的抽查结果", "户", "截至统计日已公示、且在结果形成后 20 个工作日内（按节假日和调休上班日历）公示的检查结果户数（自计划起始日起）。",
			`SELECT COUNT(*) FROM inspect_results WHERE published_on <> '' AND published_on <= due_on AND published_on >= $1 AND published_on < $2`},
	} {
		err := r.Register(indicator.Metric{
			Key: m.key, Name: m.name, Unit: m.unit, Domain: "inspect", Description: m.desc,
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				end := asOf.In(kit.CST).AddDate(0, 0, 1).Format(time.DateOnly) // stamps are UTC: the day's end in China time
				endUTC, _ := time.ParseInLocation(time.DateOnly, end, kit.CST)
				from := time.Time{}
				if !since.IsZero() {
					from = since
				}
				args := []any{from.UTC().Format(time.RFC3339), endUTC.UTC().Format(time.RFC3339)}
				if m.key == MetricOnTime { // days in China time, not stamps
					args = []any{kit.DayOf(from), end}
				}
				if err := q.QueryRowContext(ctx, m.query, args...).Scan(&n); err != nil {
					return 0, fmt.Errorf("inspect: %s: %w", m.key, err)
				}
				return n, nil
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}
