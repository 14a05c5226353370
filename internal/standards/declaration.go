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

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Self-declaration (标准化法 art. 27; 企业标准化促进办法 art. 14): an
// enterprise discloses each standard it applies, for the products it
// applies it to, and for its own enterprise standards the indicators with
// their test methods and a commitment; where these are fewer or lower than
// the recommended national standard it must say so. Declarations are
// reviewed at least every three years.

// Declaration statuses.
const (
	DeclCurrent   = "current"
	DeclWithdrawn = "withdrawn"
)

// Indicator directions.
const (
	HigherBetter = "higher"
	LowerBetter  = "lower"
)

// DirectionLabels name the directions in Chinese.
var DirectionLabels = map[string]string{HigherBetter: "越高越好", LowerBetter: "越低越好"}

// ReviewYears is the longest time between reviews of a declaration, and
// ReviewNoticeDays how long before the due date the reminder starts.
const (
	ReviewYears      = 3
	ReviewNoticeDays = 90
)

// Commitment is the text an enterprise accepts for its own standards.
const Commitment = "本企业承诺：所声明的企业标准真实有效，产品符合所声明的功能指标和性能指标，并对声明内容的真实性负责；指标或检验方法变化时及时更新声明。"

// DeclSearchKind is the kind of the current declarations in the search
// index; its code is stored (see search.Kind) and must never change.
var DeclSearchKind = search.Kind{Name: "declaration", Code: 2}

// Product is one product a standard is applied to.
type Product struct {
	Name     string `json:"name"`
	Model    string `json:"model"`
	Category string `json:"category"`
}

// Indicator is one functional or performance indicator of an enterprise
// standard. National is the recommended national standard's value, when the
// enterprise gives it for comparison.
type Indicator struct {
	Name       string   `json:"name"`
	Unit       string   `json:"unit"`
	Value      string   `json:"value"`
	Number     *float64 `json:"number,omitempty"` // Value as a number, when it is one
	TestMethod string   `json:"test_method"`
	Direction  string   `json:"direction"` // higher or lower (is better)
	National   string   `json:"national,omitempty"`
	Worse      bool     `json:"worse"` // lower than National in the indicator's direction
}

// DirectionLabel is the direction in Chinese.
func (i Indicator) DirectionLabel() string { return DirectionLabels[i.Direction] }

// DeclarationInput is what an enterprise submits.
type DeclarationInput struct {
	EnterpriseID  int64       `json:"enterprise_id"`
	StandardCode  string      `json:"standard_code"`
	StandardTitle string      `json:"standard_title"` // required when the code is not in the registry
	Products      []Product   `json:"products"`
	Indicators    []Indicator `json:"indicators"`     // own enterprise standards: at least one
	NationalRef   string      `json:"national_ref"`   // the recommended national standard compared with
	BelowNational bool        `json:"below_national"` // indicators fewer or lower than NationalRef
	BelowNote     string      `json:"below_note"`
	Committed     bool        `json:"committed"` // accepts Commitment (own standards)
	Demo          bool        `json:"demo"`
	Note          string      `json:"note"`
}

// Declaration is a stored declaration with its enterprise.
type Declaration struct {
	ID             int64       `json:"id"`
	EnterpriseID   int64       `json:"enterprise_id"`
	EnterpriseName string      `json:"enterprise_name"`
	CreditCode     string      `json:"credit_code"`
	StandardKey    string      `json:"standard_key"`
	StandardCode   string      `json:"standard_code"`
	StandardTitle  string      `json:"standard_title"`
	StandardFamily string      `json:"standard_family"`
	StandardID     int64       `json:"standard_id,omitempty"` // the registry record
	Own            bool        `json:"own"`                   // an enterprise standard of the declarant
	Products       []Product   `json:"products"`
	Indicators     []Indicator `json:"indicators"`
	NationalRef    string      `json:"national_ref"`
	BelowNational  bool        `json:"below_national"`
	BelowNote      string      `json:"below_note"`
	Committed      bool        `json:"committed"`
	Commitment     string      `json:"commitment,omitempty"`
	Status         string      `json:"status"`
	DeclaredOn     string      `json:"declared_on"`
	ReviewedOn     string      `json:"reviewed_on"`
	ReviewDue      string      `json:"review_due"`
	Review         string      `json:"review"` // ok, due (within ReviewNoticeDays) or overdue
	WithdrawnOn    string      `json:"withdrawn_on"`
	Demo           bool        `json:"demo"`
	Note           string      `json:"note"`
	CreatedBy      string      `json:"-"` // a login: not for the public
	CreatedAt      string      `json:"created_at"`
	UpdatedAt      string      `json:"updated_at"`
}

