package inspect

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Credit-risk classification (DOMAIN.md §4, 国市监信发〔2022〕6号): each
// entity of the library gets a score 0–100 from weighted indicators and a
// class A–D from the scheme's thresholds. The scheme is data, versioned:
// every edit stores a new version and the highest is in force. Indicator
// values come from Sidi's own records by credit code (sampling failures,
// problems found by 双随机 inspections, IP enforcement cases) or from the
// imported indicator table (data Sidi lacks). The computed class
// overrides the imported 风险等级 in the draws (inspect_entities.risk_computed).

// Indicator sources.
const (
	SourceSampling = "sampling_failed" // 产品质量监督抽查不合格批次
	SourceInspect  = "inspect_problem" // 双随机抽查发现问题
	SourceIPCase   = "ip_case"         // 知识产权行政处罚、移送案件
	SourceImported = "imported"        // 导入的指标值
)

// SourceLabels name the sources.
var SourceLabels = map[string]string{
	SourceSampling: "产品质量监督抽查不合格（批次，按抽样日期）",
	SourceInspect:  "双随机抽查发现问题（次，按结果形成日期）",
	SourceIPCase:   "知识产权行政处罚、移送案件（件，按立案日期）",
	SourceImported: "导入的指标值（信用风险指标表）",
}

// Sources lists the sources in display order.
var Sources = []string{SourceSampling, SourceInspect, SourceIPCase, SourceImported}

// RiskIndicator is one weighted indicator of a scheme. Its contribution
// is Weight × min(value / Cap, 1): Cap is the value at which it gives its
// full weight. Months is the look-back of Sidi's own records.
type RiskIndicator struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Source string  `json:"source"`
	Weight float64 `json:"weight"`
	Cap    float64 `json:"cap"`
	Months int     `json:"months,omitempty"`
}

// Thresholds are the lowest scores of classes B, C and D.
type Thresholds struct {
	B float64 `json:"B"`
	C float64 `json:"C"`
	D float64 `json:"D"`
}

// RiskScheme is one version of the scoring scheme.
type RiskScheme struct {
	Version    int             `json:"version"`
	Indicators []RiskIndicator `json:"indicators"`
	Thresholds Thresholds      `json:"thresholds"`
	Note       string          `json:"note"`
	CreatedBy  string          `json:"created_by"`
	CreatedAt  string          `json:"created_at"`
}

// DefaultScheme is stored as version 1 when no scheme exists ([verify]:
// the weights and thresholds are a starting point for the bureau to set).
var DefaultScheme = RiskScheme{
	Indicators: []RiskIndicator{
		{Code: "SAMPLING_FAIL", Name: "产品质量监督抽查不合格", Source: SourceSampling, Weight: 30, Cap: 2, Months: 36},
		{Code: "INSPECT_PROBLEM", Name: "双随机抽查发现问题", Source: SourceInspect, Weight: 25, Cap: 2, Months: 36},
		{Code: "IP_CASE", Name: "知识产权行政处罚案件", Source: SourceIPCase, Weight: 15, Cap: 1, Months: 36},
		{Code: "ABNORMAL", Name: "列入经营异常名录", Source: SourceImported, Weight: 15, Cap: 1},
		{Code: "COMPLAINTS", Name: "投诉举报（件）", Source: SourceImported, Weight: 15, Cap: 5},
	},
	Thresholds: Thresholds{B: 10, C: 30, D: 60},
	Note:       "初始方案：指标、权重和分级分数线为起点【待核实，可修改】，依据国市监信发〔2022〕6号的指标分组（基础属性、动态、监管记录、关联、社会评价）",
}

