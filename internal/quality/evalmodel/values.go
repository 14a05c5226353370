package evalmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Columns of the indicator-value file (`sidi import eval-values FILE`):
// one value a row, long format, so one file serves any model.
const (
	ColCredit    = "统一社会信用代码"
	ColName      = "企业名称"
	ColPeriod    = "年度"
	ColIndicator = "指标代码"
	ColValue     = "指标值"
)

// ValueColumns are the import file's columns.
var ValueColumns = []kit.Column{
	{Name: ColCredit, Aliases: []string{"信用代码", "社会信用代码"}, Required: true},
	{Name: ColName, Aliases: []string{"单位名称", "企业"}},
	{Name: ColPeriod, Aliases: []string{"评价年度", "年份"}, Required: true},
	{Name: ColIndicator, Aliases: []string{"指标"}, Required: true},
	{Name: ColValue, Aliases: []string{"数值", "值"}, Required: true},
}

// Value is one enterprise's value of one indicator in one period.
type Value struct {
	CreditCode string  `json:"credit_code"`
	Name       string  `json:"name"`
	Period     string  `json:"period"`
	Indicator  string  `json:"indicator"`
	Value      float64 `json:"value"`
	Demo       bool    `json:"demo"`
}

// ImportKinds is the module's kind for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	k := kit.ImportKind[auth.Principal]{Name: "eval-values", Title: "盐湖化工企业评价指标数据 enterprise indicator values", Columns: ValueColumns, Roles: auth.RoleStrings(Editors...)}
	if s != nil {
		k.Import, k.Export = s.ImportValues, s.ExportValues
	}
	return []kit.ImportKind[auth.Principal]{k}
}

// ParseNumber reads an indicator value: a finite decimal, thousands
// separators allowed ("1,234.5", "-3", "0.25").
func ParseNumber(v string) (float64, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", "")
	if v == "" || len(v) > 30 || strings.ContainsAny(v, "xXpP_eEiInN") {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && !math.IsInf(f, 0) && math.Abs(f) < 1e15
}

func (s *Service) parseValue(r kit.Row) (Value, kit.Errors) {
	errs := r.Errs
	v := Value{Name: strings.TrimSpace(r.Get(ColName)), Period: strings.TrimSpace(r.Get(ColPeriod)), Indicator: strings.TrimSpace(r.Get(ColIndicator))}
	c, err := creditcode.Parse(strings.TrimSpace(r.Get(ColCredit)))
	if err != nil {
		errs.AddCell(r.N, ColCredit, "“%s”无效：%v", kit.ClipRunes(r.Get(ColCredit), 20), err)
	}
	v.CreditCode = c
	if len([]rune(v.Name)) > 200 {
		errs.AddCell(r.N, ColName, "不能超过 200 个字")
	}
	if !s.validPeriod(v.Period) {
		errs.AddCell(r.N, ColPeriod, "“%s”须为 2000 年至明年的四位年份", kit.ClipRunes(v.Period, 10))
	}
	if v.Indicator == "" || len(v.Indicator) > maxCodeLen || !codeRE.MatchString(v.Indicator) {
		errs.AddCell(r.N, ColIndicator, "“%s”不是有效的指标代码", kit.ClipRunes(v.Indicator, 20))
	}
	var ok bool
	if v.Value, ok = ParseNumber(r.Get(ColValue)); !ok {
		errs.AddCell(r.N, ColValue, "“%s”不是有效数值", kit.ClipRunes(r.Get(ColValue), 20))
	}
	v.Demo = strings.Contains(v.Name, DemoLabel)
	return v, errs
}

// ImportValues imports indicator values; a value is matched on (年度,
// enterprise, 指标代码) and replaced, so the same file twice changes
// nothing. Indicator codes must belong to a model; an enterprise unknown
// to the directory needs its name and is registered.
func (s *Service) ImportValues(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	const kind = "eval-values"
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: kind, File: src.Name}, err
	}
	key := func(v Value) string { return v.Period + "|" + v.CreditCode + "|" + v.Indicator }
	return kit.RunImport(ctx, src, opt, kit.Plan[Value]{
		Kind: kind, Spec: kit.TableSpec{Columns: ValueColumns, Formulas: true}, Parse: s.parseValue, Key: key,
		Duplicate: func(row int, v Value, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: ColIndicator, Msg: fmt.Sprintf("%s 年 %s 的指标 %s 与第 %d 行重复", v.Period, v.CreditCode, v.Indicator, prev)}
		},
		Check: func(ctx context.Context, batch []kit.Item[Value]) (kit.Errors, error) {
			return s.checkValues(ctx, batch)
		},
		Write: func(ctx context.Context, batch []kit.Item[Value], file kit.ImportReport) (kit.BatchResult, error) {
			return s.writeValues(ctx, p, batch, file)
		},
	})
}

