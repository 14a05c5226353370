package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// KindRiskValues is the import kind of the credit-risk indicator table.
const KindRiskValues = "risk_indicators"

// Columns of the indicator table.
const (
	ColIndicator = "指标编码"
	ColValue     = "指标值"
	ColPeriod    = "统计期"
)

// RiskValueColumns are the columns of `sidi import risk_indicators`.
var RiskValueColumns = []kit.Column{
	{Name: ColCreditCode, Required: true}, {Name: ColIndicator, Aliases: []string{"指标代码"}, Required: true},
	{Name: ColValue, Aliases: []string{"数值", "值"}, Required: true}, {Name: ColPeriod, Aliases: []string{"期间", "月份"}},
}

// RiskValue is one imported indicator value of an entity.
type RiskValue struct {
	CreditCode string
	Indicator  string
	Value      float64
	Period     string // YYYY-MM, '' when not given
}

var periodRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// ParseRiskValue checks one row against the imported indicators of the
// scheme in force (imported: code → name): the credit code's check
// character, a known indicator, a finite value ≥ 0, a YYYY-MM period.
func ParseRiskValue(r kit.Row, imported map[string]string) (RiskValue, kit.Errors) {
	errs := r.Errs
	var v RiskValue
	if c, err := creditcode.Parse(strings.TrimSpace(r.Get(ColCreditCode))); err != nil {
		errs.AddCell(r.N, ColCreditCode, "%s", errText(err))
	} else {
		v.CreditCode = c
	}
	v.Indicator = strings.ToUpper(strings.TrimSpace(r.Get(ColIndicator)))
	if _, ok := imported[v.Indicator]; !ok {
		known := make([]string, 0, len(imported))
		for c := range imported {
			known = append(known, c)
		}
		sortStrings(known)
		errs.AddCell(r.N, ColIndicator, "指标编码“%s”不是现行评分方案中需导入的指标（可导入：%s）", kit.ClipRunes(v.Indicator, 32), strings.Join(known, "、"))
	}
	raw := strings.TrimSpace(r.Get(ColValue))
	f, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", ""), 64)
	switch {
	case raw == "":
		errs.AddCell(r.N, ColValue, "不能为空")
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		errs.AddCell(r.N, ColValue, "“%s”不是数字", kit.ClipRunes(raw, 20))
	case f < 0:
		errs.AddCell(r.N, ColValue, "不能为负数（%s）", kit.ClipRunes(raw, 20))
	case f > 1e9:
		errs.AddCell(r.N, ColValue, "数值过大（%s）", kit.ClipRunes(raw, 20))
	default:
		v.Value = f
	}
	v.Period = strings.TrimSpace(r.Get(ColPeriod))
	if v.Period != "" && !periodRE.MatchString(v.Period) {
		errs.AddCell(r.N, ColPeriod, "统计期“%s”须为 YYYY-MM，如 2026-11", kit.ClipRunes(v.Period, 20))
	}
	return v, errs
}

// ImportRiskValues imports indicator values (matched on credit code and
// indicator; a later value replaces the stored one). One audit entry per
// batch; an invalid row refuses the file with its row and column.
func (s *Service) ImportRiskValues(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: KindRiskValues, File: src.Name}, err
	}
	sc, err := s.RiskScheme(ctx)
	if err != nil {
		return kit.ImportReport{Kind: KindRiskValues, File: src.Name}, err
	}
	imported := map[string]string{}
	for _, in := range sc.Indicators {
		if in.Source == SourceImported {
			imported[in.Code] = in.Name
		}
	}
	key := func(v RiskValue) string { return v.CreditCode + "/" + v.Indicator }
	return kit.RunImport(ctx, src, opt, kit.Plan[RiskValue]{
		Kind: KindRiskValues, Spec: kit.TableSpec{Columns: RiskValueColumns, Formulas: true},
		Parse: func(r kit.Row) (RiskValue, kit.Errors) { return ParseRiskValue(r, imported) },
		Key:   key,
		Duplicate: func(row int, v RiskValue, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: ColIndicator, Msg: fmt.Sprintf("%s 的指标 %s 与第 %d 行重复", v.CreditCode, v.Indicator, prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[RiskValue], file kit.ImportReport) (kit.BatchResult, error) {
			rows := make([]kit.UpsertRow, len(batch))
			for i, it := range batch {
				v := it.Val
				rows[i] = kit.UpsertRow{Row: it.Row, Values: func(*sql.Tx) ([]any, error) { return []any{v.CreditCode, v.Indicator, v.Value, v.Period}, nil },
					Audit: map[string]any{"credit_code": v.CreditCode, "indicator": v.Indicator, "value": v.Value, "period": v.Period}}
			}
			return riskValues.WriteBatch(ctx, s.db, p.Actor(), s.stamp(), file, rows)
		},
	})
}

// riskValues are matched on credit code and indicator, their primary key
// (the table has no id and no created_at); a value stored as it is in the
// file is left alone, so the same file twice writes nothing.
var riskValues = kit.Upsert{Kind: KindRiskValues, Table: "inspect_risk_values", Cols: []string{"credit_code", "indicator", "value", "period"}, Keys: 2, NoCreatedAt: true, NoID: true}

// ExportRiskValues writes the stored indicator values as an import file.
func (s *Service) ExportRiskValues(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	if err := w.Write(kit.Header(RiskValueColumns)); err != nil {
		return err
	}
	return store.EachRow(ctx, s.db.Reader(), `SELECT credit_code, indicator, value, period FROM inspect_risk_values ORDER BY credit_code, indicator`, nil, func(r *sql.Rows) error {
		var v RiskValue
		if err := r.Scan(&v.CreditCode, &v.Indicator, &v.Value, &v.Period); err != nil {
			return err
		}
		return w.Write([]string{v.CreditCode, v.Indicator, strconv.FormatFloat(v.Value, 'f', -1, 64), v.Period})
	})
}