var indicatorCodeOK = func(c rune) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// CheckScheme refuses a scheme that cannot score sensibly: the weights
// must be positive and add up to 100, every cap positive, the thresholds
// rising within 0–100, codes unique and sources known.
func CheckScheme(sc RiskScheme) error {
	var errs []string
	if len(sc.Indicators) == 0 || len(sc.Indicators) > 30 {
		errs = append(errs, "指标须有 1 到 30 个")
	}
	seen := map[string]bool{}
	sum := 0.0
	for i, in := range sc.Indicators {
		at := fmt.Sprintf("第 %d 个指标", i+1)
		switch {
		case in.Code == "" || len(in.Code) > 32 || strings.IndexFunc(in.Code, func(c rune) bool { return !indicatorCodeOK(c) }) >= 0:
			errs = append(errs, at+"：编码须为 1 到 32 个大写字母、数字或下划线")
		case seen[in.Code]:
			errs = append(errs, at+"：编码 "+in.Code+" 重复")
		}
		seen[in.Code] = true
		if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 50 || !utf8.ValidString(in.Name) {
			errs = append(errs, at+"：名称须为 1 到 50 个字")
		}
		if SourceLabels[in.Source] == "" {
			errs = append(errs, at+"：数据来源“"+kit.ClipRunes(in.Source, 20)+"”无效")
		}
		if !finite(in.Weight) || in.Weight <= 0 || in.Weight > 100 {
			errs = append(errs, at+"：权重须为大于 0、不超过 100 的数")
		} else {
			sum += in.Weight
		}
		if !finite(in.Cap) || in.Cap <= 0 || in.Cap > 1e9 {
			errs = append(errs, at+"：满分值须为大于 0 的数")
		}
		if in.Source != SourceImported && (in.Months < 1 || in.Months > 120) {
			errs = append(errs, at+"：统计期须为 1 到 120 个月")
		}
	}
	if len(errs) == 0 && math.Abs(sum-100) > 1e-6 {
		errs = append(errs, fmt.Sprintf("各指标权重之和须为 100，现为 %s", strconv.FormatFloat(sum, 'f', -1, 64)))
	}
	t := sc.Thresholds
	if !finite(t.B) || !finite(t.C) || !finite(t.D) || !(0 < t.B && t.B < t.C && t.C < t.D && t.D <= 100) {
		errs = append(errs, "分级分数线须满足 0 < B < C < D ≤ 100")
	}
	if utf8.RuneCountInString(sc.Note) > 500 {
		errs = append(errs, "说明不能超过 500 字")
	}
	if len(errs) > 0 {
		return apperr.Invalid("评分方案未保存：%s", strings.Join(errs, "；"))
	}
	return nil
}

// Class is the class of a score under the scheme's thresholds.
func (sc RiskScheme) Class(score float64) string {
	switch t := sc.Thresholds; {
	case score >= t.D:
		return "D"
	case score >= t.C:
		return "C"
	case score >= t.B:
		return "B"
	}
	return "A"
}

// Contribution is one indicator's part of a score.
type Contribution struct {
	Code   string  `json:"code"`
	Value  float64 `json:"value"`
	Points float64 `json:"points"`
}

// Score adds up the indicators' contributions for the values of one
// entity (missing values count as 0); the explanation lists the
// indicators that contributed, largest first.
func (sc RiskScheme) Score(values map[string]float64) (float64, []Contribution) {
	total := 0.0
	var out []Contribution
	for _, in := range sc.Indicators {
		v := values[in.Code]
		if !finite(v) || v <= 0 {
			continue
		}
		p := in.Weight * min(v/in.Cap, 1)
		p = math.Round(p*100) / 100
		total += p
		out = append(out, Contribution{Code: in.Code, Value: v, Points: p})
	}
	slices.SortStableFunc(out, func(a, b Contribution) int {
		switch {
		case a.Points > b.Points:
			return -1
		case a.Points < b.Points:
			return 1
		}
		return strings.Compare(a.Code, b.Code)
	})
	return math.Round(total*100) / 100, out
}

