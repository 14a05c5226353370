package standards

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Bulk import of enterprise self-declarations, as the province receives
// them from the national 企业标准信息公共服务平台: one row per product of a
// declaration; rows with the same credit code and standard code are one
// declaration with several products.
//
// Version 1 imports declarations of standards other than the enterprise's
// own (Q/…): those must publish an indicator table and a commitment, which
// are declared on the declaration page. A row naming a Q/ standard is
// accepted only when the enterprise already has a current declaration of
// it, whose products it then updates (indicators are kept).
//
// Idempotency: a current declaration of the same enterprise and standard
// is left as it is when its products are the same (in any order), and
// otherwise gets the file's products (and, when the file's 声明日期 is
// later than its last declaration or review, that date as its review).
// Importing the same file again writes nothing, not even an audit entry.

// DeclImportColumns are the required header columns, in template order.
var DeclImportColumns = []string{"统一社会信用代码", "企业名称", "标准号", "标准名称", "产品名称", "规格型号", "产品类别", "声明日期"}

// DeclImportNoteColumn is an optional column: a row whose note starts with
// DeclExampleMark is the template's example and is skipped.
const (
	DeclImportNoteColumn = "说明"
	DeclExampleMark      = "示例"
)

// declUnsupported are columns of the national platform's indicator table
// that version 1 does not import; a file carrying them is refused rather
// than silently losing them.
var declUnsupported = []string{"对比国家标准号", "指标名称", "单位", "声明值", "指标值", "检验方法", "方向"}

// Limits of a declaration import file.
const (
	MaxDeclImportBytes = 10 << 20
	MaxDeclImportRows  = 20000
	maxDeclCell        = 300
)

// DeclImportResult counts what a declaration import did (the API's
// answer; the kind's kit.ImportReport says the same).
type DeclImportResult struct {
	Rows               int `json:"rows"`                // data rows read (products), the example row excluded
	Skipped            int `json:"skipped"`             // example rows skipped
	Declarations       int `json:"declarations"`        // declarations in the file
	Created            int `json:"created"`             // declarations created
	Updated            int `json:"updated"`             // declarations whose products changed
	Unchanged          int `json:"unchanged"`           // declarations left as they were
	EnterprisesCreated int `json:"enterprises_created"` // enterprises registered by the import
}

// declEntCreated labels the import's count of enterprises it registered.
const declEntCreated = "新登记企业"

// declRow is a parsed row: one product of a declaration.
type declRow struct {
	credit  string
	entName string
	code    Code
	title   string
	date    string
	product Product
}

// declGroup is one declaration of the file.
type declGroup struct {
	row      int // first row
	rows     []int
	credit   string
	entName  string
	code     Code
	title    string
	date     string
	products []Product
}

// cellText is a text cell as typed, without surrounding space or the
// invisible characters spreadsheets leave behind.
func cellText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s))
}

// declSpec is the table a declaration import reads.
func declSpec() kit.TableSpec {
	cols := make([]kit.Column, 0, len(DeclImportColumns)+1+len(declUnsupported))
	for _, c := range DeclImportColumns {
		cols = append(cols, kit.Column{Name: c, Required: true})
	}
	cols = append(cols, kit.Column{Name: DeclImportNoteColumn})
	for _, c := range declUnsupported {
		cols = append(cols, kit.Column{Name: c, Refuse: "批量导入暂不支持指标表（对比国家标准号、指标名称、单位、声明值、检验方法、方向），请删除这些列；执行本企业企业标准的声明请在“声明执行的标准”页面逐项填写指标"})
	}
	return kit.TableSpec{Columns: cols, Limits: kit.Limits{MaxBytes: MaxDeclImportBytes, MaxRows: MaxDeclImportRows}}
}