// FamilyLabel is the declared standard's family in Chinese.
func (d Declaration) FamilyLabel() string { return FamilyLabels[d.StandardFamily] }

// ReviewLabel says in Chinese where the review stands.
func (d Declaration) ReviewLabel() string {
	switch {
	case d.Status == DeclWithdrawn:
		return "已撤销"
	case d.Review == "overdue":
		return "已逾期未复核"
	case d.Review == "due":
		return "即将到期，请复核"
	}
	return "有效"
}

// declRecord is a validated input.
type declRecord struct {
	DeclarationInput
	code     Code
	stdID    int64
	own      bool
	products []Product
	inds     []Indicator
}

func addYears(iso string, n int) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.AddDate(n, 0, 0).Format("2006-01-02")
}

func parseNumber(s string) *float64 {
	s = strings.TrimSpace(strings.NewReplacer("，", "", ",", "", "＋", "", "+", "", "≥", "", "≤", "", "＞", "", "＜", "", ">", "", "<", "").Replace(clean(s)))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// regInfo is what the registry says about a declared code.
type regInfo struct {
	id            int64
	title, status string
}

// validateDecl checks a declaration inside tx and returns what to store.
func (s *Service) validateDecl(ctx context.Context, q querier, in DeclarationInput) (declRecord, error) {
	var entName string
	if err := q.QueryRowContext(ctx, `SELECT name FROM enterprises WHERE id = $1`, in.EnterpriseID).Scan(&entName); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return declRecord{}, apperr.NotFound("没有编号为 %d 的企业", in.EnterpriseID)
		}
		return declRecord{}, fmt.Errorf("standards: declaration: %w", err)
	}
	var reg *regInfo
	if c := ParseCode(in.StandardCode); c.Valid {
		var ri regInfo
		err := q.QueryRowContext(ctx, `SELECT id, title, status FROM standards WHERE code_key = $1`, c.Normalized).Scan(&ri.id, &ri.title, &ri.status)
		switch {
		case err == nil:
			reg = &ri
		case !errors.Is(err, sql.ErrNoRows):
			return declRecord{}, fmt.Errorf("standards: declaration: %w", err)
		}
	}
	return checkDecl(in, reg)
}

