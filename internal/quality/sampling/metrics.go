package sampling

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricBatches = "sampling.batches"      // 累计完成的产品质量监测（抽查）批次
	MetricRate    = "sampling.failure_rate" // 抽查不合格发现率（%）
)

// RegisterMetrics registers the completed batches and the failure rate,
// both counted from the records as of the day asked.
func RegisterMetrics(r *indicator.Registry) error {
	err := r.Register(indicator.Metric{
		Key: MetricBatches, Name: "累计完成产品质量监测批次", Unit: "批次", Domain: "sampling",
		Description: "截至统计日已完成的产品质量监督抽查批次：检验批次以结果通知日期计，涉嫌无证无照（移送）和拒检批次以抽样日期计，未抽到样的不计。",
		Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			var n float64
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sampling_batches WHERE done_on <> '' AND done_on <= $1`, kit.DayOf(asOf)).Scan(&n); err != nil {
				return 0, fmt.Errorf("sampling: %s: %w", MetricBatches, err)
			}
			return n, nil
		},
	})
	if err != nil {
		return err
	}
	return r.Register(indicator.Metric{
		Key: MetricRate, Name: "产品质量抽查不合格发现率", Unit: "%", Domain: "sampling",
		Description: "截至统计日已出结果的检验批次中不合格（含复检中、复检维持）批次所占百分比；涉嫌无证无照、拒检、未抽到样的批次未检验，不计入分子和分母。",
		Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			t, err := tally(ctx, q, `b.done_on <> '' AND b.done_on <= $1`, []any{kit.DayOf(asOf)})
			if err != nil {
				return 0, fmt.Errorf("sampling: %s: %w", MetricRate, err)
			}
			sum := Summarize(t)
			if sum.Tested == 0 {
				return 0, fmt.Errorf("sampling: %s: %w: 尚无检验批次", MetricRate, indicator.ErrNoValue)
			}
			return sum.Rate, nil
		},
	})
}