// parseDeclRow checks one row without the database; today bounds the
// declaration date.
func parseDeclRow(row kit.Row, today string) (declRow, kit.Errors) {
	var d declRow
	errs := row.Errs
	cell := func(name string) string { return cellText(row.Get(name)) }
	for _, c := range DeclImportColumns {
		if v := cell(c); utf8.RuneCountInString(v) > maxDeclCell {
			errs.AddAt(row, c, "内容过长（%d 字），不能超过 %d 字", utf8.RuneCountInString(v), maxDeclCell)
		}
	}
	if len(errs) > 0 {
		return d, errs
	}
	credit := cell("统一社会信用代码")
	if credit == "" {
		errs.AddAt(row, "统一社会信用代码", "统一社会信用代码不能为空")
	} else if c, err := creditcode.Parse(credit); err != nil {
		errs.AddAt(row, "统一社会信用代码", "%s", apperr.Message(err))
	} else {
		d.credit = c
	}
	d.entName = cell("企业名称")
	if d.entName == "" {
		errs.AddAt(row, "企业名称", "企业名称不能为空")
	}
	codeText := cell("标准号")
	d.code = ParseCode(codeText)
	switch {
	case codeText == "":
		errs.AddAt(row, "标准号", "标准号不能为空")
	case !d.code.Valid:
		errs.AddAt(row, "标准号", "标准号“%s”无法识别：%s", codeText, d.code.Error)
	}
	d.title = cell("标准名称")
	if d.title == "" {
		errs.AddAt(row, "标准名称", "标准名称不能为空")
	}
	d.product = Product{Name: cell("产品名称"), Model: cell("规格型号"), Category: cell("产品类别")}
	for _, f := range []struct{ column, v string }{{"产品名称", d.product.Name}, {"规格型号", d.product.Model}, {"产品类别", d.product.Category}} {
		if f.v == "" {
			errs.AddAt(row, f.column, "%s不能为空（每一行是声明中的一个产品，产品名称、规格型号、产品类别均为必填）", f.column)
		}
	}
	dateText := cell("声明日期")
	if dateText == "" {
		errs.AddAt(row, "声明日期", "声明日期不能为空")
	} else if v, ok := cellDate(dateText); !ok || v == "" {
		errs.AddAt(row, "声明日期", "日期“%s”无效，应为 YYYY-MM-DD", dateText)
	} else if v > today {
		errs.AddAt(row, "声明日期", "声明日期 %s 晚于今天", v)
	} else {
		d.date = v
	}
	return d, errs
}

// declKey is the declaration a row belongs to: the enterprise and the
// standard ("" when either is not known).
func declKey(d declRow) string {
	if d.credit == "" || !d.code.Valid {
		return ""
	}
	return d.credit + "\x00" + d.code.Normalized
}

// nameKey is how enterprise names are compared: NFKC, spaces removed.
func nameKey(s string) string { return strings.Join(strings.Fields(norm.NFKC.String(s)), "") }

// declFolder folds a file's valid rows into declarations, checking each
// row against the declaration's earlier rows and the enterprise's name
// against its earlier rows. letter names a column's letter in the file.
type declFolder struct {
	ents   map[string]entSeen
	letter func(string) string
}

type entSeen struct {
	name, key string
	row       int
}

