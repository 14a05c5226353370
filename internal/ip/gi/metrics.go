package gi

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricProducts = "gi.products" // 地理标志保护产品
	MetricCerts    = "agri.certs"  // 绿色食品、有机农产品和地理标志农产品
)

// CountProducts is the number of Qinghai GI products in force on day.
func CountProducts(ctx context.Context, q indicator.Querier, day string) (float64, error) {
	var n float64
	if err := q.QueryRowContext(ctx, ValidProductsQuery, day).Scan(&n); err != nil {
		return 0, fmt.Errorf("gi: products as of %s: %w", day, err)
	}
	return n, nil
}

// CountCerts is the number of Qinghai certificates of kind ("" for all)
// valid on day.
func CountCerts(ctx context.Context, q indicator.Querier, kind, day string) (float64, error) {
	var n float64
	if err := q.QueryRowContext(ctx, ValidCertsQuery, day, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("gi: certificates as of %s: %w", day, err)
	}
	return n, nil
}

// RegisterMetrics registers the GI products in force and the
// certificates valid at the date, all kinds together and each kind.
func RegisterMetrics(r *indicator.Registry) error {
	err := r.Register(indicator.Metric{Key: MetricProducts, Name: "地理标志保护产品", Unit: "个", Domain: "gi",
		Description: "截至统计日批准保护且未撤销的青海省地理标志保护产品数（批准日期不晚于统计日）。",
		Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			return CountProducts(ctx, q, kit.DayOf(asOf))
		}})
	if err != nil {
		return err
	}
	err = r.Register(indicator.Metric{Key: MetricCerts, Name: "有效的绿色食品、有机农产品和地理标志农产品", Unit: "个", Domain: "gi",
		Description: "统计日在有效期内的青海省绿色食品、有机产品证书和农产品地理标志登记数（有效期起不晚于、有效期至不早于统计日；过期的不计）。",
		Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			return CountCerts(ctx, q, "", kit.DayOf(asOf))
		}})
	if err != nil {
		return err
	}
	for _, k := range CertKinds {
		err := r.Register(indicator.Metric{Key: MetricCerts + "." + k, Name: "有效的" + CertLabels[k], Unit: "个", Domain: "gi",
			Description: "统计日在有效期内的青海省" + CertLabels[k] + "证书（登记）数。",
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				return CountCerts(ctx, q, k, kit.DayOf(asOf))
			}})
		if err != nil {
			return err
		}
	}
	return registerBrandMetrics(r)
}