// checkDecl validates a declaration given what the registry holds for its
// code (nil: not there).
func checkDecl(in DeclarationInput, reg *regInfo) (declRecord, error) {
	r := declRecord{DeclarationInput: in}
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	r.code = ParseCode(in.StandardCode)
	if strings.TrimSpace(in.StandardCode) == "" {
		bad("请填写所执行标准的标准号")
	} else if !r.code.Valid {
		bad("标准号“%s”无法识别：%s", in.StandardCode, r.code.Error)
	}
	r.StandardTitle = strings.TrimSpace(in.StandardTitle)
	if r.code.Valid {
		switch {
		case reg == nil, reg.status == StatusProject:
		case reg.status == StatusWithdrawn:
			bad("标准 %s 已废止，不能声明执行", r.code.Display)
		default:
			r.stdID, r.StandardTitle = reg.id, reg.title
		}
		r.own = r.code.Family == FamilyEnterprise
	}
	if r.StandardTitle == "" && r.code.Valid {
		bad("标准 %s 不在标准库中，请填写标准名称", r.code.Display)
	}
	for i, p := range in.Products {
		p = Product{strings.TrimSpace(p.Name), strings.TrimSpace(p.Model), strings.TrimSpace(p.Category)}
		if p == (Product{}) {
			continue
		}
		if p.Name == "" || p.Model == "" || p.Category == "" {
			bad("第 %d 个产品：产品名称、规格型号和产品类别均为必填", i+1)
		}
		r.products = append(r.products, p)
	}
	if len(r.products) == 0 {
		bad("请至少填写一个执行该标准的产品（产品名称、规格型号、产品类别）")
	}
	worse := []string{}
	for i, ind := range in.Indicators {
		ind.Name, ind.Unit, ind.Value, ind.TestMethod, ind.National = strings.TrimSpace(ind.Name), strings.TrimSpace(ind.Unit), strings.TrimSpace(ind.Value),
			strings.TrimSpace(ind.TestMethod), strings.TrimSpace(ind.National)
		ind.Direction = strings.TrimSpace(ind.Direction)
		switch ind.Direction {
		case "越高越好", "高":
			ind.Direction = HigherBetter
		case "越低越好", "低":
			ind.Direction = LowerBetter
		}
		if ind.Name == "" && ind.Unit == "" && ind.Value == "" && ind.TestMethod == "" && ind.National == "" {
			continue
		}
		n := i + 1
		if ind.Name == "" || ind.Unit == "" || ind.Value == "" || ind.TestMethod == "" {
			bad("第 %d 项指标：指标名称、单位、指标值和检验方法均为必填（无单位填“—”）", n)
		}
		if ind.Direction != HigherBetter && ind.Direction != LowerBetter {
			bad("第 %d 项指标“%s”：请选择越高越好或越低越好", n, ind.Name)
		}
		ind.Number = parseNumber(ind.Value)
		ind.Worse = false
		if ind.National != "" {
			nat := parseNumber(ind.National)
			switch {
			case ind.Number == nil || nat == nil:
				bad("第 %d 项指标“%s”：与国家标准比较时，声明值和国家标准值都应为数值", n, ind.Name)
			case ind.Direction == HigherBetter && *ind.Number < *nat, ind.Direction == LowerBetter && *ind.Number > *nat:
				ind.Worse = true
				worse = append(worse, fmt.Sprintf("“%s”%s%s（国家标准 %s）", ind.Name, ind.Value, ind.Unit, ind.National))
			}
		}
		r.inds = append(r.inds, ind)
	}
	if r.own {
		if len(r.inds) == 0 {
			bad("执行本企业的企业标准，须公开功能指标和性能指标（指标名称、单位、指标值、检验方法、越高或越低越好）")
		}
		if !in.Committed {
			bad("执行本企业的企业标准，须作出承诺")
		}
	} else if len(r.inds) > 0 && r.code.Valid {
		bad("只有本企业的企业标准（Q/ 开头）需要公开指标；执行 %s 时请不填指标", r.code.Display)
	}
	r.NationalRef = strings.TrimSpace(in.NationalRef)
	if r.NationalRef != "" {
		nc := ParseCode(r.NationalRef)
		if !nc.Valid || nc.Family != FamilyNational {
			bad("对比的推荐性国家标准“%s”应为有效的国家标准号（如 GB/T 19001—2016）", r.NationalRef)
		} else {
			r.NationalRef = nc.Display
		}
	}
	r.BelowNote = strings.TrimSpace(in.BelowNote)
	if len(worse) > 0 && !in.BelowNational {
		bad("指标%s低于推荐性国家标准，须勾选“指标少于或低于推荐性国家标准”并说明", strings.Join(worse, "、"))
	}
	if in.BelowNational && (r.NationalRef == "" || r.BelowNote == "") {
		bad("指标少于或低于推荐性国家标准时，须写明对比的国家标准号并说明理由")
	}
	if len(msgs) > 0 {
		return r, &apperr.Error{Kind: apperr.ErrInvalid, Msg: strings.Join(msgs, "；")}
	}
	return r, nil
}