func (f *declFolder) add(g *declGroup, it kit.Item[declRow]) (*declGroup, kit.Errors) {
	d, n := it.Val, it.Row
	var errs kit.Errors
	bad := func(column, format string, args ...any) {
		errs = append(errs, kit.FieldError{Row: n, Col: f.letter(column), Column: column, Msg: fmt.Sprintf(format, args...)})
	}
	key := nameKey(d.entName)
	if prev, ok := f.ents[d.credit]; !ok {
		f.ents[d.credit] = entSeen{name: d.entName, key: key, row: n}
	} else if prev.key != key {
		bad("企业名称", "统一社会信用代码 %s 在第 %d 行的企业名称为“%s”，本行为“%s”；同一企业的名称应一致", d.credit, prev.row, prev.name, d.entName)
		return nil, errs
	}
	if g == nil {
		return &declGroup{row: n, rows: []int{n}, credit: d.credit, entName: d.entName, code: d.code, title: d.title, date: d.date, products: []Product{d.product}}, nil
	}
	if g.title != d.title {
		bad("标准名称", "同一企业声明 %s 的各行标准名称应一致：第 %d 行为“%s”，本行为“%s”", g.code.Display, g.row, g.title, d.title)
	}
	if g.date != d.date {
		bad("声明日期", "同一企业声明 %s 的各行声明日期应一致：第 %d 行为 %s，本行为 %s", g.code.Display, g.row, g.date, d.date)
	}
	for i, q := range g.products {
		if q == d.product {
			bad("产品名称", "产品“%s %s（%s）”与第 %d 行重复", d.product.Name, d.product.Model, d.product.Category, g.rows[i])
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	g.rows = append(g.rows, n)
	g.products = append(g.products, d.product)
	return g, nil
}

// existingDecl is a current declaration the file's declaration matches.
type existingDecl struct {
	id                             int64
	declaredOn, reviewedOn, family string
	products                       []Product
}

// declPlan is what the write phase does for one group.
type declPlan struct {
	g        *declGroup
	entID    int64 // 0: the enterprise is created
	reg      *regInfo
	rec      declRecord
	existing *existingDecl
}

// ImportDeclarations reads a table of enterprise self-declarations (.csv
// in UTF-8 or GB18030, or .xlsx) and stores it, all or nothing
// (administrators and supervisors): the API's import, the kind
// "declarations" without its options. Every row is checked first, against
// the file and the database; any problem, named by row and column,
// refuses the whole file. Enterprises not yet registered are created. See
// the top of this file for what an existing declaration becomes.
func (s *Service) ImportDeclarations(ctx context.Context, p auth.Principal, name string, r io.Reader) (DeclImportResult, error) {
	src := kit.Source{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
	rep, err := s.importDeclKind(ctx, p, src, kit.ImportOptions{})
	if err != nil {
		return DeclImportResult{}, err
	}
	return DeclImportResult{Rows: rep.Rows, Skipped: rep.Skipped, Declarations: rep.Records, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, EnterprisesCreated: rep.Count(declEntCreated)}, nil
}

// importDeclKind is the kind "declarations": a declaration spans rows, so
// the rows are grouped into declarations (kit.RunGroupImport), each one
// all or nothing, and written in one transaction.
func (s *Service) importDeclKind(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: "declarations", File: src.Name}, err
	}
	rep, err := kit.RunGroupImport(ctx, src, opt, s.declPlan(p))
	if err == nil && !opt.DryRun {
		s.db.Observer().ImportRows("declarations", rep.Rows)
	}
	return rep, err
}

// declPlan is the grouped import of declarations as p.
func (s *Service) declPlan(p auth.Principal) kit.GroupPlan[declRow, declGroup] {
	today := s.today()
	var letters map[string]string
	fold := &declFolder{ents: map[string]entSeen{}, letter: func(c string) string { return letters[c] }}
	return kit.GroupPlan[declRow, declGroup]{
		Kind: "declarations",
		Spec: declSpec(),
		Skip: func(row kit.Row) bool {
			return strings.HasPrefix(cellText(row.Get(DeclImportNoteColumn)), DeclExampleMark)
		},
		Parse: func(row kit.Row) (declRow, kit.Errors) {
			if letters == nil {
				letters = map[string]string{}
				for _, c := range DeclImportColumns {
					letters[c] = row.Letter(c)
				}
			}
			return parseDeclRow(row, today)
		},
		Key: declKey,
		Add: fold.add,
		Check: func(ctx context.Context, gs []*kit.Group[declGroup]) (kit.Errors, error) {
			_, errs, err := s.planDeclImport(ctx, s.db.Reader(), declGroups(gs), fold.letter)
			return errs, err
		},
		Preview: func(ctx context.Context, gs []*kit.Group[declGroup]) (kit.BatchResult, error) {
			var res kit.BatchResult
			plans, _, err := s.planDeclImport(ctx, s.db.Reader(), declGroups(gs), fold.letter)
			for _, pl := range plans {
				switch {
				case pl.existing == nil:
					res.Created++
				case sameProducts(pl.existing.products, pl.g.products):
					res.Unchanged++
				default:
					res.Updated++
				}
			}
			return res, err
		},
		Write: func(ctx context.Context, gs []*kit.Group[declGroup], file kit.ImportReport) (res kit.BatchResult, counts []kit.Count, err error) {
			err = s.db.Tx(ctx, func(tx *sql.Tx) error {
				res, counts, err = s.writeDeclImport(ctx, tx, p, declGroups(gs), file, fold.letter)
				return err
			})
			return res, counts, err
		},
		Mate: func(bad int) string {
			return fmt.Sprintf("与第 %d 行属于同一项声明（统一社会信用代码和标准号相同），该行有错误，整项声明未导入", bad)
		},
	}
}

func declGroups(gs []*kit.Group[declGroup]) []*declGroup {
	out := make([]*declGroup, len(gs))
	for i, g := range gs {
		out[i] = g.Val
	}
	return out
}

// writeDeclImport writes the file's declarations inside tx, checking them
// against the database again there (a change since the check refuses the
// file: kit.Errors), with an audit entry for each declaration written and
// one for the import (nothing when nothing changed).
func (s *Service) writeDeclImport(ctx context.Context, tx *sql.Tx, p auth.Principal, groups []*declGroup, file kit.ImportReport, letter func(string) string) (kit.BatchResult, []kit.Count, error) {
	var res kit.BatchResult
	plans, errs, err := s.planDeclImport(ctx, tx, groups, letter)
	if err != nil {
		return res, nil, err
	}
	if len(errs) > 0 {
		return res, nil, errs
	}
	now := s.now().UTC().Format(time.RFC3339)
	entIDs := map[string]int64{}
	batch := kit.ImportBatch{Kind: "declarations", File: file, FirstRow: groups[0].row}
	for _, pl := range plans {
		batch.FirstRow = min(batch.FirstRow, pl.g.row)
		batch.LastRow = max(batch.LastRow, pl.g.rows[len(pl.g.rows)-1])
		if pl.entID == 0 {
			if id, ok := entIDs[pl.g.credit]; ok {
				pl.entID = id
			} else {
				id, err := s.importEnterprise(ctx, tx, p, pl.g, now)
				if err != nil {
					return res, nil, err
				}
				entIDs[pl.g.credit], pl.entID = id, id
			}
		}
		var after Declaration
		switch {
		case pl.existing == nil:
			if after, err = s.importNewDecl(ctx, tx, p, pl, now); err != nil {
				return res, nil, err
			}
			res.Created++
			batch.Created = append(batch.Created, after.ID)
		case sameProducts(pl.existing.products, pl.g.products):
			res.Unchanged++
			continue
		default:
			if after, err = s.importUpdateDecl(ctx, tx, p, pl, now); err != nil {
				return res, nil, err
			}
			res.Updated++
			batch.Updated = append(batch.Updated, after.ID)
		}
		batch.After = append(batch.After, after)
	}
	batch.Unchanged = res.Unchanged
	counts := []kit.Count{{Label: declEntCreated, N: len(entIDs)}}
	if res.Created+res.Updated+len(entIDs) == 0 {
		return res, counts, nil
	}
	slices.Sort(batch.Created)
	slices.Sort(batch.Updated)
	return res, counts, kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), batch)
}

