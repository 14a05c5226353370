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
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
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
	rows     []int // its rows, the first first
	credit   string
	entName  string
	code     Code
	title    string
	date     string
	products []Product
}

// declColumnsOf are the columns of a declaration import file: the
// required ones and the note.
func declColumnsOf() []kit.Column {
	cols := make([]kit.Column, 0, len(DeclImportColumns)+1+len(declUnsupported))
	for _, c := range DeclImportColumns {
		cols = append(cols, kit.Column{Name: c, Required: true})
	}
	return append(cols, kit.Column{Name: DeclImportNoteColumn})
}

// declSpec is the table a declaration import reads: its columns, and the
// indicator table's, which refuse the file.
func declSpec() kit.TableSpec {
	cols := declColumnsOf()
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
	cell := row.Get
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

// first is the declaration's first row in the file.
func (g *declGroup) first() int { return g.rows[0] }

// declFolder folds a file's valid rows into declarations, checking each
// row against the declaration's earlier rows and the enterprise's name
// against its earlier rows.
type declFolder struct {
	ents map[string]entSeen
}

type entSeen struct {
	name, key string
	row       int
}

func (f *declFolder) add(g *declGroup, it kit.Item[declRow]) (*declGroup, kit.Errors) {
	d, n := it.Val, it.Row
	var errs kit.Errors
	bad := func(column, format string, args ...any) {
		errs.AddCell(n, column, format, args...)
	}
	key := nameKey(d.entName)
	if prev, ok := f.ents[d.credit]; !ok {
		f.ents[d.credit] = entSeen{name: d.entName, key: key, row: n}
	} else if prev.key != key {
		bad("企业名称", "统一社会信用代码 %s 在第 %d 行的企业名称为“%s”，本行为“%s”；同一企业的名称应一致", d.credit, prev.row, prev.name, d.entName)
		return nil, errs
	}
	if g == nil {
		return &declGroup{rows: []int{n}, credit: d.credit, entName: d.entName, code: d.code, title: d.title, date: d.date, products: []Product{d.product}}, nil
	}
	if g.title != d.title {
		bad("标准名称", "同一企业声明 %s 的各行标准名称应一致：第 %d 行为“%s”，本行为“%s”", g.code.Display, g.first(), g.title, d.title)
	}
	if g.date != d.date {
		bad("声明日期", "同一企业声明 %s 的各行声明日期应一致：第 %d 行为 %s，本行为 %s", g.code.Display, g.first(), g.date, d.date)
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
	fold := &declFolder{ents: map[string]entSeen{}}
	checked := map[*declGroup]*declPlan{} // Check's plans, for Preview
	return kit.GroupPlan[declRow, declGroup]{
		Kind: "declarations",
		Spec: declSpec(),
		Skip: func(row kit.Row) bool {
			return strings.HasPrefix(row.Get(DeclImportNoteColumn), DeclExampleMark)
		},
		Parse: func(row kit.Row) (declRow, kit.Errors) {
			return parseDeclRow(row, today)
		},
		Key: declKey,
		Add: fold.add,
		Check: func(ctx context.Context, gs []*kit.Group[declGroup]) (kit.Errors, error) {
			plans, errs, err := s.planDeclImport(ctx, s.db.Reader(), declGroups(gs))
			for _, pl := range plans {
				checked[pl.g] = pl
			}
			return errs, err
		},
		Preview: func(ctx context.Context, gs []*kit.Group[declGroup]) (kit.BatchResult, error) {
			var res kit.BatchResult
			for _, g := range gs {
				pl := checked[g.Val]
				if pl == nil {
					return res, fmt.Errorf("standards: declaration import: row %d previewed without a check", g.Val.first())
				}
				switch pl.outcome() {
				case declCreated:
					res.Created++
				case declUnchanged:
					res.Unchanged++
				default:
					res.Updated++
				}
			}
			return res, nil
		},
		Write: func(ctx context.Context, gs []*kit.Group[declGroup], file kit.ImportReport) (res kit.BatchResult, counts []kit.Count, err error) {
			err = search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
				res, counts, err = s.writeDeclImport(ctx, tx, conn, p, declGroups(gs), file)
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

// planDeclImport checks the file's declarations against the database
// (registered enterprises, the registry, current declarations), reading
// them a chunk of keys at a time, and says what to write; it writes
// nothing.
func (s *Service) planDeclImport(ctx context.Context, q querier, groups []*declGroup) ([]*declPlan, kit.Errors, error) {
	d := s.db.Dialect()
	type ent struct {
		id   int64
		name string
	}
	var credits, keys []string
	seenCredit, seenKey := map[string]bool{}, map[string]bool{}
	for _, g := range groups {
		if !seenCredit[g.credit] {
			seenCredit[g.credit] = true
			credits = append(credits, g.credit)
		}
		if !seenKey[g.code.Normalized] {
			seenKey[g.code.Normalized] = true
			keys = append(keys, g.code.Normalized)
		}
	}
	ents := map[string]*ent{}
	var entIDs []int64
	err := store.EachIn(ctx, q, d, `SELECT id, credit_code, name FROM enterprises WHERE credit_code IN `, "", credits, func(r *sql.Rows) error {
		var e ent
		var code string
		err := r.Scan(&e.id, &code, &e.name)
		ents[code] = &e
		entIDs = append(entIDs, e.id)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	regs := map[string]*regInfo{}
	err = store.EachIn(ctx, q, d, `SELECT id, code_key, title, status FROM standards WHERE code_key IN `, "", keys, func(r *sql.Rows) error {
		var ri regInfo
		var key string
		err := r.Scan(&ri.id, &key, &ri.title, &ri.status)
		regs[key] = &ri
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	// The current declarations of the file's enterprises (the first of an
	// enterprise and standard when there are several), with their products.
	type declKeyOf struct {
		ent int64
		key string
	}
	current := map[declKeyOf]*existingDecl{}
	byID := map[int64]*existingDecl{}
	var declIDs []int64
	err = store.EachIn(ctx, q, d, `SELECT id, enterprise_id, standard_key, declared_on, reviewed_on, standard_family FROM declarations WHERE status = 'current' AND enterprise_id IN `, ` ORDER BY id`, entIDs, func(r *sql.Rows) error {
		var ex existingDecl
		var k declKeyOf
		err := r.Scan(&ex.id, &k.ent, &k.key, &ex.declaredOn, &ex.reviewedOn, &ex.family)
		if _, dup := current[k]; !dup && seenKey[k.key] {
			current[k], byID[ex.id] = &ex, &ex
			declIDs = append(declIDs, ex.id)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	err = store.EachIn(ctx, q, d, `SELECT declaration_id, name, model, category FROM declaration_products WHERE declaration_id IN `, ` ORDER BY declaration_id, ordinal`, declIDs, func(r *sql.Rows) error {
		var id int64
		var p Product
		err := r.Scan(&id, &p.Name, &p.Model, &p.Category)
		if ex := byID[id]; ex != nil {
			ex.products = append(ex.products, p)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
	}

	var errs kit.Errors
	checked := map[string]bool{}
	var plans []*declPlan
	for _, g := range groups {
		pl := &declPlan{g: g}
		if e := ents[g.credit]; e != nil {
			pl.entID = e.id
			if !checked[g.credit] && nameKey(e.name) != nameKey(g.entName) {
				errs = append(errs, kit.FieldError{Row: g.first(), Column: "企业名称",
					Msg: fmt.Sprintf("统一社会信用代码 %s 已登记为“%s”，与文件中的“%s”不一致；请核对后修改文件", g.credit, e.name, g.entName)})
			}
			checked[g.credit] = true
			pl.existing = current[declKeyOf{e.id, g.code.Normalized}]
		}
		pl.reg = regs[g.code.Normalized]
		bad := func(column, format string, args ...any) {
			errs.AddCell(g.first(), column, format, args...)
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
		rec, err := checkDecl(DeclarationInput{StandardCode: g.code.Display, StandardTitle: g.title, Products: g.products}, pl.reg)
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

// What writing a declaration of the file does.
const (
	declCreated = iota
	declUnchanged
	declUpdated
)

// outcome says what writing the plan does: a new declaration, none (the
// current one has the same products), or new products for the current one.
func (pl *declPlan) outcome() int {
	switch {
	case pl.existing == nil:
		return declCreated
	case sameProducts(pl.existing.products, pl.g.products):
		return declUnchanged
	}
	return declUpdated
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

// writeDeclImport writes the file's declarations inside tx in bulk,
// checking them against the database again there (a change since the
// check refuses the file: kit.Errors): the enterprises the directory
// lacks (enterprise.Service.EnsureMany), the new declarations and all
// products with multi-row inserts, the changed declarations' review dates,
// the search documents (the new ones as one batch), and one audit entry
// for the import (kit.AuditImportBatch: the ids created and updated and a
// hash of the declarations as written), none when nothing changed.
func (s *Service) writeDeclImport(ctx context.Context, tx *sql.Tx, conn *sql.Conn, p auth.Principal, groups []*declGroup, file kit.ImportReport) (kit.BatchResult, []kit.Count, error) {
	var res kit.BatchResult
	plans, errs, err := s.planDeclImport(ctx, tx, groups)
	if err != nil {
		return res, nil, err
	}
	if len(errs) > 0 {
		return res, nil, errs
	}
	var refs []enterprise.Ref
	for _, pl := range plans {
		if pl.entID == 0 {
			refs = append(refs, enterprise.Ref{CreditCode: pl.g.credit, Name: pl.g.entName})
		}
	}
	created := map[string]bool{}
	if len(refs) > 0 {
		ids, err := s.ent.EnsureMany(ctx, tx, p, refs)
		if err != nil {
			return res, nil, fmt.Errorf("standards: declaration import: %w", err)
		}
		for _, pl := range plans {
			if pl.entID == 0 {
				pl.entID, created[pl.g.credit] = ids[pl.g.credit], true
			}
		}
	}
	counts := []kit.Count{{Label: declEntCreated, N: len(created)}}
	var fresh, changed []*declPlan
	for _, pl := range plans {
		switch pl.outcome() {
		case declCreated:
			fresh = append(fresh, pl)
		case declUnchanged:
			res.Unchanged++
		default:
			changed = append(changed, pl)
		}
	}
	res.Created, res.Updated = len(fresh), len(changed)
	if len(fresh)+len(changed)+len(created) == 0 {
		return res, counts, nil
	}
	now := s.now().UTC().Format(time.RFC3339)
	batch := kit.ImportBatch{Kind: "declarations", File: file, FirstRow: groups[0].first(), Unchanged: res.Unchanged}
	for _, g := range groups {
		batch.FirstRow, batch.LastRow = min(batch.FirstRow, g.first()), max(batch.LastRow, g.rows[len(g.rows)-1])
	}
	// A chunk of declarations at a time, so that what is held of them
	// (their rows, search documents and states as written) stays bounded.
	for lo := 0; lo < max(len(fresh), len(changed)); lo += declWriteChunk {
		f := fresh[min(lo, len(fresh)):min(lo+declWriteChunk, len(fresh))]
		c := changed[min(lo, len(changed)):min(lo+declWriteChunk, len(changed))]
		ids, written, err := s.writeDeclChunk(ctx, tx, conn, p, f, c, now)
		if err != nil {
			return res, nil, err
		}
		batch.Created = append(batch.Created, ids...)
		for _, pl := range c {
			batch.Updated = append(batch.Updated, pl.existing.id)
		}
		for _, w := range written {
			batch.After = append(batch.After, w)
		}
	}
	slices.Sort(batch.Created)
	slices.Sort(batch.Updated)
	return res, counts, kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), batch)
}

// declWriteChunk is how many declarations writeDeclChunk takes at a time.
const declWriteChunk = 1000

// writeDeclChunk writes new declarations (fresh) and the new products and
// review dates of changed ones inside tx, indexes them for search, and
// returns the new ids and the declarations as written (fresh first).
func (s *Service) writeDeclChunk(ctx context.Context, tx *sql.Tx, conn *sql.Conn, p auth.Principal, fresh, changed []*declPlan, now string) ([]int64, []Declaration, error) {
	d := s.db.Dialect()
	var err error
	var freshIDs []int64
	if len(fresh) > 0 {
		if freshIDs, err = store.NewIDs(ctx, d, tx, "declarations", len(fresh)); err != nil {
			return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
		}
		by := p.Actor().Name
		err = store.InsertRows(ctx, d, tx, "standards: declaration import", `INSERT INTO declarations(id, enterprise_id, standard_key, standard_code, standard_title, standard_family, standard_id, own,
			national_ref, below_national, below_note, committed, status, declared_on, reviewed_on, review_due, demo, note, created_by, created_at, updated_at) VALUES `,
			make([]string, 21), len(fresh), func(i int) []any {
				pl := fresh[i]
				r := pl.rec
				return []any{freshIDs[i], pl.entID, r.code.Normalized, r.code.Display, r.StandardTitle, r.code.Family, store.NullID(r.stdID), 0,
					"", 0, "", 0, "current", pl.g.date, "", addYears(pl.g.date, ReviewYears), 0, "", by, now, now}
			})
		if err != nil {
			return nil, nil, err
		}
	}
	// The products: the new declarations', and the changed ones' anew.
	var changedIDs []int64
	for _, pl := range changed {
		changedIDs = append(changedIDs, pl.existing.id)
	}
	for lo := 0; lo < len(changedIDs); lo += store.InChunk {
		part := changedIDs[lo:min(lo+store.InChunk, len(changedIDs))]
		if _, err := tx.ExecContext(ctx, `DELETE FROM declaration_products WHERE declaration_id IN `+store.Placeholders(d, 1, len(part)), store.Args(part)...); err != nil {
			return nil, nil, fmt.Errorf("standards: declaration import: %w", err)
		}
	}
	type productRow struct {
		id  int64
		ord int
		p   Product
	}
	var prods []productRow
	for i, pl := range fresh {
		for j, pr := range pl.rec.products {
			prods = append(prods, productRow{freshIDs[i], j + 1, pr})
		}
	}
	for _, pl := range changed {
		for j, pr := range pl.g.products {
			prods = append(prods, productRow{pl.existing.id, j + 1, pr})
		}
	}
	err = store.InsertRows(ctx, d, tx, "standards: declaration import products", `INSERT INTO declaration_products(declaration_id, ordinal, name, model, category) VALUES `,
		make([]string, 5), len(prods), func(i int) []any {
			r := prods[i]
			return []any{r.id, r.ord, r.p.Name, r.p.Model, r.p.Category}
		})
	if err != nil {
		return nil, nil, err
	}
	// A changed declaration's review: the file's 声明日期 when it is later
	// than its last declaration or review.
	for _, pl := range changed {
		ex := pl.existing
		if pl.g.date > max(ex.declaredOn, ex.reviewedOn) {
			_, err = tx.ExecContext(ctx, `UPDATE declarations SET reviewed_on = $1, review_due = $2, updated_at = $3 WHERE id = $4`, pl.g.date, addYears(pl.g.date, ReviewYears), now, ex.id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE declarations SET updated_at = $1 WHERE id = $2`, now, ex.id)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("standards: declaration import row %d: %w", pl.g.first(), err)
		}
	}
	// The declarations as written: their search documents and the audit
	// entry's hash.
	written, err := s.loadDecls(ctx, tx, append(slices.Clone(freshIDs), changedIDs...))
	if err != nil {
		return nil, nil, err
	}
	var docs []search.Doc
	for i, w := range written {
		if i < len(fresh) {
			docs = append(docs, declDoc(w))
			continue
		}
		if err := search.Index(ctx, s.db, tx, declDoc(w)); err != nil {
			return nil, nil, err
		}
	}
	if err := search.NewBatch(d, docs).InsertConn(ctx, s.db, tx, conn); err != nil {
		return nil, nil, err
	}
	return freshIDs, written, nil
}

// loadDecls reads the declarations of ids with their parts, in the order
// of ids.
func (s *Service) loadDecls(ctx context.Context, q querier, ids []int64) ([]Declaration, error) {
	at := map[int64]*Declaration{}
	err := store.EachIn(ctx, q, s.db.Dialect(), `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.id IN `, "", ids, func(r *sql.Rows) error {
		d, err := s.scanDecl(r)
		at[d.ID] = &d
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("standards: declaration import: %w", err)
	}
	out := make([]Declaration, 0, len(ids))
	ptrs := make([]*Declaration, 0, len(ids))
	for _, id := range ids {
		if at[id] == nil {
			return nil, fmt.Errorf("standards: declaration import: declaration %d not written", id)
		}
		ptrs = append(ptrs, at[id])
	}
	for lo := 0; lo < len(ptrs); lo += store.InChunk {
		if err := s.declParts(ctx, q, ptrs[lo:min(lo+store.InChunk, len(ptrs))]); err != nil {
			return nil, err
		}
	}
	for _, d := range ptrs {
		out = append(out, *d)
	}
	return out, nil
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