// Declare publishes a declaration for an enterprise p acts for (a linked
// enterprise user, or an administrator on its behalf). A standard is
// declared once per enterprise; change or review the existing declaration.
func (s *Service) Declare(ctx context.Context, p auth.Principal, in DeclarationInput) (Declaration, error) {
	var r declRecord
	return s.declSpec().Save(ctx, kit.Write[Declaration]{By: p.Actor(), Allowed: p.Require(auth.RoleEnterprise, auth.RoleAdmin), Action: "declare",
		Validate: func() error {
			if in.EnterpriseID <= 0 {
				return apperr.Invalid("请选择声明的企业")
			}
			return nil
		},
		Check: func(tx *sql.Tx, _ Declaration) error {
			if err := s.actsFor(ctx, tx, p, in.EnterpriseID); err != nil {
				return err
			}
			var err error
			if r, err = s.validateDecl(ctx, tx, in); err != nil {
				return err
			}
			var dup int64
			err = tx.QueryRowContext(ctx, `SELECT id FROM declarations WHERE enterprise_id = $1 AND standard_key = $2 AND status = 'current'`, in.EnterpriseID, r.code.Normalized).Scan(&dup)
			if err == nil {
				return apperr.Conflict("本企业已声明执行 %s（声明编号 %d），请修改或复核该声明", r.code.Display, dup)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("standards: declare: %w", err)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Declaration) (id int64, err error) {
			today := s.today()
			now := s.now().UTC().Format(time.RFC3339)
			err = tx.QueryRowContext(ctx, `INSERT INTO declarations(enterprise_id, standard_key, standard_code, standard_title, standard_family, standard_id, own,
				national_ref, below_national, below_note, committed, status, declared_on, reviewed_on, review_due, demo, note, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'current', $12, '', $13, $14, $15, $16, $17, $17) RETURNING id`,
				in.EnterpriseID, r.code.Normalized, r.code.Display, r.StandardTitle, r.code.Family, store.NullID(r.stdID), store.BoolInt(r.own),
				r.NationalRef, store.BoolInt(r.BelowNational), r.BelowNote, store.BoolInt(r.own && r.Committed), today, addYears(today, ReviewYears), store.BoolInt(r.Demo), strings.TrimSpace(r.Note), p.Actor().Name, now).Scan(&id)
			if err != nil {
				return 0, err
			}
			return id, s.saveDecl(ctx, tx, id, r)
		},
	})
}

// declSpec keeps the declarations; the enterprise check (actsFor) is each
// write's Check.
func (s *Service) declSpec() kit.Spec[Declaration] {
	return kit.Spec[Declaration]{DB: s.db, Entity: "declaration", Noun: "自我声明", Load: s.loadDecl}
}

// saveDecl writes a declaration's products and indicators and indexes it
// for search.
func (s *Service) saveDecl(ctx context.Context, tx *sql.Tx, id int64, r declRecord) error {
	if err := s.saveDeclParts(ctx, tx, id, r); err != nil {
		return err
	}
	d, err := s.loadDecl(ctx, tx, id)
	if err != nil {
		return err
	}
	return search.Index(ctx, s.db, tx, declDoc(d))
}

func (s *Service) saveDeclParts(ctx context.Context, tx *sql.Tx, id int64, r declRecord) error {
	for _, q := range []string{`DELETE FROM declaration_products WHERE declaration_id = $1`, `DELETE FROM declaration_indicators WHERE declaration_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("standards: declaration parts: %w", err)
		}
	}
	for i, p := range r.products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO declaration_products(declaration_id, ordinal, name, model, category) VALUES ($1, $2, $3, $4, $5)`,
			id, i+1, p.Name, p.Model, p.Category); err != nil {
			return fmt.Errorf("standards: declaration product: %w", err)
		}
	}
	for i, ind := range r.inds {
		var num any
		if ind.Number != nil {
			num = *ind.Number
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO declaration_indicators(declaration_id, ordinal, name, unit, value, value_num, test_method, direction, national)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, i+1, ind.Name, ind.Unit, ind.Value, num, ind.TestMethod, ind.Direction, ind.National); err != nil {
			return fmt.Errorf("standards: declaration indicator: %w", err)
		}
	}
	return nil
}

// declDoc is the search document of a declaration: the standard's title and
// the product names as title; code, enterprise, credit code, models,
// categories and indicator names (labels such as 氯化钾含量, searched for
// like a product's category) as keywords; units, test methods and notes as
// text. A change here must raise declLayout.
func declDoc(d Declaration) search.Doc {
	var names, kw, body []string
	facets := []string{"family:" + d.StandardFamily, "own:" + strconv.Itoa(store.BoolInt(d.Own)), "below:" + strconv.Itoa(store.BoolInt(d.BelowNational))}
	seen := map[string]bool{}
	for _, p := range d.Products {
		names = append(names, p.Name)
		kw = append(kw, p.Model, p.Category)
		c := "category:" + strings.Join(strings.Fields(p.Category), "_")
		if !seen[c] {
			seen[c] = true
			facets = append(facets, c)
		}
	}
	kw = append(kw, d.StandardCode, d.EnterpriseName, d.CreditCode)
	for _, i := range d.Indicators {
		kw = append(kw, i.Name)
		body = append(body, i.Unit, i.TestMethod)
	}
	body = append(body, d.NationalRef, d.BelowNote, d.Note)
	return search.Doc{Kind: DeclSearchKind, RefID: d.ID, Rank: search.DayRank(d.DeclaredOn), Title: d.StandardTitle + " " + strings.Join(names, " "),
		Keywords: strings.Join(kw, " "), Body: strings.Join(body, " "), Facets: facets}
}