// planDeclImport checks the file's declarations against the database
// (registered enterprises, the registry, current declarations) and says
// what to write; it writes nothing.
func (s *Service) planDeclImport(ctx context.Context, q querier, groups []*declGroup, col func(string) string) ([]*declPlan, kit.Errors, error) {
	var errs kit.Errors
	type ent struct {
		id   int64
		name string
	}
	ents := map[string]*ent{}
	checked := map[string]bool{}
	regs := map[string]*regInfo{}
	var plans []*declPlan
	for _, g := range groups {
		pl := &declPlan{g: g}
		e, ok := ents[g.credit]
		if !ok {
			var found ent
			err := q.QueryRowContext(ctx, `SELECT id, name FROM enterprises WHERE credit_code = $1`, g.credit).Scan(&found.id, &found.name)
			switch {
			case err == nil:
				e = &found
			case !errors.Is(err, sql.ErrNoRows):
				return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
			}
			ents[g.credit] = e
		}
		if e != nil {
			pl.entID = e.id
			if !checked[g.credit] && strings.Join(strings.Fields(norm.NFKC.String(e.name)), "") != strings.Join(strings.Fields(norm.NFKC.String(g.entName)), "") {
				errs = append(errs, kit.FieldError{Row: g.row, Col: col("企业名称"), Column: "企业名称",
					Msg: fmt.Sprintf("统一社会信用代码 %s 已登记为“%s”，与文件中的“%s”不一致；请核对后修改文件", g.credit, e.name, g.entName)})
			}
			checked[g.credit] = true
		}
		reg, ok := regs[g.code.Normalized]
		if !ok {
			var ri regInfo
			err := q.QueryRowContext(ctx, `SELECT id, title, status FROM standards WHERE code_key = $1`, g.code.Normalized).Scan(&ri.id, &ri.title, &ri.status)
			switch {
			case err == nil:
				reg = &ri
			case !errors.Is(err, sql.ErrNoRows):
				return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
			}
			regs[g.code.Normalized] = reg
		}
		pl.reg = reg
		if pl.entID != 0 {
			ex, err := s.currentDecl(ctx, q, pl.entID, g.code.Normalized)
			if err != nil {
				return nil, nil, err
			}
			pl.existing = ex
		}
		bad := func(column, format string, args ...any) {
			errs = append(errs, kit.FieldError{Row: g.row, Col: col(column), Column: column, Msg: fmt.Sprintf(format, args...)})
		}
		if pl.existing != nil {
			// Only the products change; the declaration was validated when made.
			plans = append(plans, pl)
			continue
		}
		if g.code.Family == FamilyEnterprise {
			bad("标准号", "%s 是企业标准：执行本企业的企业标准须公开功能和性能指标并作出承诺，批量导入暂不支持，请在“声明执行的标准”页面办理", g.code.Display)
			continue
		}
		rec, err := checkDecl(DeclarationInput{StandardCode: g.code.Display, StandardTitle: g.title, Products: g.products}, reg)
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) {
				return nil, nil, err
			}
			bad("标准号", "%s", apperr.Message(err))
			continue
		}
		pl.rec = rec
		plans = append(plans, pl)
	}
	return plans, errs, nil
}

