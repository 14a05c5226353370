package standards

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricLocalPublished = "standards.local.published"
	MetricDrugVarieties  = "standards.drug.varieties"
	MetricDeclarations   = "standards.declarations"
)

// RegisterMetrics registers the standards platform's live measures.
func RegisterMetrics(r *indicator.Registry) error {
	ms := []indicator.Metric{
		{
			Key: MetricLocalPublished, Name: "批准发布地方标准", Unit: "项", Domain: "standards",
			Description: "自方案实施之日起至统计日，登记发布日期在此期间的青海省地方标准（标准号 DB63 开头，含市州 DB63xx）项数；含其后被代替或废止的。",
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM standards WHERE family = 'local' AND substr(region, 1, 2) = '63'
					AND status <> 'project' AND issued <> '' AND issued >= $1 AND issued <= $2`, kit.DayOf(since), kit.DayOf(asOf)).Scan(&n)
				if err != nil {
					return 0, fmt.Errorf("standards: %s: %w", MetricLocalPublished, err)
				}
				return n, nil
			},
		},
		{
			Key: MetricDrugVarieties, Name: "地方药品质量标准制修订品种", Unit: "个", Domain: "standards",
			Description: "自方案实施之日起至统计日发布的藏药材和医疗机构制剂质量标准，按品种计数（同一品种多次制修订计一个）。",
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT drug_category || '/' || variety) FROM standards WHERE kind = 'drug'
					AND status <> 'project' AND issued <> '' AND issued >= $1 AND issued <= $2`, kit.DayOf(since), kit.DayOf(asOf)).Scan(&n)
				if err != nil {
					return 0, fmt.Errorf("standards: %s: %w", MetricDrugVarieties, err)
				}
				return n, nil
			},
		},
		{
			Key: MetricDeclarations, Name: "企业标准自我声明", Unit: "项", Domain: "standards",
			Description: "截至统计日有效的企业标准自我声明项数（累计声明数减去已撤销的；每个企业声明执行的每项标准计一项，不限于方案实施之后）。",
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				d := kit.DayOf(asOf)
				err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM declarations WHERE declared_on <= $1 AND (status = 'current' OR withdrawn_on > $1)`, d).Scan(&n)
				if err != nil {
					return 0, fmt.Errorf("standards: %s: %w", MetricDeclarations, err)
				}
				return n, nil
			},
		},
	}
	for _, m := range ms {
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}