func (s *Service) checkValues(ctx context.Context, batch []kit.Item[Value]) (kit.Errors, error) {
	known := map[string]bool{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT DISTINCT code FROM eval_nodes WHERE direction <> ''`, nil, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		known[c] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	var errs kit.Errors
	ents := map[string]bool{}
	for _, it := range batch {
		v := it.Val
		if !known[v.Indicator] {
			errs.AddCell(it.Row, ColIndicator, "指标代码 %s 不在任何评价模型中", v.Indicator)
		}
		if v.Name != "" {
			continue
		}
		there, ok := ents[v.CreditCode]
		if !ok {
			id, err := enterprise.IDByCreditCode(ctx, s.db.Reader(), v.CreditCode)
			if err != nil {
				return nil, err
			}
			there = id != 0
			ents[v.CreditCode] = there
		}
		if !there {
			errs.AddCell(it.Row, ColName, "统一社会信用代码 %s 尚未登记，请填写企业名称", v.CreditCode)
		}
	}
	return errs, nil
}

func (s *Service) writeValues(ctx context.Context, p auth.Principal, batch []kit.Item[Value], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = kit.BatchResult{}
		now := s.stamp()
		ents := map[string]int64{}
		var created, updated []int64
		var after []any
		for _, it := range batch {
			v := it.Val
			eid, ok := ents[v.CreditCode+"|"+v.Name]
			if !ok {
				var err error
				if eid, err = s.ent.EnsureTx(ctx, tx, p, v.CreditCode, v.Name, v.Demo); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				ents[v.CreditCode+"|"+v.Name] = eid
			}
			var id int64
			var old float64
			err := tx.QueryRowContext(ctx, `SELECT id, value FROM eval_values WHERE period = $1 AND enterprise_id = $2 AND indicator_code = $3`, v.Period, eid, v.Indicator).Scan(&id, &old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, `INSERT INTO eval_values(period, enterprise_id, indicator_code, value, demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
					v.Period, eid, v.Indicator, v.Value, store.BoolInt(v.Demo), now).Scan(&id); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Created++
				created = append(created, id)
			case err != nil:
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			case old == v.Value:
				res.Unchanged++
				continue
			default:
				if _, err := tx.ExecContext(ctx, `UPDATE eval_values SET value = $1, updated_at = $2 WHERE id = $3`, v.Value, now, id); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Updated++
				updated = append(updated, id)
			}
			after = append(after, map[string]any{"id": id, "row": it.Row, "rec": v})
		}
		if len(after) == 0 {
			return nil
		}
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: "eval-values", File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
	})
	return res, err
}

// ExportValues writes every value as an import file (staff of the editor
// roles; the values are supervision data).
func (s *Service) ExportValues(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	if err := w.Write(kit.Header(ValueColumns)); err != nil {
		return err
	}
	return store.EachRow(ctx, s.db.Reader(), `SELECT e.credit_code, e.name, v.period, v.indicator_code, v.value FROM eval_values v JOIN enterprises e ON e.id = v.enterprise_id
		ORDER BY v.period, e.credit_code, v.indicator_code`, nil, func(r *sql.Rows) error {
		var code, name, period, ind string
		var v float64
		if err := r.Scan(&code, &name, &period, &ind, &v); err != nil {
			return err
		}
		return w.Write([]string{code, name, period, ind, strconv.FormatFloat(v, 'f', -1, 64)})
	})
}

// EnterpriseSection is the module's part of an enterprise's page: its
// class and score under each published model, with a link to the
// explanation. Not public (supervision data): the directory shows it to
// those in the enterprise's scope (staff editors and its own users).
func (s *Service) EnterpriseSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "盐湖化工企业分类评价", Empty: "该企业尚无已发布评价模型的评价结果"}
	var ids []int64
	err := store.EachRow(ctx, s.db.Reader(), `SELECT DISTINCT m.id FROM eval_models m JOIN eval_values v ON v.period = m.period
		WHERE m.status = 'published' AND v.enterprise_id = $1 ORDER BY m.id DESC LIMIT 10`, []any{enterpriseID}, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return sec, fmt.Errorf("evalmodel: enterprise section: %w", err)
	}
	for _, id := range ids {
		m, err := load(ctx, s.db.Reader(), id)
		if err != nil {
			return sec, err
		}
		sc, err := score(ctx, s.db.Reader(), m)
		if err != nil {
			continue // weights incomplete cannot happen for a published model
		}
		for _, r := range sc.Rows {
			if r.EnterpriseID != enterpriseID {
				continue
			}
			sec.Items = append(sec.Items, enterprise.SectionItem{Label: fmt.Sprintf("%s（第 %d 版，%s 年度）", m.Name, m.Version, m.Period),
				Href: fmt.Sprintf("/eval-models/%d/enterprises/%s", m.ID, r.CreditCode), Detail: r.Class + " 类 " + r.ClassLabel,
				Fields: []enterprise.Field{{Label: "得分", Value: strconv.FormatFloat(r.Score, 'f', 2, 64)}, {Label: "排名", Value: fmt.Sprintf("%d / %d", r.Rank, len(sc.Rows))}}})
		}
	}
	return sec, nil
}
