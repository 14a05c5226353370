package nqi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Metric keys registered with the indicator engine.
const (
	MetricOrganicHolders   = "certs.organic.holders"
	MetricOrganicGrowth    = "certs.organic.growth"
	MetricVoluntaryHolders = "certs.voluntary.holders"
	MetricVoluntaryGrowth  = "certs.voluntary.growth"
	MetricGreenBuilding    = "certs.green_building"
	MetricStandards        = "metrology.standards"
	MetricOverdue          = "metrology.instruments.overdue"
)

// Baseline measures.
const (
	MeasureOrganic   = "organic"   // 有机产品认证获证企业
	MeasureVoluntary = "voluntary" // 自愿性认证获证组织
)

// MeasureLabels name the measures.
var MeasureLabels = map[string]string{MeasureOrganic: "有机产品认证获证企业", MeasureVoluntary: "自愿性认证获证组织"}

// DefaultBaseYear is the base year until one is recorded: the year before
// the plan (2021) was issued.
const DefaultBaseYear = 2020

// Baseline is the reference of a growth target: the count at the end of
// the base year, recorded from a source (Value nil: counted from the
// register at that date).
type Baseline struct {
	Measure   string `json:"measure"`
	Label     string `json:"label"`
	Year      int    `json:"year"`
	Value     *int64 `json:"value"`
	Source    string `json:"source"`
	Note      string `json:"note"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// Day is the base date: 31 December of the base year.
func (b Baseline) Day() string { return fmt.Sprintf("%04d-12-31", b.Year) }

// LoadBaseline reads the baseline of measure (the default when none is
// recorded).
func LoadBaseline(ctx context.Context, q store.Querier, measure string) (Baseline, error) {
	b := Baseline{Measure: measure, Label: MeasureLabels[measure], Year: DefaultBaseYear}
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT base_year, base_value, source, note, updated_at FROM cert_baselines WHERE measure = $1`, measure).
		Scan(&b.Year, &v, &b.Source, &b.Note, &b.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("nqi: baseline %s: %w", measure, err)
	}
	if v.Valid {
		b.Value = &v.Int64
	}
	return b, nil
}