// EnsureRiskScheme stores the default scheme as version 1 when none is.
func (s *Service) EnsureRiskScheme(ctx context.Context) error {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_schemes`).Scan(&n); err != nil || n > 0 {
		return err
	}
	sc := DefaultScheme
	body, err := json.Marshal(schemeBody{sc.Indicators, sc.Thresholds})
	if err != nil {
		return err
	}
	_, err = s.db.Writer().ExecContext(ctx, `INSERT INTO inspect_risk_schemes(version, body, note, created_by, created_at) VALUES (1, $1, $2, '系统', $3) ON CONFLICT (version) DO NOTHING`,
		string(body), sc.Note, s.stamp())
	return err
}

type schemeBody struct {
	Indicators []RiskIndicator `json:"indicators"`
	Thresholds Thresholds      `json:"thresholds"`
}

// RiskScheme reads the scheme in force (the highest version).
func (s *Service) RiskScheme(ctx context.Context) (RiskScheme, error) {
	return s.riskScheme(ctx, s.db.Reader())
}

func (s *Service) riskScheme(ctx context.Context, q store.Querier) (RiskScheme, error) {
	var sc RiskScheme
	var body string
	err := q.QueryRowContext(ctx, `SELECT version, body, note, created_by, created_at FROM inspect_risk_schemes ORDER BY version DESC LIMIT 1`).
		Scan(&sc.Version, &body, &sc.Note, &sc.CreatedBy, &sc.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, apperr.Invalid("尚无信用风险评分方案")
	}
	if err != nil {
		return sc, fmt.Errorf("inspect: risk scheme: %w", err)
	}
	var b schemeBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return sc, fmt.Errorf("inspect: risk scheme %d: %w", sc.Version, err)
	}
	sc.Indicators, sc.Thresholds = b.Indicators, b.Thresholds
	return sc, nil
}

// SchemeVersions lists the stored versions, newest first.
func (s *Service) SchemeVersions(ctx context.Context, p auth.Principal) ([]RiskScheme, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	var out []RiskScheme
	err := store.EachRow(ctx, s.db.Reader(), `SELECT version, note, created_by, created_at FROM inspect_risk_schemes ORDER BY version DESC LIMIT 50`, nil, func(r *sql.Rows) error {
		var sc RiskScheme
		err := r.Scan(&sc.Version, &sc.Note, &sc.CreatedBy, &sc.CreatedAt)
		out = append(out, sc)
		return err
	})
	return out, err
}

// SaveRiskScheme checks sc and stores it as the next version (audited);
// base is the version the editor started from: a scheme changed meanwhile
// is refused instead of overwritten.
func (s *Service) SaveRiskScheme(ctx context.Context, p auth.Principal, base int, sc RiskScheme) (RiskScheme, error) {
	if err := p.Require(Editors...); err != nil {
		return sc, err
	}
	sc.Note = strings.TrimSpace(sc.Note)
	for i := range sc.Indicators {
		in := &sc.Indicators[i]
		in.Code, in.Name = strings.ToUpper(strings.TrimSpace(in.Code)), strings.TrimSpace(in.Name)
		if in.Source == SourceImported {
			in.Months = 0
		}
	}
	if err := CheckScheme(sc); err != nil {
		return sc, err
	}
	body, err := json.Marshal(schemeBody{sc.Indicators, sc.Thresholds})
	if err != nil {
		return sc, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.riskScheme(ctx, tx)
		if err != nil {
			return err
		}
		if cur.Version != base {
			return apperr.Conflict("评分方案已被他人改为第 %d 版，请刷新后再改", cur.Version)
		}
		sc.Version, sc.CreatedBy, sc.CreatedAt = cur.Version+1, p.Actor().Name, s.stamp()
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_risk_schemes(version, body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			sc.Version, string(body), sc.Note, sc.CreatedBy, sc.CreatedAt); err != nil {
			return fmt.Errorf("inspect: save risk scheme: %w", err)
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_risk_scheme", EntityID: strconv.Itoa(sc.Version), Action: "create",
			Before: map[string]any{"version": cur.Version, "indicators": cur.Indicators, "thresholds": cur.Thresholds},
			After:  map[string]any{"version": sc.Version, "indicators": sc.Indicators, "thresholds": sc.Thresholds, "note": sc.Note}})
	})
	return sc, err
}

// RiskRun is one recompute.
type RiskRun struct {
	ID            int64  `json:"id"`
	SchemeVersion int    `json:"scheme_version"`
	Cause         string `json:"cause"` // monthly | manual
	Month         string `json:"month"`
	Entities      int    `json:"entities"`
	Changed       int    `json:"changed"`
	CreatedBy     string `json:"created_by"`
	StartedAt     string `json:"started_at"`
	FinishedAt    string `json:"finished_at"`
}

// Recompute causes.
const (
	CauseMonthly = "monthly"
	CauseManual  = "manual"
)

// sourceValues counts Sidi's own records per credit code for the
// indicators of sc: map indicator code → credit code → value.
func (s *Service) sourceValues(ctx context.Context, q store.Querier, sc RiskScheme, now time.Time) (map[string]map[string]float64, error) {
	queries := map[string]string{
		SourceSampling: `SELECT credit_code, COUNT(*) FROM sampling_batches WHERE outcome IN ('failed', 'retesting', 'retest_upheld') AND sampled_on >= $1 GROUP BY credit_code`,
		SourceInspect:  `SELECT credit_code, COUNT(*) FROM inspect_results WHERE outcome NOT IN ('未发现问题', '未发现开展本次抽查涉及的经营活动') AND formed_on >= $1 GROUP BY credit_code`,
		SourceIPCase:   `SELECT party_code, COUNT(*) FROM ip_cases WHERE party_code <> '' AND status IN ('penalized', 'transferred') AND filed_on <> '' AND filed_on >= $1 GROUP BY party_code`,
	}
	out := map[string]map[string]float64{}
	var imported []string
	for _, in := range sc.Indicators {
		m := map[string]float64{}
		out[in.Code] = m
		if in.Source == SourceImported {
			imported = append(imported, in.Code)
			continue
		}
		since := now.In(kit.CST).AddDate(0, -in.Months, 0).Format(time.DateOnly)
		err := store.EachRow(ctx, q, queries[in.Source], []any{since}, func(r *sql.Rows) error {
			var c string
			var n int64
			err := r.Scan(&c, &n)
			m[strings.ToUpper(c)] += float64(n)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("inspect: risk indicator %s: %w", in.Code, err)
		}
	}
	if len(imported) > 0 {
		err := store.EachRow(ctx, q, `SELECT credit_code, indicator, value FROM inspect_risk_values`, nil, func(r *sql.Rows) error {
			var c, ind string
			var v float64
			if err := r.Scan(&c, &ind, &v); err != nil {
				return err
			}
			if m, ok := out[ind]; ok && slices.Contains(imported, ind) {
				m[c] = v
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("inspect: risk values: %w", err)
		}
	}
	return out, nil
}

// Recompute scores every entity of the library under the scheme in force,
// in one transaction: the scores with their explanations, the computed
// class of each entity (which the draws use), a warning for each entity
// whose class in force changed, the run and its audit entry. With cause
// monthly it does nothing when this month already has a run.
func (s *Service) Recompute(ctx context.Context, p auth.Principal, cause string) (RiskRun, bool, error) {
	run := RiskRun{Cause: cause, CreatedBy: p.Actor().Name}
	if err := p.Require(Editors...); err != nil {
		return run, false, err
	}
	if cause != CauseMonthly && cause != CauseManual {
		return run, false, apperr.Invalid("重算方式须为 monthly 或 manual")
	}
	now := s.now()
	run.Month, run.StartedAt = now.In(kit.CST).Format("2006-01"), s.stamp()
	if cause == CauseMonthly {
		var n int
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_runs WHERE month = $1`, run.Month).Scan(&n); err != nil {
			return run, false, err
		}
		if n > 0 {
			return run, false, nil
		}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		sc, err := s.riskScheme(ctx, tx)
		if err != nil {
			return err
		}
		run.SchemeVersion = sc.Version
		vals, err := s.sourceValues(ctx, tx, sc, now)
		if err != nil {
			return err
		}
		type row struct {
			code, class, explain string
			score                float64
		}
		var rows []row
		type change struct {
			code, from, to string
			score          float64
		}
		var changes []change
		one := map[string]float64{}
		err = store.EachRow(ctx, tx, `SELECT credit_code, risk, risk_computed FROM inspect_entities`, nil, func(r *sql.Rows) error {
			var code, risk, computed string
			if err := r.Scan(&code, &risk, &computed); err != nil {
				return err
			}
			clear(one)
			for ind, m := range vals {
				if v, ok := m[code]; ok {
					one[ind] = v
				}
			}
			score, parts := sc.Score(one)
			ex, err := json.Marshal(parts)
			if err != nil {
				return err
			}
			class := sc.Class(score)
			rows = append(rows, row{code, class, string(ex), score})
			if from := cmpOr(computed, risk); from != class {
				changes = append(changes, change{code, from, class, score})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("inspect: recompute: %w", err)
		}
		run.Entities, run.Changed, run.FinishedAt = len(rows), len(changes), s.stamp()
		if err := tx.QueryRowContext(ctx, `INSERT INTO inspect_risk_runs(scheme_version, cause, month, entities, changed, created_by, started_at, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, run.SchemeVersion, run.Cause, run.Month, run.Entities, run.Changed, run.CreatedBy, run.StartedAt, run.FinishedAt).Scan(&run.ID); err != nil {
			return fmt.Errorf("inspect: recompute run: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM inspect_risk_scores`); err != nil {
			return err
		}
		err = store.InsertRows(ctx, s.db.Dialect(), tx, "inspect: risk scores", `INSERT INTO inspect_risk_scores(credit_code, run_id, scheme_version, score, class, explanation, computed_at) VALUES `,
			make([]string, 7), len(rows), func(i int) []any {
				return []any{rows[i].code, run.ID, run.SchemeVersion, rows[i].score, rows[i].class, rows[i].explain, run.FinishedAt}
			})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inspect_entities SET risk_computed = COALESCE((SELECT s.class FROM inspect_risk_scores s WHERE s.credit_code = inspect_entities.credit_code), '')`); err != nil {
			return fmt.Errorf("inspect: computed classes: %w", err)
		}
		err = store.InsertRows(ctx, s.db.Dialect(), tx, "inspect: risk changes", `INSERT INTO inspect_risk_changes(run_id, credit_code, from_class, to_class, score, created_at, handled_by, handled_at) VALUES `,
			make([]string, 8), len(changes), func(i int) []any {
				c := changes[i]
				return []any{run.ID, c.code, c.from, c.to, c.score, run.FinishedAt, "", ""}
			})
		if err != nil {
			return err
		}
		byClass := map[string]int{}
		for _, r := range rows {
			byClass[r.class]++
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_risk_run", EntityID: strconv.FormatInt(run.ID, 10), Action: "recompute",
			After: map[string]any{"scheme_version": run.SchemeVersion, "cause": run.Cause, "month": run.Month, "entities": run.Entities, "changed": run.Changed, "by_class": byClass}})
	})
	return run, err == nil, err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// RiskRuns lists the latest runs.
func (s *Service) RiskRuns(ctx context.Context, p auth.Principal, limit int) ([]RiskRun, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	var out []RiskRun
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, scheme_version, cause, month, entities, changed, created_by, started_at, finished_at FROM inspect_risk_runs ORDER BY id DESC LIMIT $1`, []any{limit}, func(r *sql.Rows) error {
		var x RiskRun
		err := r.Scan(&x.ID, &x.SchemeVersion, &x.Cause, &x.Month, &x.Entities, &x.Changed, &x.CreatedBy, &x.StartedAt, &x.FinishedAt)
		out = append(out, x)
		return err
	})
	return out, err
}

