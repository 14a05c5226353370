package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// 企业标准“领跑者” (国市监标准〔2018〕84号): disclose → rank → lead. Per
// product field and year an assessment scheme names the core indicators,
// each with its direction, the national (or industry) requirement as a
// baseline and the cut points of the tiers above it. The current
// declarations of enterprise standards for products of that field are
// ranked: a declaration is eligible only if it discloses every core
// indicator as a number meeting the baseline and is not flagged below the
// national standard; its tier is the worst of its indicators' tiers, so the
// lowest tier starts at the baseline and never below it. The top tier,
// best first and one declaration per enterprise, up to the scheme's
// maximum, is shortlisted and publicly noticed; after the notice the
// remaining shortlist is published as the year's leaders.

// Scheme statuses, in order.
const (
	SchemeDraft     = "draft"
	SchemeRanked    = "ranked"
	SchemeNotice    = "notice"
	SchemePublished = "published"
)

// SchemeStatusLabels name the statuses in Chinese.
var SchemeStatusLabels = map[string]string{SchemeDraft: "草稿", SchemeRanked: "已排名", SchemeNotice: "公示中", SchemePublished: "已发布"}

// CoreIndicator is one core indicator of a scheme. Cuts are the tier cut
// points, best first: with cuts c1, c2 a higher-is-better value is in tier
// 1 from c1, tier 2 from c2, tier 3 from the baseline.
type CoreIndicator struct {
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	Direction string    `json:"direction"`
	Baseline  float64   `json:"baseline"`
	Cuts      []float64 `json:"cuts"`
}

// tier is the tier of v (1 the best), or 0 when v misses the baseline.
func (c CoreIndicator) tier(v float64) int {
	better := func(a, b float64) bool { // a at least as good as b
		if c.Direction == LowerBetter {
			return a <= b
		}
		return a >= b
	}
	for i, cut := range c.Cuts {
		if better(v, cut) {
			return i + 1
		}
	}
	if better(v, c.Baseline) {
		return len(c.Cuts) + 1
	}
	return 0
}

// margin is how far v is better than the baseline, relative to it.
func (c CoreIndicator) margin(v float64) float64 {
	d := v - c.Baseline
	if c.Direction == LowerBetter {
		d = -d
	}
	if c.Baseline != 0 {
		return d / math.Abs(c.Baseline)
	}
	return d
}

// SchemeInput defines a scheme.
type SchemeInput struct {
	Year       int             `json:"year"`
	Field      string          `json:"field"` // the product category it ranks
	Name       string          `json:"name"`
	MaxLeaders int             `json:"max_leaders"`
	NoticeDays int             `json:"notice_days"`
	Indicators []CoreIndicator `json:"indicators"`
}

// Scheme is a stored scheme with its ranking.
type Scheme struct {
	ID          int64           `json:"id"`
	Year        int             `json:"year"`
	Field       string          `json:"field"`
	Name        string          `json:"name"`
	MaxLeaders  int             `json:"max_leaders"`
	NoticeDays  int             `json:"notice_days"`
	Status      string          `json:"status"`
	RankedOn    string          `json:"ranked_on"`
	NoticeFrom  string          `json:"notice_from"`
	NoticeTo    string          `json:"notice_to"`
	PublishedOn string          `json:"published_on"`
	Indicators  []CoreIndicator `json:"indicators"`
	Entries     []LeaderEntry   `json:"entries"`
}

// StatusLabel is the status in Chinese.
func (s Scheme) StatusLabel() string { return SchemeStatusLabels[s.Status] }

// LeaderEntry is one ranked declaration.
type LeaderEntry struct {
	DeclarationID  int64   `json:"declaration_id"`
	EnterpriseID   int64   `json:"enterprise_id"`
	EnterpriseName string  `json:"enterprise_name"`
	StandardCode   string  `json:"standard_code"`
	StandardTitle  string  `json:"standard_title"`
	Eligible       bool    `json:"eligible"`
	Reason         string  `json:"reason,omitempty"`
	Tier           int     `json:"tier"`
	Margin         float64 `json:"margin"`
	Rank           int     `json:"rank"`
	Shortlisted    bool    `json:"shortlisted"`
	RemovedReason  string  `json:"removed_reason,omitempty"`
	Leader         bool    `json:"leader"`
}

