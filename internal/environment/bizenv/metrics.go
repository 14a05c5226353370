package bizenv

import (
	"context"
	"fmt"
	"math"
	"time"

	"sidi/internal/indicator"
	"sidi/internal/kit"
)

// Metric keys: the live figures of tasks 15–18 (no numeric target in the
// plan: they are shown beside the narrative, progress.DemoTaskFigures).
const (
	MetricReviews    = "fair.reviews.done"     // 完成公平竞争审查的政策措施
	MetricSpotChecks = "fair.spotchecks"       // 公平竞争审查抽查
	MetricComplaints = "fair.complaints"       // 公平竞争审查举报
	MetricFeesListed = "fees.listed"           // 目录清单内的涉企收费项目
	MetricFeeCases   = "fees.cases"            // 涉企收费投诉举报与违规案件
	MetricStarts     = "bizstart.count"        // 办结的企业开办
	MetricWithin     = "bizstart.within_limit" // 承诺时限内办结的比例
	MetricCampaigns  = "ads.campaigns"         // 公益广告活动
)

// MetricKeys are the figures in order.
var MetricKeys = []string{MetricReviews, MetricSpotChecks, MetricComplaints, MetricFeesListed, MetricFeeCases, MetricStarts, MetricWithin, MetricCampaigns}

// RegisterMetrics registers the figures, each counted from the records as
// of the day asked (China time).
func RegisterMetrics(r *indicator.Registry) error {
	count := func(q string) func(ctx context.Context, db indicator.Querier, since, asOf time.Time) (float64, error) {
		return func(ctx context.Context, db indicator.Querier, since, asOf time.Time) (float64, error) {
			var n float64
			if err := db.QueryRowContext(ctx, q, kit.DayOf(asOf)).Scan(&n); err != nil {
				return 0, fmt.Errorf("bizenv: metric: %w", err)
			}
			return n, nil
		}
	}
	for _, m := range []indicator.Metric{
		{Key: MetricReviews, Name: "完成公平竞争审查的政策措施", Unit: "件", Domain: "fair",
			Description: "截至统计日已作出公平竞争审查结论（含通过、适用例外和不得出台）的政策措施件数；审查结论被撤回重审的不计。",
			Compute:     count(`SELECT COUNT(*) FROM fair_measures WHERE concluded_on <> '' AND concluded_on <= $1`)},
		{Key: MetricSpotChecks, Name: "公平竞争审查抽查", Unit: "次", Domain: "fair",
			Description: "截至统计日登记的公平竞争审查抽查次数（按受理日期）。",
			Compute:     count(`SELECT COUNT(*) FROM fair_oversight WHERE kind = 'spotcheck' AND received_on <= $1`)},
		{Key: MetricComplaints, Name: "公平竞争审查举报", Unit: "件", Domain: "fair",
			Description: "截至统计日受理的妨碍公平竞争政策措施举报件数（按受理日期）。",
			Compute:     count(`SELECT COUNT(*) FROM fair_oversight WHERE kind = 'complaint' AND received_on <= $1`)},
		{Key: MetricFeesListed, Name: "目录清单内的涉企收费项目", Unit: "项", Domain: "fees",
			Description: "统计日有效的四张涉企收费目录清单（行政事业性收费、政府性基金、涉企保证金、经营服务性收费）内的项目数：列入日期不晚于统计日且未取消。",
			Compute:     count(`SELECT COUNT(*) FROM fee_items WHERE listed_on <= $1 AND (delisted_on = '' OR delisted_on > $1)`)},
		{Key: MetricFeeCases, Name: "涉企收费投诉举报与违规案件", Unit: "件", Domain: "fees",
			Description: "截至统计日受理的涉企收费投诉举报和查处的违规收费案件件数（按受理日期）。",
			Compute:     count(`SELECT COUNT(*) FROM fee_cases WHERE received_on <= $1`)},
		{Key: MetricStarts, Name: "办结的企业开办", Unit: "户", Domain: "bizstart",
			Description: "截至统计日办结的企业开办业务件数（按办结时间，导入的办理记录）。",
			Compute:     count(`SELECT COUNT(*) FROM biz_starts WHERE SUBSTR(approved_at, 1, 10) <= $1`)},
		{Key: MetricWithin, Name: "企业开办承诺时限内办结率", Unit: "%", Domain: "bizstart",
			Description: "自方案起始日至统计日办结的企业开办中，提交至办结用时不超过全流程承诺时限的比例；没有办结记录时无数值。",
			Compute:     withinShare},
		{Key: MetricCampaigns, Name: "公益广告活动", Unit: "项", Domain: "ads",
			Description: "截至统计日已开始的公益广告活动项数（按开始日期）。",
			Compute:     count(`SELECT COUNT(*) FROM ad_campaigns WHERE start_on <= $1`)},
	} {
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}

func withinShare(ctx context.Context, db indicator.Querier, since, asOf time.Time) (float64, error) {
	var total, within float64
	err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN b.hours <= COALESCE(l.limit_hours, 1e9) THEN 1 ELSE 0 END), 0)
		FROM biz_starts b LEFT JOIN biz_start_limits l ON l.stage = 'total' WHERE SUBSTR(b.approved_at, 1, 10) >= $1 AND SUBSTR(b.approved_at, 1, 10) <= $2`,
		kit.DayOf(since), kit.DayOf(asOf)).Scan(&total, &within)
	if err != nil {
		return 0, fmt.Errorf("bizenv: metric %s: %w", MetricWithin, err)
	}
	if total == 0 {
		return 0, indicator.ErrNoValue
	}
	return math.Round(1000*within/total) / 10, nil
}