// RiskDue reports whether this month (China time) has no recompute yet.
func (s *Service) RiskDue(ctx context.Context) (bool, error) {
	var n int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_runs WHERE month = $1`, s.now().In(kit.CST).Format("2006-01")).Scan(&n)
	return n == 0, err
}

// RiskChange is a warning: an entity whose class changed in a run.
type RiskChange struct {
	ID         int64   `json:"id"`
	RunID      int64   `json:"run_id"`
	CreditCode string  `json:"credit_code"`
	Name       string  `json:"name"`
	From       string  `json:"from"`
	To         string  `json:"to"`
	Score      float64 `json:"score"`
	CreatedAt  string  `json:"created_at"`
	HandledBy  string  `json:"handled_by"`
	HandledAt  string  `json:"handled_at"`
}

// RiskChanges lists the warnings, open ones only unless all.
func (s *Service) RiskChanges(ctx context.Context, p auth.Principal, all bool, limit int) ([]RiskChange, int, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, 0, err
	}
	where := ` WHERE c.handled_at = ''`
	if all {
		where = ``
	}
	var open int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_changes WHERE handled_at = ''`).Scan(&open); err != nil {
		return nil, 0, err
	}
	var out []RiskChange
	err := store.EachRow(ctx, s.db.Reader(), `SELECT c.id, c.run_id, c.credit_code, COALESCE(e.name, ''), c.from_class, c.to_class, c.score, c.created_at, c.handled_by, c.handled_at
		FROM inspect_risk_changes c LEFT JOIN inspect_entities e ON e.credit_code = c.credit_code`+where+` ORDER BY c.id DESC LIMIT $1`, []any{limit}, func(r *sql.Rows) error {
		var x RiskChange
		err := r.Scan(&x.ID, &x.RunID, &x.CreditCode, &x.Name, &x.From, &x.To, &x.Score, &x.CreatedAt, &x.HandledBy, &x.HandledAt)
		out = append(out, x)
		return err
	})
	return out, open, err
}