// UpdateDeclaration changes a current declaration; the change counts as its
// review.
func (s *Service) UpdateDeclaration(ctx context.Context, p auth.Principal, id int64, in DeclarationInput) (Declaration, error) {
	var r declRecord
	return s.declSpec().Save(ctx, kit.Write[Declaration]{By: p.Actor(), Allowed: p.Require(auth.RoleEnterprise, auth.RoleAdmin), ID: id, Action: "update",
		Check: func(tx *sql.Tx, before Declaration) error {
			if err := s.actsFor(ctx, tx, p, before.EnterpriseID); err != nil {
				return err
			}
			if before.Status != DeclCurrent {
				return apperr.Invalid("声明已撤销，不能修改")
			}
			in.EnterpriseID = before.EnterpriseID
			var err error
			if r, err = s.validateDecl(ctx, tx, in); err != nil {
				return err
			}
			if r.code.Normalized != before.StandardKey {
				var dup int64
				err := tx.QueryRowContext(ctx, `SELECT id FROM declarations WHERE enterprise_id = $1 AND standard_key = $2 AND status = 'current' AND id <> $3`, before.EnterpriseID, r.code.Normalized, id).Scan(&dup)
				if err == nil {
					return apperr.Conflict("本企业已声明执行 %s（声明编号 %d）", r.code.Display, dup)
				}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Declaration) (int64, error) {
			today := s.today()
			_, err := tx.ExecContext(ctx, `UPDATE declarations SET standard_key = $1, standard_code = $2, standard_title = $3, standard_family = $4, standard_id = $5, own = $6,
				national_ref = $7, below_national = $8, below_note = $9, committed = $10, reviewed_on = $11, review_due = $12, note = $13, updated_at = $14 WHERE id = $15`,
				r.code.Normalized, r.code.Display, r.StandardTitle, r.code.Family, store.NullID(r.stdID), store.BoolInt(r.own), r.NationalRef, store.BoolInt(r.BelowNational), r.BelowNote,
				store.BoolInt(r.own && r.Committed), today, addYears(today, ReviewYears), strings.TrimSpace(r.Note), s.now().UTC().Format(time.RFC3339), id)
			if err != nil {
				return 0, err
			}
			return id, s.saveDecl(ctx, tx, id, r)
		},
	})
}

// ReviewDeclaration records that the enterprise has reviewed a declaration
// and it still holds; the next review is due in ReviewYears.
func (s *Service) ReviewDeclaration(ctx context.Context, p auth.Principal, id int64) (Declaration, error) {
	return s.changeDecl(ctx, p, id, "review", func(tx *sql.Tx, today string) error {
		_, err := tx.ExecContext(ctx, `UPDATE declarations SET reviewed_on = $1, review_due = $2, updated_at = $3 WHERE id = $4`,
			today, addYears(today, ReviewYears), s.now().UTC().Format(time.RFC3339), id)
		return err
	})
}

// WithdrawDeclaration withdraws a declaration (the enterprise no longer
// applies the standard); it leaves the public list and the search.
func (s *Service) WithdrawDeclaration(ctx context.Context, p auth.Principal, id int64) (Declaration, error) {
	return s.changeDecl(ctx, p, id, "withdraw", func(tx *sql.Tx, today string) error {
		if _, err := tx.ExecContext(ctx, `UPDATE declarations SET status = 'withdrawn', withdrawn_on = $1, updated_at = $2 WHERE id = $3`,
			today, s.now().UTC().Format(time.RFC3339), id); err != nil {
			return err
		}
		return search.Remove(ctx, s.db, tx, DeclSearchKind, id)
	})
}

func (s *Service) changeDecl(ctx context.Context, p auth.Principal, id int64, action string, change func(tx *sql.Tx, today string) error) (Declaration, error) {
	return s.declSpec().Save(ctx, kit.Write[Declaration]{By: p.Actor(), Allowed: p.Require(auth.RoleEnterprise, auth.RoleAdmin), ID: id, Action: action,
		Check: func(tx *sql.Tx, before Declaration) error {
			if err := s.actsFor(ctx, tx, p, before.EnterpriseID); err != nil {
				return err
			}
			if before.Status != DeclCurrent {
				return apperr.Invalid("声明已撤销")
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Declaration) (int64, error) { return id, change(tx, s.today()) },
	})
}

const declColumns = `d.id, d.enterprise_id, e.name, e.credit_code, d.standard_key, d.standard_code, d.standard_title, d.standard_family, COALESCE(d.standard_id, 0), d.own,
	d.national_ref, d.below_national, d.below_note, d.committed, d.status, d.declared_on, d.reviewed_on, d.review_due, d.withdrawn_on, d.demo, d.note, d.created_by, d.created_at, d.updated_at`

func (s *Service) scanDecl(sc scanner) (Declaration, error) {
	var d Declaration
	var own, below, committed, demo int
	err := sc.Scan(&d.ID, &d.EnterpriseID, &d.EnterpriseName, &d.CreditCode, &d.StandardKey, &d.StandardCode, &d.StandardTitle, &d.StandardFamily, &d.StandardID, &own,
		&d.NationalRef, &below, &d.BelowNote, &committed, &d.Status, &d.DeclaredOn, &d.ReviewedOn, &d.ReviewDue, &d.WithdrawnOn, &demo, &d.Note, &d.CreatedBy, &d.CreatedAt, &d.UpdatedAt)
	d.Own, d.BelowNational, d.Committed, d.Demo = own != 0, below != 0, committed != 0, demo != 0
	if d.Committed {
		d.Commitment = Commitment
	}
	d.Review = s.reviewState(d.ReviewDue)
	d.Products, d.Indicators = []Product{}, []Indicator{}
	return d, err
}

func (s *Service) reviewState(due string) string {
	today := s.today()
	switch {
	case due < today:
		return "overdue"
	case due <= kit.AddDays(today, ReviewNoticeDays):
		return "due"
	}
	return "ok"
}

func (s *Service) loadDecl(ctx context.Context, q querier, id int64) (Declaration, error) {
	d, err := s.scanDecl(q.QueryRowContext(ctx, `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFound("没有编号为 %d 的声明", id)
	}
	if err != nil {
		return d, fmt.Errorf("standards: declaration %d: %w", id, err)
	}
	ds := []*Declaration{&d}
	return d, s.declParts(ctx, q, ds)
}

// declParts loads the products and indicators of ds.
func (s *Service) declParts(ctx context.Context, q querier, ds []*Declaration) error {
	if len(ds) == 0 {
		return nil
	}
	at := map[int64]*Declaration{}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		at[d.ID], ids[i] = d, d.ID
	}
	set, arg := s.idList(ids, "$1")
	err := store.EachRow(ctx, q, `SELECT declaration_id, name, model, category FROM declaration_products WHERE declaration_id IN (`+set+`) ORDER BY declaration_id, ordinal`, []any{arg}, func(r *sql.Rows) error {
		var id int64
		var p Product
		err := r.Scan(&id, &p.Name, &p.Model, &p.Category)
		at[id].Products = append(at[id].Products, p)
		return err
	})
	if err != nil {
		return err
	}
	return store.EachRow(ctx, q, `SELECT declaration_id, name, unit, value, value_num, test_method, direction, national FROM declaration_indicators WHERE declaration_id IN (`+set+`) ORDER BY declaration_id, ordinal`, []any{arg}, func(r *sql.Rows) error {
		var id int64
		var i Indicator
		var num sql.NullFloat64
		err := r.Scan(&id, &i.Name, &i.Unit, &i.Value, &num, &i.TestMethod, &i.Direction, &i.National)
		if num.Valid {
			i.Number = &num.Float64
		}
		if nat := parseNumber(i.National); nat != nil && i.Number != nil {
			i.Worse = (i.Direction == HigherBetter && *i.Number < *nat) || (i.Direction == LowerBetter && *i.Number > *nat)
		}
		at[id].Indicators = append(at[id].Indicators, i)
		return err
	})
}

// GetDeclaration returns a declaration. Current ones are public; a withdrawn
// one only to those who act for its enterprise and to administrators and
// supervisors.
func (s *Service) GetDeclaration(ctx context.Context, p auth.Principal, id int64) (Declaration, error) {
	d, err := s.loadDecl(ctx, s.db.Reader(), id)
	if err != nil {
		return d, err
	}
	if d.Status != DeclCurrent && !p.Has(Editors...) && s.actsFor(ctx, s.db.Reader(), p, d.EnterpriseID) != nil {
		return Declaration{}, apperr.OutOfScope("没有编号为 %d 的声明", id)
	}
	return d, nil
}

// DeclParams are a public search of declarations.
type DeclParams struct {
	Q        string `json:"q"`
	Category string `json:"category"`
	Own      string `json:"own"`   // "1": enterprise standards only
	Below    string `json:"below"` // "1": only declarations below the national standard
	Page     int    `json:"page"`
	PerPage  int    `json:"per_page"`
}

// DeclResult is a page of declarations.
type DeclResult struct {
	Params DeclParams         `json:"params"`
	Total  int                `json:"total"`
	More   bool               `json:"more"`
	Pages  int                `json:"pages"`
	Hits   []DeclHit          `json:"hits"`
	Facets map[string][]Facet `json:"facets"`
}

// DeclHit is one result.
type DeclHit struct {
	Declaration
	Score   int              `json:"score"`
	TitleHL []search.Segment `json:"title_highlighted"`
}

// SearchDeclarations lists current declarations, newest first, or with Q
// those matching it, ranked like the standards search (at most Limit). A Q
// that is a valid credit code lists that enterprise's declarations.
func (s *Service) SearchDeclarations(ctx context.Context, p DeclParams) (DeclResult, error) {
	pg, err := listPaging.Page(p.Page, p.PerPage)
	if err != nil {
		return DeclResult{Params: p, Hits: []DeclHit{}, Facets: map[string][]Facet{}}, err
	}
	p.Page, p.PerPage = pg.Number, pg.Size
	res := DeclResult{Params: p, Hits: []DeclHit{}, Facets: map[string][]Facet{}}
	query, err := search.Parse(p.Q)
	if err != nil {
		return res, err
	}
	var where []string
	var wargs []any
	if c := strings.TrimSpace(p.Category); c != "" {
		where = append(where, "EXISTS (SELECT 1 FROM declaration_products dp WHERE dp.declaration_id = s.id AND dp.category = $?)")
		wargs = append(wargs, c)
	}
	if p.Own == "1" {
		where = append(where, "s.own = 1")
	}
	if p.Below == "1" {
		where = append(where, "s.below_national = 1")
	}
	// cond renders the conditions, numbering each "$?" from next.
	cond := func(next int) (string, []any) {
		var b strings.Builder
		k := next
		for _, w := range where {
			if strings.Contains(w, "$?") {
				w = strings.ReplaceAll(w, "$?", "$"+strconv.Itoa(k))
				k++
			}
			b.WriteString(" AND " + w)
		}
		return b.String(), wargs
	}
	var top []search.Match
	credit, cerr := ParseCreditCode(p.Q)
	switch {
	case strings.TrimSpace(p.Q) != "" && cerr == nil:
		// A credit code: that enterprise's declarations, straight from the table.
		w, args := cond(2)
		args = append([]any{credit}, args...)
		args = append(args, Limit+1)
		err = store.EachRow(ctx, s.db.Reader(), `SELECT s.id FROM declarations s WHERE s.enterprise_id = (SELECT id FROM enterprises WHERE credit_code = $1) AND s.status = 'current'`+w+
			` ORDER BY s.declared_on DESC, s.id DESC LIMIT $`+strconv.Itoa(len(args)), args, func(r *sql.Rows) error {
			m := search.Match{Score: 1000}
			err := r.Scan(&m.RefID)
			top = append(top, m)
			return err
		})
	case !query.Empty():
		var f *search.Filter
		if len(where) > 0 {
			f = &search.Filter{Table: "declarations", Where: cond}
		}
		top, err = search.Top(ctx, s.db, query, DeclSearchKind, f, Limit+1)
	case strings.TrimSpace(p.Q) != "":
		return res, nil
	default:
		w, args := cond(1)
		args = append(append([]any{}, args...), Limit+1)
		err = store.EachRow(ctx, s.db.Reader(), `SELECT s.id FROM declarations s WHERE s.status = 'current'`+w+` ORDER BY s.declared_on DESC, s.id DESC LIMIT $`+strconv.Itoa(len(args)), args, func(r *sql.Rows) error {
			var m search.Match
			err := r.Scan(&m.RefID)
			top = append(top, m)
			return err
		})
	}
	if err != nil {
		return res, err
	}
	if len(top) > Limit {
		top, res.More = top[:Limit], true
	}
	res.Total = len(top)
	res.Pages = pg.Pages(res.Total)
	lo, hi := pg.Bounds(len(top))
	if lo == hi { // past the last page
		return res, s.declFacets(ctx, &res, top)
	}
	page := top[lo:hi]
	ids := make([]int64, len(page))
	at := map[int64]int{}
	for i, m := range page {
		ids[i], at[m.RefID] = m.RefID, i
	}
	set, arg := s.idList(ids, "$1")
	hits := make([]DeclHit, len(page))
	ptrs := make([]*Declaration, len(page))
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.id IN (`+set+`)`, []any{arg}, func(r *sql.Rows) error {
		d, err := s.scanDecl(r)
		i := at[d.ID]
		hits[i] = DeclHit{Declaration: d, Score: page[i].Score, TitleHL: search.Highlight(d.StandardTitle, query, 200)}
		return err
	})
	if err != nil {
		return res, err
	}
	for i := range hits {
		ptrs[i] = &hits[i].Declaration
	}
	if err := s.declParts(ctx, s.db.Reader(), ptrs); err != nil {
		return res, err
	}
	res.Hits = hits
	return res, s.declFacets(ctx, &res, top)
}

// declFacets counts the ranked results by product category, own standard
// and below-national flag.
func (s *Service) declFacets(ctx context.Context, res *DeclResult, top []search.Match) error {
	if len(top) > 0 && top[0].Facets == nil {
		// Listed from the table: read the labels from the index.
		ids := make([]int64, len(top))
		at := map[int64]int{}
		for i, m := range top {
			ids[i], at[m.RefID] = m.RefID, i
		}
		set, arg := s.idList(ids, "$1")
		err := store.EachRow(ctx, s.db.Reader(), `SELECT ref_id, facets FROM search_docs WHERE kind = '`+DeclSearchKind.Name+`' AND ref_id IN (`+set+`)`, []any{arg}, func(r *sql.Rows) error {
			var id int64
			var f string
			err := r.Scan(&id, &f)
			top[at[id]].Facets = strings.Fields(f)
			return err
		})
		if err != nil {
			return err
		}
	}
	counts := map[string]map[string]int{"category": {}, "own": {}, "below": {}}
	for _, m := range top {
		for _, f := range m.Facets {
			if name, v, ok := strings.Cut(f, ":"); ok && counts[name] != nil {
				counts[name][strings.ReplaceAll(v, "_", " ")]++
			}
		}
	}
	labels := map[string]func(string) string{
		"category": func(v string) string { return v },
		"own": func(v string) string {
			if v == "1" {
				return "企业标准"
			}
			return "其他标准"
		},
		"below": func(v string) string {
			if v == "1" {
				return "低于国家标准"
			}
			return "不低于国家标准"
		},
	}
	for name, m := range counts {
		fs := []Facet{}
		for v, n := range m {
			fs = append(fs, Facet{Value: v, Label: labels[name](v), Count: n})
		}
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].Count != fs[j].Count {
				return fs[i].Count > fs[j].Count
			}
			return fs[i].Value < fs[j].Value
		})
		res.Facets[name] = fs
	}
	return nil
}