func (s *Service) currentDecl(ctx context.Context, q querier, entID int64, key string) (*existingDecl, error) {
	var ex existingDecl
	err := q.QueryRowContext(ctx, `SELECT id, declared_on, reviewed_on, standard_family FROM declarations WHERE enterprise_id = $1 AND standard_key = $2 AND status = 'current' ORDER BY id LIMIT 1`,
		entID, key).Scan(&ex.id, &ex.declaredOn, &ex.reviewedOn, &ex.family)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	err = store.EachRow(ctx, q, `SELECT name, model, category FROM declaration_products WHERE declaration_id = $1 ORDER BY ordinal`, []any{ex.id}, func(r *sql.Rows) error {
		var p Product
		err := r.Scan(&p.Name, &p.Model, &p.Category)
		ex.products = append(ex.products, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	return &ex, nil
}

// sameProducts compares two product lists in any order.
func sameProducts(a, b []Product) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(ps []Product) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Name + "\x00" + p.Model + "\x00" + p.Category
		}
		sort.Strings(out)
		return out
	}
	ka, kb := key(a), key(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

func (s *Service) importEnterprise(ctx context.Context, tx *sql.Tx, p auth.Principal, g *declGroup, now string) (int64, error) {
	e, err := s.ent.CreateTx(ctx, tx, p, EnterpriseInput{CreditCode: g.credit, Name: g.entName, Note: "由自我声明导入登记"}, "import")
	if errors.Is(err, apperr.ErrConflict) {
		return 0, apperr.Conflict("统一社会信用代码 %s 的企业刚由他人登记，请重新导入", g.credit)
	}
	if err != nil {
		return 0, fmt.Errorf("standards: declaration import: enterprise %s: %w", g.credit, err)
	}
	return e.ID, nil
}

func (s *Service) importNewDecl(ctx context.Context, tx *sql.Tx, p auth.Principal, pl *declPlan, now string) (Declaration, error) {
	r := pl.rec
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO declarations(enterprise_id, standard_key, standard_code, standard_title, standard_family, standard_id, own,
		national_ref, below_national, below_note, committed, status, declared_on, reviewed_on, review_due, demo, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, '', 0, '', 0, 'current', $7, '', $8, 0, '', $9, $10, $10) RETURNING id`,
		pl.entID, r.code.Normalized, r.code.Display, r.StandardTitle, r.code.Family, store.NullID(r.stdID), pl.g.date, addYears(pl.g.date, ReviewYears), p.Actor().Name, now).Scan(&id)
	if err != nil {
		return Declaration{}, fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	if err := s.saveDeclParts(ctx, tx, id, r); err != nil {
		return Declaration{}, err
	}
	return s.importIndexAudit(ctx, tx, p, id, "import", nil)
}

func (s *Service) importUpdateDecl(ctx context.Context, tx *sql.Tx, p auth.Principal, pl *declPlan, now string) (Declaration, error) {
	ex := pl.existing
	before, err := s.loadDecl(ctx, tx, ex.id)
	if err != nil {
		return before, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM declaration_products WHERE declaration_id = $1`, ex.id); err != nil {
		return Declaration{}, fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	for i, pr := range pl.g.products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO declaration_products(declaration_id, ordinal, name, model, category) VALUES ($1, $2, $3, $4, $5)`,
			ex.id, i+1, pr.Name, pr.Model, pr.Category); err != nil {
			return Declaration{}, fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
		}
	}
	last := max(ex.declaredOn, ex.reviewedOn)
	if pl.g.date > last {
		_, err = tx.ExecContext(ctx, `UPDATE declarations SET reviewed_on = $1, review_due = $2, updated_at = $3 WHERE id = $4`, pl.g.date, addYears(pl.g.date, ReviewYears), now, ex.id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE declarations SET updated_at = $1 WHERE id = $2`, now, ex.id)
	}
	if err != nil {
		return Declaration{}, fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	return s.importIndexAudit(ctx, tx, p, ex.id, "import_update", &before)
}

// importIndexAudit indexes a written declaration and records it; it
// returns the declaration as written.
func (s *Service) importIndexAudit(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, action string, before *Declaration) (Declaration, error) {
	after, err := s.loadDecl(ctx, tx, id)
	if err != nil {
		return after, err
	}
	if err := search.Index(ctx, s.db, tx, declDoc(after)); err != nil {
		return after, err
	}
	e := audit.Entry{Entity: "declaration", EntityID: strconv.FormatInt(id, 10), Action: action, After: after}
	if before != nil {
		e.Before = *before
	}
	return after, audit.Append(ctx, s.db, tx, p.Actor(), e)
}

// declImportNotes are the rules of a declaration import file, as the
// template's instructions sheet and the import page state them.
func declImportNotes() []string {
	return []string{
		"每一行是一项自我声明中的一个产品；统一社会信用代码和标准号相同的各行合为一项声明（多个产品）。",
		"必填列：" + strings.Join(DeclImportColumns, "、") + "；“说明”列可不填，以“示例”开头的行导入时跳过。",
		"统一社会信用代码按 GB 32100 校验；尚未登记的企业按文件中的企业名称自动登记，同一代码的企业名称应一致。",
		"声明日期写作 2025-03-01（也可为 2025/3/1、2025年3月1日或日期格式单元格）；复核期限为声明日期后三年。",
		"执行本企业企业标准（Q/ 开头）的声明须公开指标并承诺，请在“声明执行的标准”页面办理；已有此类声明时，导入只更新其产品。",
		"已有同一企业、同一标准的有效声明时：产品相同则不变，产品不同则以文件为准更新产品。重复导入同一文件不会产生变化。",
		"默认有任何错误时不导入任何记录，并按行号和列列出；选择“跳过错误行”时，有错误的声明整项不导入（它的每一行都列出），其余声明照常导入。",
		fmt.Sprintf("每个文件不超过 %d MB、%d 行。", MaxDeclImportBytes>>20, MaxDeclImportRows),
	}
}

// DeclImportTemplate is the import template: the header row, an example row
// marked 示例 (skipped on import) and a sheet of instructions.
func DeclImportTemplate() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "自我声明"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("standards: template: %w", err)
	}
	first17 := "91632500MA7XQ2B3U"
	header := append(append([]any{}, toAny(DeclImportColumns)...), DeclImportNoteColumn)
	example := []any{first17 + string(creditcode.Check(first17)), "青海某某乳业有限公司", "GB 19301—2010", "食品安全国家标准 生乳", "牦牛生乳", "散装", "乳制品",
		"2025-03-01", DeclExampleMark + "（导入时跳过此行，可删除）"}
	for i, row := range [][]any{header, example} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, fmt.Errorf("standards: template: %w", err)
		}
	}
	if err := f.SetColWidth(sheet, "A", "I", 22); err != nil {
		return nil, fmt.Errorf("standards: template: %w", err)
	}
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		f.SetRowStyle(sheet, 1, 1, st)
	}
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "666666"}}); err == nil {
		f.SetRowStyle(sheet, 2, 2, st)
	}
	const help = "填写说明"
	if _, err := f.NewSheet(help); err != nil {
		return nil, fmt.Errorf("standards: template: %w", err)
	}
	notes := declImportNotes()
	for i, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetCellStr(help, cell, n); err != nil {
			return nil, fmt.Errorf("standards: template: %w", err)
		}
	}
	f.SetActiveSheet(0)
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("standards: template: %w", err)
	}
	return b.Bytes(), nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}