// Bounds of a scheme.
const (
	maxSchemeLeaders    = 1000
	maxSchemeIndicators = 20
	maxSchemeCuts       = 10
)

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func (s *Service) validateScheme(in SchemeInput) (SchemeInput, error) {
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	in.Field, in.Name = strings.TrimSpace(in.Field), strings.TrimSpace(in.Name)
	if in.Year < 2018 || in.Year > 2100 {
		bad("评估年度应在 2018—2100 之间")
	}
	if in.Field == "" {
		bad("请填写产品领域（与声明的产品类别一致）")
	}
	if in.Name == "" {
		in.Name = fmt.Sprintf("%d 年度%s企业标准“领跑者”评估方案", in.Year, in.Field)
	}
	if in.MaxLeaders < 1 {
		bad("“领跑者”数量上限至少为 1")
	}
	if in.NoticeDays == 0 {
		in.NoticeDays = 10
	}
	if in.NoticeDays < 5 || in.NoticeDays > 60 {
		bad("公示期应在 5—60 天之间")
	}
	if utf8.RuneCountInString(in.Field) > 100 {
		bad("产品领域过长（最多 100 字）")
	}
	if utf8.RuneCountInString(in.Name) > 300 {
		bad("方案名称过长（最多 300 字）")
	}
	if in.MaxLeaders > maxSchemeLeaders {
		bad("“领跑者”数量上限最多为 %d", maxSchemeLeaders)
	}
	if len(in.Indicators) == 0 {
		bad("请至少设置一项核心指标")
	}
	if len(in.Indicators) > maxSchemeIndicators {
		bad("核心指标最多 %d 项", maxSchemeIndicators)
	}
	seen := map[string]bool{}
	for i, c := range in.Indicators {
		c.Name, c.Unit = strings.TrimSpace(c.Name), strings.TrimSpace(c.Unit)
		n := i + 1
		if c.Name == "" || c.Unit == "" {
			bad("第 %d 项核心指标：名称和单位为必填", n)
		}
		if seen[c.Name] {
			bad("核心指标“%s”重复", c.Name)
		}
		seen[c.Name] = true
		if c.Direction != HigherBetter && c.Direction != LowerBetter {
			bad("核心指标“%s”：请选择越高越好或越低越好", c.Name)
		}
		if utf8.RuneCountInString(c.Name) > 100 || utf8.RuneCountInString(c.Unit) > 30 {
			bad("第 %d 项核心指标：名称最多 100 字，单位最多 30 字", n)
		}
		if len(c.Cuts) == 0 {
			bad("核心指标“%s”：至少设置一个分档值（优于国家标准要求的档）", c.Name)
		}
		if len(c.Cuts) > maxSchemeCuts {
			bad("核心指标“%s”：分档值最多 %d 个", c.Name, maxSchemeCuts)
		}
		if !finite(c.Baseline) || !finite(c.Cuts...) {
			bad("核心指标“%s”：国家标准要求和分档值应为有限的数值", c.Name)
			continue
		}
		prev := c.Baseline
		for k := len(c.Cuts) - 1; k >= 0; k-- {
			cut := c.Cuts[k]
			if (c.Direction == HigherBetter && cut <= prev) || (c.Direction == LowerBetter && cut >= prev) {
				what := "国家标准要求"
				if k < len(c.Cuts)-1 {
					what = "下一档"
				}
				bad("核心指标“%s”：第 %d 档分档值 %g 应优于%s %g（最低一档不得低于国家标准要求）", c.Name, k+1, cut, what, prev)
			}
			prev = cut
		}
		in.Indicators[i] = c
	}
	if len(msgs) > 0 {
		return in, &apperr.Error{Kind: apperr.ErrInvalid, Msg: strings.Join(msgs, "；")}
	}
	return in, nil
}

