package pilots

import (
	"context"
	"fmt"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys registered with the indicator engine.
const (
	MetricPilots         = "standards.pilots"
	MetricPilotsAccepted = "standards.pilots.accepted"
	MetricSciOutputs     = "standards.sci.outputs"
	MetricSciRewards     = "standards.sci.rewards"
)

// RegisterMetrics registers the pilots' and S&T projects' live measures.
func RegisterMetrics(r *indicator.Registry) error {
	count := func(key, query string) func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
		return func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
			var n float64
			if err := q.QueryRowContext(ctx, query, kit.DayOf(since), kit.DayOf(asOf)).Scan(&n); err != nil {
				return 0, fmt.Errorf("pilots: %s: %w", key, err)
			}
			return n, nil
		}
	}
	ms := []indicator.Metric{
		{
			Key: MetricPilots, Name: "标准化试点（批准立项）", Unit: "个", Domain: "pilots",
			Description: "自方案实施之日起至统计日批准立项的国家级和省级标准化试点个数（盐湖资源综合利用、清洁能源开发应用、生态旅游优质服务、有机农畜产品生产等领域），不含统计日前已撤销的。",
			Compute: count(MetricPilots, `SELECT COUNT(*) FROM pilots WHERE approved_on <> '' AND approved_on >= $1 AND approved_on <= $2
				AND (revoked_on = '' OR revoked_on > $2)`),
		},
		{
			Key: MetricPilotsAccepted, Name: "标准化试点（验收通过）", Unit: "个", Domain: "pilots",
			Description: "自方案实施之日起至统计日批准立项、且至统计日已验收通过的标准化试点个数。",
			Compute: count(MetricPilotsAccepted, `SELECT COUNT(*) FROM pilots WHERE approved_on <> '' AND approved_on >= $1 AND approved_on <= $2
				AND accepted_on <> '' AND accepted_on <= $2 AND (revoked_on = '' OR revoked_on > $2)`),
		},
		{
			Key: MetricSciOutputs, Name: "科技计划项目产出标准", Unit: "项", Domain: "pilots",
			Description: "作为科技计划项目产出登记、且自方案实施之日起至统计日已发布的标准项数（国家、行业、地方、团体标准以标准库的发布日期为准；国际标准以登记的发布日期为准；同一标准计一项）。",
			Compute: count(MetricSciOutputs, `SELECT
				(SELECT COUNT(DISTINCT s.id)`+outputJoin+` WHERE s.id IS NOT NULL AND s.status <> 'project' AND s.issued <> '' AND s.issued >= $1 AND s.issued <= $2)
				+ (SELECT COUNT(DISTINCT CASE WHEN l.code_key <> '' THEN l.code_key ELSE l.title END) FROM sci_project_standards l
					WHERE l.family = 'international' AND l.standard_id IS NULL AND l.intl_issued <> '' AND l.intl_issued >= $1 AND l.intl_issued <= $2)`),
		},
		{
			Key: MetricSciRewards, Name: "主导制修订标准奖励", Unit: "项", Domain: "pilots",
			Description: "自方案实施之日起至统计日，对主导制定或修订国际、国家、行业、地方标准的企业给予奖励的记录数，不含至统计日已撤销的（统计日之后撤销的仍计入该日的数值）。",
			// As of a date, like the pilots' revocations: a reward withdrawn
			// after asOf still counts at asOf, so past figures do not move.
			Compute: count(MetricSciRewards, `SELECT COUNT(*) FROM standard_rewards WHERE awarded_on >= $1 AND awarded_on <= $2
				AND (status = 'active' OR withdrawn_on > $2)`),
		},
	}
	for _, m := range ms {
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}
