package trademark

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricQinghai = "trademarks.qinghai" // 全省商标累计注册量（有效注册商标）
	MetricMadrid  = "trademarks.madrid"  // 马德里国际注册商标
	MetricGI      = "trademarks.gi"      // 地理标志商标
)

// RegisterMetrics registers the counts of valid Qinghai marks, of those
// with a Madrid registration and of the GI marks, as of the day asked.
func RegisterMetrics(r *indicator.Registry) error {
	for _, m := range []struct{ key, series, name, desc string }{
		{MetricQinghai, SeriesQinghai, "全省有效注册商标", "截至统计日注册人位于青海省（行政区划代码 63 开头）的有效注册商标件数：注册日期不晚于统计日、专用权期限未届满、统计日前未注销、撤销或宣告无效。"},
		{MetricMadrid, SeriesMadrid, "马德里国际注册商标", "截至统计日有马德里国际注册号的青海省有效注册商标件数（口径同全省有效注册商标）。"},
		{MetricGI, SeriesGI, "地理标志商标", "截至统计日标注为地理标志的青海省有效集体商标、证明商标件数（口径同全省有效注册商标）。"},
	} {
		err := r.Register(indicator.Metric{
			Key: m.key, Name: m.name, Unit: "件", Domain: "trademarks", Description: m.desc,
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				var n float64
				if err := q.QueryRowContext(ctx, CountQuery, countArgs(m.series, asOf.In(kit.CST).Format(dayLayout))...).Scan(&n); err != nil {
					return 0, fmt.Errorf("trademark: %s: %w", m.key, err)
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