// HandleRiskChanges marks the open warnings up to id upTo as handled
// (audited); it returns how many.
func (s *Service) HandleRiskChanges(ctx context.Context, p auth.Principal, upTo int64) (int, error) {
	if err := p.Require(Editors...); err != nil {
		return 0, err
	}
	if upTo <= 0 {
		return 0, apperr.Invalid("没有要处理的预警")
	}
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE inspect_risk_changes SET handled_by = $1, handled_at = $2 WHERE handled_at = '' AND id <= $3`, p.Actor().Name, s.stamp(), upTo)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_risk_change", EntityID: strconv.FormatInt(upTo, 10), Action: "handle",
			After: map[string]any{"up_to": upTo, "count": n}})
	})
	return int(n), err
}

// RiskScore is an entity's latest score with its explanation.
type RiskScore struct {
	CreditCode    string         `json:"credit_code"`
	Name          string         `json:"name"`
	Imported      string         `json:"imported"` // the library's imported class
	Class         string         `json:"class"`    // computed ('' before any recompute)
	Score         float64        `json:"score"`
	SchemeVersion int            `json:"scheme_version"`
	ComputedAt    string         `json:"computed_at"`
	Parts         []Contribution `json:"parts"`
}

// RiskScores lists entities with their imported and computed classes,
// highest scores first; q matches a credit code or part of a name.
func (s *Service) RiskScores(ctx context.Context, p auth.Principal, q string, limit int) ([]RiskScore, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	where, args := ``, []any{}
	if q = strings.TrimSpace(q); q != "" {
		where, args = ` WHERE e.credit_code = $1 OR e.name LIKE $2 ESCAPE '\'`, []any{strings.ToUpper(q), "%" + kit.EscapeLike(q) + "%"}
	}
	var out []RiskScore
	err := store.EachRow(ctx, s.db.Reader(), `SELECT e.credit_code, e.name, e.risk, COALESCE(s.class, ''), COALESCE(s.score, 0), COALESCE(s.scheme_version, 0), COALESCE(s.computed_at, ''), COALESCE(s.explanation, '')
		FROM inspect_entities e LEFT JOIN inspect_risk_scores s ON s.credit_code = e.credit_code`+where+` ORDER BY COALESCE(s.score, 0) DESC, e.credit_code LIMIT `+strconv.Itoa(limit), args, func(r *sql.Rows) error {
		var x RiskScore
		var ex string
		if err := r.Scan(&x.CreditCode, &x.Name, &x.Imported, &x.Class, &x.Score, &x.SchemeVersion, &x.ComputedAt, &ex); err != nil {
			return err
		}
		if ex != "" {
			if err := json.Unmarshal([]byte(ex), &x.Parts); err != nil {
				return fmt.Errorf("inspect: explanation of %s: %w", x.CreditCode, err)
			}
		}
		out = append(out, x)
		return nil
	})
	return out, err
}