// Baselines are both baselines.
func (s *Service) Baselines(ctx context.Context) ([]Baseline, error) {
	var out []Baseline
	for _, m := range []string{MeasureOrganic, MeasureVoluntary} {
		b, err := LoadBaseline(ctx, s.db.Reader(), m)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// BaselineInput is a baseline as typed in the form.
type BaselineInput struct {
	Measure string `json:"measure"`
	Year    string `json:"year"`
	Value   string `json:"value"` // "" to count from the register
	Source  string `json:"source"`
	Note    string `json:"note"`
}

// SetBaseline records a baseline with its source, audited (before and
// after) in the same transaction.
func (s *Service) SetBaseline(ctx context.Context, p auth.Principal, in BaselineInput) (Baseline, error) {
	if err := p.Require(Editors...); err != nil {
		return Baseline{}, err
	}
	var errs kit.Errors
	b := Baseline{Measure: in.Measure, Label: MeasureLabels[in.Measure]}
	if b.Label == "" {
		errs.Add("measure", "基准所属指标无效")
	}
	this, _ := strconv.Atoi(s.today()[:4])
	y, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || y < 2000 || y >= this {
		errs.Add("year", "基准年须为 2000 年至 %d 年之间的年份", this-1)
	}
	b.Year = y
	if v := strings.TrimSpace(strings.ReplaceAll(in.Value, ",", "")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 100_000_000 {
			errs.Add("value", "基准值须为不小于 0 的整数（家），或留空表示按登记数据计算")
		} else {
			b.Value = &n
		}
	}
	b.Source = strings.TrimSpace(in.Source)
	b.Note = strings.TrimSpace(in.Note)
	switch {
	case b.Source == "":
		errs.Add("source", "请填写基准数据来源（文件、统计公报或查询系统及日期）")
	case utf8.RuneCountInString(b.Source) > 500 || utf8.RuneCountInString(b.Note) > 500:
		errs.Add("source", "来源和说明各不能超过 500 个字")
	case strings.ContainsFunc(b.Source+b.Note, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }):
		errs.Add("source", "来源或说明含有无法识别的字符")
	}
	if len(errs) > 0 {
		return Baseline{}, errs
	}
	b.UpdatedAt = s.stamp()
	out, err := baselines(s.db).Save(ctx, kit.Put[string, Baseline]{By: p.Actor(), Key: b.Measure, Action: "update",
		Exec: func(tx *sql.Tx, _ Baseline, _ bool) (Baseline, error) {
			var v any
			if b.Value != nil {
				v = *b.Value
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO cert_baselines(measure, base_year, base_value, source, note, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (measure) DO UPDATE SET base_year = excluded.base_year, base_value = excluded.base_value, source = excluded.source, note = excluded.note, updated_at = excluded.updated_at`,
				b.Measure, b.Year, v, b.Source, b.Note, b.UpdatedAt)
			return b, err
		}})
	if err != nil {
		return Baseline{}, fmt.Errorf("nqi: baseline: %w", err)
	}
	return out, nil
}

// baselines are the baselines as the kit writes them, keyed by measure; a
// measure with none recorded is not found (its default has no UpdatedAt).
func baselines(db *store.DB) kit.Setting[string, Baseline] {
	return kit.Setting[string, Baseline]{DB: db, Entity: "cert_baseline",
		Load: func(ctx context.Context, q store.Querier, measure string) (Baseline, bool, error) {
			b, err := LoadBaseline(ctx, q, measure)
			return b, err == nil && b.UpdatedAt != "", err
		}}
}

// countAt is the organisations of measure at day: the recorded baseline
// value when day falls in the base year up to the base date, else the
// register's count.
func countAt(ctx context.Context, q store.Querier, b Baseline, kind, day string) (int, error) {
	if b.Value != nil && day <= b.Day() && day[:4] == b.Day()[:4] {
		return int(*b.Value), nil
	}
	return Holders(ctx, q, kind, day, "")
}

func growth(cur, base int) float64 {
	return math.Round(float64(cur-base)/float64(base)*10000) / 100
}

// OrganicGrowth is the growth in per cent of organisations with a valid
// organic certificate at day over the baseline (the base year's end).
func OrganicGrowth(ctx context.Context, q store.Querier, day string) (float64, error) {
	b, err := LoadBaseline(ctx, q, MeasureOrganic)
	if err != nil {
		return 0, err
	}
	if day <= b.Day() {
		return 0, fmt.Errorf("%w: 统计日 %s 不晚于基准日 %s", indicator.ErrNoValue, day, b.Day())
	}
	base, err := countAt(ctx, q, b, KindOrganic, b.Day())
	if err != nil {
		return 0, err
	}
	if base == 0 {
		return 0, fmt.Errorf("%w: 基准年 %d 年末没有有效的有机产品认证获证企业", indicator.ErrNoValue, b.Year)
	}
	cur, err := Holders(ctx, q, KindOrganic, day, "")
	if err != nil {
		return 0, err
	}
	return growth(cur, base), nil
}

// VoluntaryGrowth is the year-on-year growth in per cent of organisations
// with any valid certificate: at day against the same day a year before
// (29 February against 28 February).
func VoluntaryGrowth(ctx context.Context, q store.Querier, day string) (float64, error) {
	b, err := LoadBaseline(ctx, q, MeasureVoluntary)
	if err != nil {
		return 0, err
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return 0, err
	}
	prev := t.AddDate(-1, 0, 0)
	if prev.Day() != t.Day() {
		prev = prev.AddDate(0, 0, -prev.Day())
	}
	base, err := countAt(ctx, q, b, "", prev.Format(time.DateOnly))
	if err != nil {
		return 0, err
	}
	if base == 0 {
		return 0, fmt.Errorf("%w: %s 没有有效的自愿性认证获证组织", indicator.ErrNoValue, prev.Format(time.DateOnly))
	}
	cur, err := Holders(ctx, q, "", day, "")
	if err != nil {
		return 0, err
	}
	return growth(cur, base), nil
}

// RegisterMetrics registers the certification and metrology metrics.
func RegisterMetrics(r *indicator.Registry) error {
	count := func(f func(ctx context.Context, q store.Querier, day string) (int, error)) func(context.Context, indicator.Querier, time.Time, time.Time) (float64, error) {
		return func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			n, err := f(ctx, q, kit.DayOf(asOf))
			return float64(n), err
		}
	}
	holders := func(kind string) func(context.Context, store.Querier, string) (int, error) {
		return func(ctx context.Context, q store.Querier, day string) (int, error) {
			return Holders(ctx, q, kind, day, "")
		}
	}
	rate := func(f func(context.Context, store.Querier, string) (float64, error)) func(context.Context, indicator.Querier, time.Time, time.Time) (float64, error) {
		return func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
			return f(ctx, q, kit.DayOf(asOf))
		}
	}
	for _, m := range []indicator.Metric{
		{Key: MetricOrganicHolders, Name: "有机产品认证获证企业", Unit: "家", Compute: count(holders(KindOrganic)),
			Description: "统计日持有有效有机产品认证证书的青海省企业数（按统一社会信用代码去重，无代码的按名称；暂停、撤销、注销或过期的证书不计）。"},
		{Key: MetricOrganicGrowth, Name: "有机产品认证获证企业增长率", Unit: "%", Compute: rate(OrganicGrowth),
			Description: "（统计日有机产品认证获证企业数 − 基准年末数）÷ 基准年末数 × 100%。基准年末数取登记的基准值（注明来源），未登记则按证书数据计算。"},
		{Key: MetricVoluntaryHolders, Name: "自愿性认证获证组织", Unit: "家", Compute: count(holders("")),
			Description: "统计日持有任一有效自愿性认证证书（有机产品、绿色建材、管理体系、服务和自愿性产品认证）的青海省组织数，按组织去重。"},
		{Key: MetricVoluntaryGrowth, Name: "自愿性认证获证组织年增长率", Unit: "%", Compute: rate(VoluntaryGrowth),
			Description: "统计日获证组织数与上年同日相比的增长率：（本日数 − 上年同日数）÷ 上年同日数 × 100%。上年同日在基准年内且登记了基准值时，用基准值。"},
		{Key: MetricGreenBuilding, Name: "绿色建材产品认证获证企业", Unit: "家", Compute: count(holders(KindGreenBuilding)),
			Description: "统计日持有有效绿色建材产品认证证书的青海省企业数。"},
		{Key: MetricStandards, Name: "社会公用计量标准", Unit: "项", Compute: count(validStandards),
			Description: "统计日考核证书在有效期内且未注销的青海省社会公用计量标准数。"},
		{Key: MetricOverdue, Name: "超期未检的强制检定计量器具", Unit: "台", Compute: count(overdueAt),
			Description: "在用且下次检定日期早于统计日的强制检定计量器具数（按当前登记的最近检定日期计算）。"},
	} {
		m.Domain = "nqi"
		if err := r.Register(m); err != nil {
			return err
		}
	}
	return nil
}

func validStandards(ctx context.Context, q store.Querier, day string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM measurement_standards WHERE prefecture <> '' AND issued_on <= $1 AND valid_to >= $1 AND (revoked_on = '' OR revoked_on > $1)`, day).Scan(&n)
	return n, err
}

func overdueAt(ctx context.Context, q store.Querier, day string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM instruments WHERE status = 'in_use' AND next_due <> '' AND next_due < $1 AND last_verified <= $1`, day).Scan(&n)
	return n, err
}
