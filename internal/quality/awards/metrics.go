package awards

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricAwardsSidi    = "quality.awards.sidi"    // task 20: 6—8 organisations serving “四地” awarded
	MetricAwards        = "quality.awards"         // every organisation awarded
	MetricZonesAccepted = "quality.zones.accepted" // task 20: 1—2 demonstration zones
	MetricZonesBuilding = "quality.zones.building"
)

// org is how an organisation is counted once: its credit code, or its name
// when it has none.
const orgKey = `CASE WHEN credit_code <> '' THEN credit_code ELSE org_name END`

// Count queries, as of a day ($2) and since the plan's start ($1); the
// zones being built as of a day ($1) whenever they were approved.
const (
	awardsQuery = `SELECT COUNT(DISTINCT ` + orgKey + `) FROM quality_award_applications
		WHERE result = 'awarded' AND awarded_on <> '' AND awarded_on >= $1 AND awarded_on <= $2`
	acceptedQuery = `SELECT COUNT(*) FROM quality_zones WHERE status = 'accepted' AND decided_on >= $1 AND decided_on <= $2`
	buildingQuery = `SELECT COUNT(*) FROM quality_zones WHERE approved_on <= $1 AND (status = 'building' OR decided_on > $1)`
)

// RegisterMetrics registers the award and zone counts as of any day.
func RegisterMetrics(r *indicator.Registry) error {
	for _, m := range []struct{ key, name, unit, query, desc string }{
		{MetricAwardsSidi, "获青海省质量奖的“四地”组织", "个", awardsQuery + ` AND serves_sidi = 1`,
			"方案实施以来（授奖日期不早于方案开始日、不晚于统计日）获得青海省质量奖且从事或服务“四地”建设的组织数，同一组织（按统一社会信用代码，无代码的按名称）多次获奖只计一次；提名奖不计。"},
		{MetricAwards, "获青海省质量奖的组织", "个", awardsQuery,
			"方案实施以来获得青海省质量奖的组织数（口径同上，不限是否服务“四地”建设）。"},
		{MetricZonesAccepted, "验收通过的全省质量提升示范区", "个", acceptedQuery,
			"方案实施以来至统计日验收通过的全省质量提升示范区个数（验收日期在方案开始日与统计日之间，其后撤销的不计）。"},
		{MetricZonesBuilding, "创建中的全省质量提升示范区", "个", buildingQuery,
			"统计日已批准创建、尚未验收的质量提升示范区个数。"},
	} {
		err := r.Register(indicator.Metric{
			Key: m.key, Name: m.name, Unit: m.unit, Domain: "quality", Description: m.desc,
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				var n float64
				from := ""
				if !since.IsZero() {
					from = kit.DayOf(since)
				}
				args := []any{from, kit.DayOf(asOf)}
				if m.query == buildingQuery {
					args = args[1:]
				}
				if err := q.QueryRowContext(ctx, m.query, args...).Scan(&n); err != nil {
					return 0, fmt.Errorf("awards: %s: %w", m.key, err)
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