// MyDeclarations lists the declarations of the enterprises p acts for
// (every enterprise for administrators and supervisors), those whose review
// is due first.
func (s *Service) MyDeclarations(ctx context.Context, p auth.Principal) ([]Declaration, error) {
	q := `SELECT ` + declColumns + ` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id`
	var args []any
	switch {
	case p.Has(Editors...):
	case p.Has(auth.RoleEnterprise):
		q += ` JOIN user_enterprise u ON u.enterprise_id = d.enterprise_id AND u.user_id = $1`
		args = []any{p.UserID}
	default:
		return nil, p.Require(append([]auth.Role{auth.RoleEnterprise}, Editors...)...)
	}
	q += ` ORDER BY CASE WHEN d.status = 'current' THEN 0 ELSE 1 END, d.review_due, d.id LIMIT 1000`
	out := []Declaration{}
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		d, err := s.scanDecl(r)
		out = append(out, d)
		return err
	})
	return out, err
}

// ReviewReminders are the current declarations p's enterprises must review
// within ReviewNoticeDays, or overdue ones, earliest first.
func (s *Service) ReviewReminders(ctx context.Context, p auth.Principal) ([]Declaration, error) {
	all, err := s.MyDeclarations(ctx, p)
	if err != nil {
		return nil, err
	}
	out := []Declaration{}
	for _, d := range all {
		if d.Status == DeclCurrent && d.Review != "ok" {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeclarationsOf lists the current declarations of a registry standard
// (at most limit, newest first) and how many there are.
func (s *Service) DeclarationsOf(ctx context.Context, standardID int64, limit int) ([]Declaration, int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM declarations WHERE standard_id = $1 AND status = 'current'`, standardID).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("standards: declarations of %d: %w", standardID, err)
	}
	out := []Declaration{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id
		WHERE d.standard_id = $1 AND d.status = 'current' ORDER BY d.declared_on DESC, d.id DESC LIMIT $2`, []any{standardID, limit}, func(r *sql.Rows) error {
		d, err := s.scanDecl(r)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Declaration, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, n, s.declParts(ctx, s.db.Reader(), ptrs)
}
