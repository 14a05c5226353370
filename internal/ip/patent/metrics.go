package patent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Metric keys registered with the indicator engine.
const (
	MetricHighValue       = "patents.high_value"         // 有效高价值发明专利（件）
	MetricHighValuePer10k = "patents.high_value.per_10k" // 每万人口高价值发明专利拥有量
	MetricIPMEnterprises  = "ipm.certified_enterprises"  // 通过 GB/T 29490 认证的企业
)

// highValueWhere selects the Qinghai invention patents in force on $1 in
// at least one high-value category ($2: the filing date before which a
// patent has been maintained over ten years; $3: the pledge threshold in
// fen; $4: a prefecture code or ” for the province).
const highValueWhere = ` FROM patents WHERE region LIKE '63%' AND granted_on <= $1 AND (lapsed_on = '' OR lapsed_on > $1)
 AND (strategic = 1 OR overseas > 0 OR applied_on < $2 OR pledge_fen >= $3 OR award_ok = 1) AND ($4 = '' OR prefecture = $4)`

func highValueArgs(day, prefecture string) []any {
	return []any{day, tenYearsBefore(day), int64(PledgeThresholdFen), prefecture}
}

// CountHighValue counts the valid high-value invention patents of the
// province (prefecture "") or a prefecture on day.
func CountHighValue(ctx context.Context, q indicator.Querier, day, prefecture string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*)`+highValueWhere, highValueArgs(day, prefecture)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("patent: high-value count as of %s: %w", day, err)
	}
	return n, nil
}

// PopulationAt is the resident population of region used for day: the
// latest year-end figure of the day's year or before, else the earliest
// figure on record.
func PopulationAt(ctx context.Context, q indicator.Querier, day, region string) (Population, error) {
	year := 0
	fmt.Sscanf(day, "%d", &year)
	p, err := scanPopulation(q.QueryRowContext(ctx, `SELECT `+populationCols+` FROM population WHERE region = $1
 ORDER BY CASE WHEN year <= $2 THEN 0 ELSE 1 END, CASE WHEN year <= $2 THEN -year ELSE year END LIMIT 1`, region, year))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("没有 %s 的常住人口数据，请先导入人口表（sidi import population）", regionLabel(region))
	}
	if err != nil {
		return p, fmt.Errorf("patent: population of %s: %w", region, err)
	}
	return p, nil
}

func regionLabel(code string) string {
	if n := org.RegionName(code); n != "" {
		return n
	}
	return code
}

// Figure is the per-10,000 figure of a region with both of its numbers.
type Figure struct {
	Region     string  `json:"region"`
	Name       string  `json:"name"`
	Count      int64   `json:"count"`       // valid high-value invention patents
	Persons    int64   `json:"persons"`     // resident population
	Wan        string  `json:"persons_10k"` // the same in 万人 ("594", "28.2")
	Year       int     `json:"year"`        // of the population figure
	Source     string  `json:"source"`      // of the population figure
	PerTenK    float64 `json:"per_10k"`     // Count / (Persons / 10,000)
	Population bool    `json:"population"`  // false: no population figure on record
}

// FigureAt computes the figure of the province ("630000") or a prefecture.
func FigureAt(ctx context.Context, q indicator.Querier, day, region string) (Figure, error) {
	pref := region
	if region == "630000" {
		pref = ""
	}
	n, err := CountHighValue(ctx, q, day, pref)
	if err != nil {
		return Figure{}, err
	}
	return withPopulation(ctx, q, day, region, n)
}

// withPopulation completes the figure of region with count n.
func withPopulation(ctx context.Context, q indicator.Querier, day, region string, n int64) (Figure, error) {
	f := Figure{Region: region, Name: regionLabel(region), Count: n}
	p, err := PopulationAt(ctx, q, day, region)
	if errors.Is(err, apperr.ErrNotFound) {
		return f, nil
	}
	if err != nil {
		return f, err
	}
	f.Persons, f.Wan, f.Year, f.Source, f.Population = p.Persons, wan(p.Persons, 10000), p.Year, p.Source, true
	f.PerTenK = math.Round(float64(n)/(float64(p.Persons)/10000)*10000) / 10000
	return f, nil
}

// Figures are the province's figure and each prefecture's on day (one
// pass over the patents, grouped by prefecture).
func (s *Service) Figures(ctx context.Context, day string) ([]Figure, error) {
	q := s.db.Reader()
	counts := map[string]int64{}
	var total int64
	err := store.EachRow(ctx, q, `SELECT prefecture, COUNT(*)`+highValueWhere+` GROUP BY prefecture`, highValueArgs(day, ""), func(r *sql.Rows) error {
		var pref string
		var n int64
		err := r.Scan(&pref, &n)
		counts[pref], total = n, total+n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("patent: figures as of %s: %w", day, err)
	}
	f, err := withPopulation(ctx, q, day, "630000", total)
	if err != nil {
		return nil, err
	}
	out := []Figure{f}
	for _, d := range org.Prefectures() {
		f, err := withPopulation(ctx, q, day, d.Code, counts[d.Code])
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// CountCertified counts the Qinghai enterprises (by credit code) holding
// a GB/T 29490 certificate valid on day.
func CountCertified(ctx context.Context, q indicator.Querier, day string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT credit_code) FROM ipm_certs WHERE region LIKE '63%' AND valid_from <= $1 AND valid_to >= $1`, day).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("patent: certified enterprises as of %s: %w", day, err)
	}
	return n, nil
}

// RegisterMetrics registers the three metrics of task 12.
func RegisterMetrics(r *indicator.Registry) error {
	for _, m := range []indicator.Metric{
		{Key: MetricHighValue, Name: "有效高价值发明专利", Unit: "件", Domain: "patents",
			Description: "统计日有效（已授权、未失效）且属于五种高价值情形之一的青海省发明专利件数：战略性新兴产业、有海外同族、维持超过10年（由申请日计算）、质押融资额不低于1000万元、获中国专利奖或国家科学技术奖。",
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				n, err := CountHighValue(ctx, q, kit.DayOf(asOf), "")
				return float64(n), err
			}},
		{Key: MetricHighValuePer10k, Name: "每万人口高价值发明专利拥有量", Unit: "件", Domain: "patents",
			Description: "有效高价值发明专利件数 ÷ 年末常住人口（万人）。人口取统计日所在年度或之前最近一年的全省年末常住人口（人口表，含数据来源）。",
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				day := kit.DayOf(asOf)
				f, err := FigureAt(ctx, q, day, "630000")
				if err == nil && !f.Population {
					err = fmt.Errorf("%w: 没有全省常住人口数据，无法计算每万人口高价值发明专利拥有量", indicator.ErrNoValue)
				}
				return f.PerTenK, err
			}},
		{Key: MetricIPMEnterprises, Name: "通过《企业知识产权管理规范》国家标准认证的企业", Unit: "家", Domain: "patents",
			Description: "统计日持有有效 GB/T 29490 认证证书（有效期起不晚于、有效期至不早于统计日）的青海省企业数，按统一社会信用代码去重。",
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				n, err := CountCertified(ctx, q, kit.DayOf(asOf))
				return float64(n), err
			}},
	} {
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}

// CertifiedAt counts the certified enterprises on day (see CountCertified).
func (s *Service) CertifiedAt(ctx context.Context, day string) (int64, error) {
	return CountCertified(ctx, s.db.Reader(), day)
}
