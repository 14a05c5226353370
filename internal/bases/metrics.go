package bases

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine, one per kind.
var MetricKeys = map[string]string{
	KindYak:    "bases.yak",
	KindSheep:  "bases.sheep",
	KindRanch:  "bases.ranch",
	KindCounty: "bases.county",
}

// RecognisedQuery counts the bases of a kind recognised on or before a day
// and not revoked by then (a later revocation does not rewrite history).
const RecognisedQuery = `SELECT COUNT(*) FROM bases WHERE kind = $1 AND recognised_on <> '' AND recognised_on <= $2
	AND (revoked_on = '' OR revoked_on > $2)`

// RegisterMetrics registers the number of recognised bases of each kind.
func RegisterMetrics(r *indicator.Registry) error {
	for _, kind := range Kinds {
		key := MetricKeys[kind]
		unit := "个"
		if kind == KindCounty {
			unit = "县"
		}
		err := r.Register(indicator.Metric{
			Key: key, Name: "已认定的" + KindLabels[kind], Unit: unit, Domain: "bases",
			Description: "截至统计日已认定且未撤销的" + KindLabels[kind] + "数量（认定日期不晚于统计日，撤销日期晚于统计日的仍计入；不限于方案实施之后认定的）。",
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				if err := q.QueryRowContext(ctx, RecognisedQuery, kind, kit.DayOf(asOf)).Scan(&n); err != nil {
					return 0, fmt.Errorf("bases: %s: %w", key, err)
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