func joinCuts(cs []float64) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.FormatFloat(c, 'g', -1, 64)
	}
	return strings.Join(parts, ";")
}

func splitCuts(s string) []float64 {
	var out []float64
	for _, p := range strings.Split(s, ";") {
		if f, err := strconv.ParseFloat(p, 64); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// schemeSpec keeps the 领跑者 assessment schemes (editors, province-wide).
func (s *Service) schemeSpec() kit.Spec[Scheme] {
	return kit.Spec[Scheme]{DB: s.db, Entity: "leader_scheme", Noun: "评估方案", Load: s.loadScheme}
}

// CreateScheme adds an assessment scheme (administrators and supervisors).
func (s *Service) CreateScheme(ctx context.Context, p auth.Principal, in SchemeInput) (Scheme, error) {
	return s.schemeSpec().Save(ctx, kit.Write[Scheme]{By: p.Actor(), Allowed: p.Require(Editors...), Action: "create",
		Validate: func() (err error) {
			in, err = s.validateScheme(in)
			return err
		},
		Exec: func(tx *sql.Tx, _ Scheme) (id int64, err error) {
			now := s.now().UTC().Format(time.RFC3339)
			err = tx.QueryRowContext(ctx, `INSERT INTO leader_schemes(year, field, name, max_leaders, notice_days, status, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $7) RETURNING id`, in.Year, in.Field, in.Name, in.MaxLeaders, in.NoticeDays, p.Actor().Name, now).Scan(&id)
			if err != nil {
				return 0, err
			}
			for i, c := range in.Indicators {
				if _, err := tx.ExecContext(ctx, `INSERT INTO leader_indicators(scheme_id, ordinal, name, unit, direction, baseline, cuts) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					id, i+1, c.Name, c.Unit, c.Direction, c.Baseline, joinCuts(c.Cuts)); err != nil {
					return 0, fmt.Errorf("standards: scheme indicator: %w", err)
				}
			}
			return id, nil
		},
		Conflict: func() string { return fmt.Sprintf("%d 年度“%s”已有评估方案", in.Year, in.Field) },
	})
}

func (s *Service) loadScheme(ctx context.Context, q querier, id int64) (Scheme, error) {
	var sc Scheme
	err := q.QueryRowContext(ctx, `SELECT id, year, field, name, max_leaders, notice_days, status, ranked_on, notice_from, notice_to, published_on FROM leader_schemes WHERE id = $1`, id).
		Scan(&sc.ID, &sc.Year, &sc.Field, &sc.Name, &sc.MaxLeaders, &sc.NoticeDays, &sc.Status, &sc.RankedOn, &sc.NoticeFrom, &sc.NoticeTo, &sc.PublishedOn)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, apperr.NotFound("没有编号为 %d 的评估方案", id)
	}
	if err != nil {
		return sc, fmt.Errorf("standards: scheme %d: %w", id, err)
	}
	sc.Indicators, sc.Entries = []CoreIndicator{}, []LeaderEntry{}
	err = store.EachRow(ctx, q, `SELECT name, unit, direction, baseline, cuts FROM leader_indicators WHERE scheme_id = $1 ORDER BY ordinal`, []any{id}, func(r *sql.Rows) error {
		var c CoreIndicator
		var cuts string
		err := r.Scan(&c.Name, &c.Unit, &c.Direction, &c.Baseline, &cuts)
		c.Cuts = splitCuts(cuts)
		sc.Indicators = append(sc.Indicators, c)
		return err
	})
	if err != nil {
		return sc, err
	}
	err = store.EachRow(ctx, q, `SELECT l.declaration_id, l.enterprise_id, e.name, d.standard_code, d.standard_title, l.eligible, l.reason, l.tier, l.margin, l.rank, l.shortlisted, l.removed_reason, l.leader
		FROM leader_entries l JOIN declarations d ON d.id = l.declaration_id JOIN enterprises e ON e.id = l.enterprise_id
		WHERE l.scheme_id = $1 ORDER BY l.eligible DESC, l.rank, l.declaration_id`, []any{id}, func(r *sql.Rows) error {
		var en LeaderEntry
		var eligible, short, leader int
		err := r.Scan(&en.DeclarationID, &en.EnterpriseID, &en.EnterpriseName, &en.StandardCode, &en.StandardTitle, &eligible, &en.Reason, &en.Tier, &en.Margin, &en.Rank, &short, &en.RemovedReason, &leader)
		en.Eligible, en.Shortlisted, en.Leader = eligible != 0, short != 0, leader != 0
		sc.Entries = append(sc.Entries, en)
		return err
	})
	return sc, err
}

// GetScheme returns a scheme. Drafts and rankings not yet noticed are for
// administrators and supervisors; from the notice on it is public.
func (s *Service) GetScheme(ctx context.Context, p auth.Principal, id int64) (Scheme, error) {
	sc, err := s.loadScheme(ctx, s.db.Reader(), id)
	if err != nil {
		return sc, err
	}
	if (sc.Status == SchemeDraft || sc.Status == SchemeRanked) && !p.Has(Editors...) {
		return Scheme{}, apperr.NotFound("没有编号为 %d 的评估方案", id)
	}
	return sc, nil
}

// RankScheme ranks the current declarations of enterprise standards for
// products of the scheme's field (again, replacing an earlier ranking, as
// long as the notice has not started) and shortlists the top tier.
func (s *Service) RankScheme(ctx context.Context, p auth.Principal, id int64) (Scheme, error) {
	return s.changeScheme(ctx, p, id, "rank", func(tx *sql.Tx, sc Scheme) error {
		if sc.Status != SchemeDraft && sc.Status != SchemeRanked {
			return apperr.Invalid("评估方案已%s，不能重新排名", sc.StatusLabel())
		}
		entries, err := s.rank(ctx, tx, sc)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM leader_entries WHERE scheme_id = $1`, id); err != nil {
			return err
		}
		for _, e := range entries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO leader_entries(scheme_id, declaration_id, enterprise_id, eligible, reason, tier, margin, rank, shortlisted)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, e.DeclarationID, e.EnterpriseID, store.BoolInt(e.Eligible), e.Reason, e.Tier, e.Margin, e.Rank, store.BoolInt(e.Shortlisted)); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE leader_schemes SET status = 'ranked', ranked_on = $1, updated_at = $2 WHERE id = $3`,
			s.today(), s.now().UTC().Format(time.RFC3339), id)
		return err
	})
}

// rank computes the entries of a scheme.
func (s *Service) rank(ctx context.Context, q querier, sc Scheme) ([]LeaderEntry, error) {
	var ds []*Declaration
	err := store.EachRow(ctx, q, `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id
		WHERE d.status = 'current' AND d.own = 1 AND EXISTS (SELECT 1 FROM declaration_products p WHERE p.declaration_id = d.id AND p.category = $1)
		ORDER BY d.id`, []any{sc.Field}, func(r *sql.Rows) error {
		d, err := s.scanDecl(r)
		ds = append(ds, &d)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(ds); i += 500 {
		if err := s.declParts(ctx, q, ds[i:min(i+500, len(ds))]); err != nil {
			return nil, err
		}
	}
	type scored struct {
		LeaderEntry
		tierSum  int
		declared string
	}
	var all []scored
	for _, d := range ds {
		e := scored{LeaderEntry: LeaderEntry{DeclarationID: d.ID, EnterpriseID: d.EnterpriseID, EnterpriseName: d.EnterpriseName,
			StandardCode: d.StandardCode, StandardTitle: d.StandardTitle, Eligible: true}, declared: d.DeclaredOn}
		var why []string
		if d.BelowNational {
			why = append(why, "声明指标少于或低于推荐性国家标准")
		}
		for _, c := range sc.Indicators {
			var v *float64
			for _, ind := range d.Indicators {
				if ind.Name == c.Name && ind.Unit == c.Unit {
					v = ind.Number
				}
			}
			switch {
			case v == nil:
				why = append(why, fmt.Sprintf("未以数值公开核心指标“%s”（%s）", c.Name, c.Unit))
			case c.tier(*v) == 0:
				why = append(why, fmt.Sprintf("“%s”%g%s 未达到国家标准要求 %g", c.Name, *v, c.Unit, c.Baseline))
			default:
				t := c.tier(*v)
				e.Tier = max(e.Tier, t)
				e.tierSum += t
				e.Margin += c.margin(*v)
			}
		}
		if len(why) > 0 {
			e.Eligible, e.Reason, e.Tier, e.Margin, e.tierSum = false, strings.Join(why, "；"), 0, 0, 0
		}
		e.Margin = math.Round(e.Margin*1e6) / 1e6
		all = append(all, e)
	}
	// Best first: tier, then the indicators' tiers together, then the
	// margin over the baselines, then the earlier declaration.
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Eligible != b.Eligible {
			return a.Eligible
		}
		if a.Tier != b.Tier {
			return a.Tier < b.Tier
		}
		if a.tierSum != b.tierSum {
			return a.tierSum < b.tierSum
		}
		if a.Margin != b.Margin {
			return a.Margin > b.Margin
		}
		if a.declared != b.declared {
			return a.declared < b.declared
		}
		return a.DeclarationID < b.DeclarationID
	})
	out := make([]LeaderEntry, len(all))
	rank, short := 0, 0
	enterprises := map[int64]bool{}
	for i, e := range all {
		if e.Eligible {
			rank++
			e.Rank = rank
			// The top tier, one declaration per enterprise, up to the maximum.
			if e.Tier == 1 && short < sc.MaxLeaders && !enterprises[e.EnterpriseID] {
				e.Shortlisted = true
				enterprises[e.EnterpriseID] = true
				short++
			}
		}
		out[i] = e.LeaderEntry
	}
	return out, nil
}

// StartNotice publishes the shortlist for public notice from the given
// date (today when empty) for the scheme's notice days.
func (s *Service) StartNotice(ctx context.Context, p auth.Principal, id int64, from string) (Scheme, error) {
	return s.changeScheme(ctx, p, id, "notice", func(tx *sql.Tx, sc Scheme) error {
		if sc.Status != SchemeRanked {
			return apperr.Invalid("评估方案须先排名，才能公示（当前：%s）", sc.StatusLabel())
		}
		d, ok := ParseDate(from)
		if !ok {
			return apperr.Invalid("公示开始日期“%s”无效", from)
		}
		if d == "" {
			d = s.today()
		}
		to := kit.AddDays(d, sc.NoticeDays-1)
		_, err := tx.ExecContext(ctx, `UPDATE leader_schemes SET status = 'notice', notice_from = $1, notice_to = $2, updated_at = $3 WHERE id = $4`, d, to, s.now().UTC().Format(time.RFC3339), id)
		return err
	})
}

// RemoveFromShortlist takes a declaration off the shortlist during the
// notice, for the reason given (an objection that was upheld).
func (s *Service) RemoveFromShortlist(ctx context.Context, p auth.Principal, id, declarationID int64, reason string) (Scheme, error) {
	return s.changeScheme(ctx, p, id, "remove", func(tx *sql.Tx, sc Scheme) error {
		if sc.Status != SchemeNotice {
			return apperr.Invalid("只有公示期间才能调整入围名单")
		}
		if strings.TrimSpace(reason) == "" {
			return apperr.Invalid("请说明调整理由")
		}
		if utf8.RuneCountInString(reason) > 1000 {
			return apperr.Invalid("调整理由过长（最多 1000 字）")
		}
		res, err := tx.ExecContext(ctx, `UPDATE leader_entries SET shortlisted = 0, removed_reason = $1 WHERE scheme_id = $2 AND declaration_id = $3 AND shortlisted = 1`,
			strings.TrimSpace(reason), id, declarationID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("声明 %d 不在入围名单中", declarationID)
		}
		return nil
	})
}

// PublishLeaders publishes the shortlist as the year's leaders once the
// notice has ended.
func (s *Service) PublishLeaders(ctx context.Context, p auth.Principal, id int64) (Scheme, error) {
	return s.changeScheme(ctx, p, id, "publish", func(tx *sql.Tx, sc Scheme) error {
		if sc.Status != SchemeNotice {
			return apperr.Invalid("须先公示入围名单（当前：%s）", sc.StatusLabel())
		}
		if today := s.today(); today <= sc.NoticeTo {
			return apperr.Invalid("公示期至 %s，期满后才能发布", sc.NoticeTo)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE leader_entries SET leader = shortlisted WHERE scheme_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE leader_schemes SET status = 'published', published_on = $1, updated_at = $2 WHERE id = $3`, s.today(), s.now().UTC().Format(time.RFC3339), id)
		return err
	})
}

// changeScheme runs one step of a scheme's workflow: change checks the
// scheme's state and writes.
func (s *Service) changeScheme(ctx context.Context, p auth.Principal, id int64, action string, change func(tx *sql.Tx, sc Scheme) error) (Scheme, error) {
	return s.schemeSpec().Save(ctx, kit.Write[Scheme]{By: p.Actor(), Allowed: p.Require(Editors...), ID: id, Action: action,
		Exec: func(tx *sql.Tx, before Scheme) (int64, error) { return id, change(tx, before) }})
}

// Leader is one entry of a year's published leader list.
type Leader struct {
	SchemeID       int64  `json:"scheme_id"`
	Field          string `json:"field"`
	Rank           int    `json:"rank"`
	EnterpriseName string `json:"enterprise_name"`
	CreditCode     string `json:"credit_code"`
	DeclarationID  int64  `json:"declaration_id"`
	StandardCode   string `json:"standard_code"`
	StandardTitle  string `json:"standard_title"`
	PublishedOn    string `json:"published_on"`
}

// Leaders is the public leader list of a year, by field and rank.
func (s *Service) Leaders(ctx context.Context, year int) ([]Leader, error) {
	out := []Leader{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT sc.id, sc.field, l.rank, e.name, e.credit_code, d.id, d.standard_code, d.standard_title, sc.published_on
		FROM leader_entries l JOIN leader_schemes sc ON sc.id = l.scheme_id JOIN declarations d ON d.id = l.declaration_id JOIN enterprises e ON e.id = l.enterprise_id
		WHERE sc.year = $1 AND sc.status = 'published' AND l.leader = 1 ORDER BY sc.field, l.rank`, []any{year}, func(r *sql.Rows) error {
		var l Leader
		err := r.Scan(&l.SchemeID, &l.Field, &l.Rank, &l.EnterpriseName, &l.CreditCode, &l.DeclarationID, &l.StandardCode, &l.StandardTitle, &l.PublishedOn)
		out = append(out, l)
		return err
	})
	return out, err
}

// Schemes lists the schemes p may see, newest year first, each with its
// indicators and ranking: administrators and supervisors see all, others
// those in public notice or published.
func (s *Service) Schemes(ctx context.Context, p auth.Principal) ([]Scheme, error) {
	q := `SELECT id FROM leader_schemes WHERE status IN ('notice', 'published') ORDER BY year DESC, field, id`
	if p.Has(Editors...) {
		q = `SELECT id FROM leader_schemes ORDER BY year DESC, field, id`
	}
	var ids []int64
	err := store.EachRow(ctx, s.db.Reader(), q, nil, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Scheme, 0, len(ids))
	for _, id := range ids {
		sc, err := s.loadScheme(ctx, s.db.Reader(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// LeaderYears are the years with a published leader list, newest first.
func (s *Service) LeaderYears(ctx context.Context) ([]int, error) {
	years := []int{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT DISTINCT year FROM leader_schemes WHERE status = 'published' ORDER BY year DESC`, nil, func(r *sql.Rows) error {
		var y int
		err := r.Scan(&y)
		years = append(years, y)
		return err
	})
	return years, err
}

// DeclarationRanking is where one declaration stands in one scheme.
type DeclarationRanking struct {
	SchemeID    int64       `json:"scheme_id"`
	SchemeName  string      `json:"scheme_name"`
	Year        int         `json:"year"`
	Field       string      `json:"field"`
	Status      string      `json:"status"`
	StatusLabel string      `json:"status_label"`
	Eligible    int         `json:"eligible"` // how many eligible declarations the scheme ranks
	Entry       LeaderEntry `json:"entry"`
}

// RankingsOf lists the schemes a declaration takes part in with its tier
// and rank. Rankings in public notice or published are public; a ranking
// not yet noticed is shown to administrators, supervisors and those who act
// for the declaring enterprise.
func (s *Service) RankingsOf(ctx context.Context, p auth.Principal, declarationID int64) ([]DeclarationRanking, error) {
	d, err := s.GetDeclaration(ctx, p, declarationID)
	if err != nil {
		return nil, err
	}
	insider := p.Has(Editors...) || (!p.Anonymous() && s.actsFor(ctx, s.db.Reader(), p, d.EnterpriseID) == nil)
	out := []DeclarationRanking{}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT sc.id, sc.name, sc.year, sc.field, sc.status,
			(SELECT COUNT(*) FROM leader_entries x WHERE x.scheme_id = sc.id AND x.eligible = 1),
			l.eligible, l.reason, l.tier, l.margin, l.rank, l.shortlisted, l.removed_reason, l.leader
		FROM leader_entries l JOIN leader_schemes sc ON sc.id = l.scheme_id
		WHERE l.declaration_id = $1 ORDER BY sc.year DESC, sc.id`, []any{declarationID}, func(r *sql.Rows) error {
		var dr DeclarationRanking
		var eligible, short, leader int
		en := &dr.Entry
		if err := r.Scan(&dr.SchemeID, &dr.SchemeName, &dr.Year, &dr.Field, &dr.Status, &dr.Eligible,
			&eligible, &en.Reason, &en.Tier, &en.Margin, &en.Rank, &short, &en.RemovedReason, &leader); err != nil {
			return err
		}
		if dr.Status != SchemeNotice && dr.Status != SchemePublished && !insider {
			return nil
		}
		en.DeclarationID, en.EnterpriseID, en.EnterpriseName, en.StandardCode, en.StandardTitle = d.ID, d.EnterpriseID, d.EnterpriseName, d.StandardCode, d.StandardTitle
		en.Eligible, en.Shortlisted, en.Leader = eligible != 0, short != 0, leader != 0
		dr.StatusLabel = SchemeStatusLabels[dr.Status]
		out = append(out, dr)
		return nil
	})
	return out, err
}

// DirectionLabel is the direction in Chinese.
func (c CoreIndicator) DirectionLabel() string { return DirectionLabels[c.Direction] }

// TierLabels describe the tiers, best first: 第 1 档 ≥ 99.5 …, the last
// one starting at the baseline.
func (c CoreIndicator) TierLabels() []string {
	op := "≥"
	if c.Direction == LowerBetter {
		op = "≤"
	}
	out := make([]string, 0, len(c.Cuts)+1)
	for i, cut := range c.Cuts {
		out = append(out, fmt.Sprintf("第 %d 档 %s %s", i+1, op, strconv.FormatFloat(cut, 'g', -1, 64)))
	}
	return append(out, fmt.Sprintf("第 %d 档 %s %s（国家标准要求）", len(c.Cuts)+1, op, strconv.FormatFloat(c.Baseline, 'g', -1, 64)))
}

// MarginLabel is the margin over the baselines as a percentage.
func (e LeaderEntry) MarginLabel() string {
	if !e.Eligible {
		return "—"
	}
	return fmt.Sprintf("%+.1f%%", e.Margin*100)
}
