package standards

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// A problem of a declaration import file is a kit.FieldError: the row as
// numbered in the spreadsheet (the header is row 1), the column letter
// (Col) and its header name (Column).

// declLine is how a problem reads: kit.FieldError's wording, except that a
// header column that is missing (no letter) is named in brackets like the
// others, "第 1 行（声明日期）：…".
func declLine(e kit.FieldError) string {
	if e.Row > 0 && e.Col == "" && e.Column != "" {
		return fmt.Sprintf("第 %d 行（%s）：%s", e.Row, e.Column, e.Msg)
	}
	return e.String()
}

// DeclImportResult counts what a declaration import did.
type DeclImportResult struct {
	Rows               int `json:"rows"`                // data rows read (products), the example row excluded
	Skipped            int `json:"skipped"`             // example rows skipped
	Declarations       int `json:"declarations"`        // declarations in the file
	Created            int `json:"created"`             // declarations created
	Updated            int `json:"updated"`             // declarations whose products changed
	Unchanged          int `json:"unchanged"`           // declarations left as they were
	EnterprisesCreated int `json:"enterprises_created"` // enterprises registered by the import
}

// declGroup is one declaration of the file.
type declGroup struct {
	row      int // first row
	rows     []int
	credit   string
	entName  string
	entRow   int
	code     Code
	title    string
	date     string
	products []Product
}

// declTable is a parsed, row-checked file.
type declTable struct {
	groups  []*declGroup
	rows    int
	skipped int
	col     map[string]int
}

func colLetter(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return ""
	}
	return s
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

// readDeclFile reads at most MaxDeclImportBytes of r and returns its table
// and the file's SHA-256.
func readDeclFile(name string, r io.Reader) ([][]string, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	data, err := io.ReadAll(io.LimitReader(r, MaxDeclImportBytes+1))
	if err != nil {
		return nil, sum, fmt.Errorf("standards: read declaration import: %w", err)
	}
	if len(data) > MaxDeclImportBytes {
		return nil, sum, apperr.Invalid("文件过大：自我声明导入文件不超过 %d MB，请拆分为几个文件分批导入", MaxDeclImportBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, sum, apperr.Invalid("文件为空：第一行应为表头 %s", strings.Join(DeclImportColumns, "、"))
	}
	// The declaration import groups rows across the file, so it keeps the
	// table (at most MaxDeclImportRows rows).
	var table [][]string
	last := 0
	st, err := kit.ScanTable(name, bytes.NewReader(data), kit.Limits{MaxBytes: MaxDeclImportBytes, MaxRows: MaxDeclImportRows + 1}, func(n int, cells []string) error {
		for last < n-1 && len(table) > 0 {
			table = append(table, nil) // keep the spreadsheet's row numbers
			last++
		}
		table = append(table, cells)
		last = n
		return nil
	})
	if err != nil {
		return nil, sum, err
	}
	copy(sum[:], mustHex(st.SHA256))
	return table, sum, nil
}

// parseDeclTable checks the header and every row without the database and
// groups the rows into declarations. today bounds the declaration dates.
func parseDeclTable(table [][]string, today string) (declTable, kit.Errors) {
	var out declTable
	var errs kit.Errors
	if len(table) == 0 || strings.TrimSpace(strings.Join(table[0], "")) == "" {
		return out, kit.Errors{{Row: 1, Msg: "第一行应为表头：" + strings.Join(DeclImportColumns, "、")}}
	}
	if len(table)-1 > MaxDeclImportRows {
		return out, kit.Errors{{Msg: fmt.Sprintf("文件有 %d 行数据，超过每次导入 %d 行的上限，请拆分为几个文件分批导入", len(table)-1, MaxDeclImportRows)}}
	}
	col := map[string]int{}
	known := append(append(append([]string{}, DeclImportColumns...), DeclImportNoteColumn), declUnsupported...)
	for i, h := range table[0] {
		k := kit.HeaderKey(h)
		for _, want := range known {
			if k != kit.HeaderKey(want) {
				continue
			}
			if prev, dup := col[want]; dup {
				errs = append(errs, kit.FieldError{Row: 1, Col: colLetter(i), Column: want, Msg: fmt.Sprintf("表头中重复出现该列（已在 %s 列）", colLetter(prev))})
			}
			col[want] = i
		}
	}
	for _, u := range declUnsupported {
		if i, ok := col[u]; ok {
			errs = append(errs, kit.FieldError{Row: 1, Col: colLetter(i), Column: u,
				Msg: "批量导入暂不支持指标表（对比国家标准号、指标名称、单位、声明值、检验方法、方向），请删除这些列；执行本企业企业标准的声明请在“声明执行的标准”页面逐项填写指标"})
		}
	}
	for _, want := range DeclImportColumns {
		if _, ok := col[want]; !ok {
			errs = append(errs, kit.FieldError{Row: 1, Column: want, Msg: "表头缺少必填列“" + want + "”（必填列：" + strings.Join(DeclImportColumns, "、") + "）"})
		}
	}
	if len(errs) > 0 {
		return out, errs
	}
	out.col = col
	cell := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return cellText(row[i])
	}
	type entSeen struct {
		name, key string
		row       int
	}
	ents := map[string]entSeen{}
	groups := map[string]*declGroup{}
	for ri, row := range table[1:] {
		n := ri + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		if strings.HasPrefix(cell(row, DeclImportNoteColumn), DeclExampleMark) {
			out.skipped++
			continue
		}
		out.rows++
		rowOK := true
		bad := func(column, format string, args ...any) {
			rowOK = false
			errs = append(errs, kit.FieldError{Row: n, Col: colLetter(col[column]), Column: column, Msg: fmt.Sprintf(format, args...)})
		}
		for _, c := range DeclImportColumns {
			if v := cell(row, c); utf8.RuneCountInString(v) > maxDeclCell {
				bad(c, "内容过长（%d 字），不能超过 %d 字", utf8.RuneCountInString(v), maxDeclCell)
			}
		}
		if !rowOK {
			continue
		}
		var g declGroup
		credit := cell(row, "统一社会信用代码")
		if credit == "" {
			bad("统一社会信用代码", "统一社会信用代码不能为空")
		} else if c, err := creditcode.Parse(credit); err != nil {
			bad("统一社会信用代码", "%s", apperr.Message(err))
		} else {
			g.credit = c
		}
		g.entName = cell(row, "企业名称")
		if g.entName == "" {
			bad("企业名称", "企业名称不能为空")
		}
		codeText := cell(row, "标准号")
		g.code = ParseCode(codeText)
		switch {
		case codeText == "":
			bad("标准号", "标准号不能为空")
		case !g.code.Valid:
			bad("标准号", "标准号“%s”无法识别：%s", codeText, g.code.Error)
		}
		g.title = cell(row, "标准名称")
		if g.title == "" {
			bad("标准名称", "标准名称不能为空")
		}
		p := Product{Name: cell(row, "产品名称"), Model: cell(row, "规格型号"), Category: cell(row, "产品类别")}
		for _, f := range []struct{ column, v string }{{"产品名称", p.Name}, {"规格型号", p.Model}, {"产品类别", p.Category}} {
			if f.v == "" {
				bad(f.column, "%s不能为空（每一行是声明中的一个产品，产品名称、规格型号、产品类别均为必填）", f.column)
			}
		}
		dateText := cell(row, "声明日期")
		if dateText == "" {
			bad("声明日期", "声明日期不能为空")
		} else if d, ok := cellDate(dateText); !ok || d == "" {
			bad("声明日期", "日期“%s”无效，应为 YYYY-MM-DD", dateText)
		} else if d > today {
			bad("声明日期", "声明日期 %s 晚于今天", d)
		} else {
			g.date = d
		}
		if g.credit != "" && g.entName != "" {
			key := strings.Join(strings.Fields(norm.NFKC.String(g.entName)), "")
			if prev, ok := ents[g.credit]; !ok {
				ents[g.credit] = entSeen{name: g.entName, key: key, row: n}
			} else if prev.key != key {
				bad("企业名称", "统一社会信用代码 %s 在第 %d 行的企业名称为“%s”，本行为“%s”；同一企业的名称应一致", g.credit, prev.row, prev.name, g.entName)
			}
		}
		if !rowOK {
			continue
		}
		key := g.credit + "\x00" + g.code.Normalized
		have := groups[key]
		if have == nil {
			g.row, g.rows, g.entRow, g.products = n, []int{n}, ents[g.credit].row, []Product{p}
			ng := g
			groups[key] = &ng
			out.groups = append(out.groups, &ng)
			continue
		}
		if have.title != g.title {
			bad("标准名称", "同一企业声明 %s 的各行标准名称应一致：第 %d 行为“%s”，本行为“%s”", g.code.Display, have.row, have.title, g.title)
		}
		if have.date != g.date {
			bad("声明日期", "同一企业声明 %s 的各行声明日期应一致：第 %d 行为 %s，本行为 %s", g.code.Display, have.row, have.date, g.date)
		}
		for i, q := range have.products {
			if q == p {
				bad("产品名称", "产品“%s %s（%s）”与第 %d 行重复", p.Name, p.Model, p.Category, have.rows[i])
				break
			}
		}
		if rowOK {
			have.rows = append(have.rows, n)
			have.products = append(have.products, p)
		}
	}
	if out.rows == 0 && len(errs) == 0 {
		errs = append(errs, kit.FieldError{Msg: "文件中没有数据行（表头之后每一行是一个产品）"})
	}
	return out, errs
}

// declImportFailure is the error of a refused file.
func declImportFailure(errs kit.Errors) error {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	shown := errs
	if len(shown) > 20 {
		shown = shown[:20]
	}
	lines := make([]string, len(shown))
	for i, e := range shown {
		lines[i] = declLine(e)
	}
	msg := "导入文件有 " + strconv.Itoa(len(errs)) + " 处错误，未导入任何记录，请改正后重新上传：\n" + strings.Join(lines, "\n")
	if len(errs) > len(shown) {
		msg += fmt.Sprintf("\n……另有 %d 处错误", len(errs)-len(shown))
	}
	return &apperr.Error{Kind: apperr.ErrInvalid, Msg: msg, Err: errs}
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
// in UTF-8 or GB18030, or .xlsx) and stores it (administrators and
// supervisors). Every row is checked first, against the file and the
// database; any problem, named by row and column, refuses the whole file.
// Enterprises not yet registered are created. See the top of this file for
// what an existing declaration becomes.
func (s *Service) ImportDeclarations(ctx context.Context, p auth.Principal, name string, r io.Reader) (DeclImportResult, error) {
	res, err := s.importDeclarations(ctx, p, name, r, false)
	if err == nil {
		s.db.Observer().ImportRows("declarations", res.Rows)
	}
	return res, err
}

// importDeclarations imports the file; with dryRun it checks everything
// and counts what would be created, updated or left alone, writing nothing.
func (s *Service) importDeclarations(ctx context.Context, p auth.Principal, name string, r io.Reader, dryRun bool) (DeclImportResult, error) {
	var res DeclImportResult
	if err := p.Require(Editors...); err != nil {
		return res, err
	}
	table, sum, err := readDeclFile(name, r)
	if err != nil {
		return res, err
	}
	parsed, errs := parseDeclTable(table, s.today())
	if parsed.col == nil {
		return res, declImportFailure(errs)
	}
	res.Rows, res.Skipped, res.Declarations = parsed.rows, parsed.skipped, len(parsed.groups)
	col := func(name string) string { return colLetter(parsed.col[name]) }
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		plans, more, err := s.planDeclImport(ctx, tx, parsed.groups, col)
		if err != nil {
			return err
		}
		errs = append(errs, more...)
		if len(errs) > 0 {
			return declImportFailure(errs)
		}
		if dryRun {
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
			return nil
		}
		now := s.now().UTC().Format(time.RFC3339)
		entIDs := map[string]int64{}
		for _, pl := range plans {
			if pl.entID == 0 {
				if id, ok := entIDs[pl.g.credit]; ok {
					pl.entID = id
				} else {
					id, err := s.importEnterprise(ctx, tx, p, pl.g, now)
					if err != nil {
						return err
					}
					entIDs[pl.g.credit], pl.entID = id, id
					res.EnterprisesCreated++
				}
			}
			switch {
			case pl.existing == nil:
				if err := s.importNewDecl(ctx, tx, p, pl, now); err != nil {
					return err
				}
				res.Created++
			case sameProducts(pl.existing.products, pl.g.products):
				res.Unchanged++
			default:
				if err := s.importUpdateDecl(ctx, tx, p, pl, now); err != nil {
					return err
				}
				res.Updated++
			}
		}
		if res.Created+res.Updated+res.EnterprisesCreated == 0 {
			return nil
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "declaration_import", EntityID: hex.EncodeToString(sum[:8]), Action: "import",
			After: map[string]any{"file": name, "sha256": hex.EncodeToString(sum[:]), "rows": res.Rows, "declarations": res.Declarations, "created": res.Created,
				"updated": res.Updated, "unchanged": res.Unchanged, "enterprises_created": res.EnterprisesCreated}})
	})
	if err != nil {
		return DeclImportResult{}, err
	}
	return res, nil
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
				errs = append(errs, kit.FieldError{Row: g.entRow, Col: col("企业名称"), Column: "企业名称",
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

func (s *Service) importNewDecl(ctx context.Context, tx *sql.Tx, p auth.Principal, pl *declPlan, now string) error {
	r := pl.rec
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO declarations(enterprise_id, standard_key, standard_code, standard_title, standard_family, standard_id, own,
		national_ref, below_national, below_note, committed, status, declared_on, reviewed_on, review_due, demo, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0, '', 0, '', 0, 'current', $7, '', $8, 0, '', $9, $10, $10) RETURNING id`,
		pl.entID, r.code.Normalized, r.code.Display, r.StandardTitle, r.code.Family, store.NullID(r.stdID), pl.g.date, addYears(pl.g.date, ReviewYears), p.Actor().Name, now).Scan(&id)
	if err != nil {
		return fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	if err := s.saveDeclParts(ctx, tx, id, r); err != nil {
		return err
	}
	return s.importIndexAudit(ctx, tx, p, id, "import", nil)
}

func (s *Service) importUpdateDecl(ctx context.Context, tx *sql.Tx, p auth.Principal, pl *declPlan, now string) error {
	ex := pl.existing
	before, err := s.loadDecl(ctx, tx, ex.id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM declaration_products WHERE declaration_id = $1`, ex.id); err != nil {
		return fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	for i, pr := range pl.g.products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO declaration_products(declaration_id, ordinal, name, model, category) VALUES ($1, $2, $3, $4, $5)`,
			ex.id, i+1, pr.Name, pr.Model, pr.Category); err != nil {
			return fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
		}
	}
	last := max(ex.declaredOn, ex.reviewedOn)
	if pl.g.date > last {
		_, err = tx.ExecContext(ctx, `UPDATE declarations SET reviewed_on = $1, review_due = $2, updated_at = $3 WHERE id = $4`, pl.g.date, addYears(pl.g.date, ReviewYears), now, ex.id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE declarations SET updated_at = $1 WHERE id = $2`, now, ex.id)
	}
	if err != nil {
		return fmt.Errorf("standards: declaration import row %d: %w", pl.g.row, err)
	}
	return s.importIndexAudit(ctx, tx, p, ex.id, "import_update", &before)
}

// importIndexAudit indexes a written declaration and records it.
func (s *Service) importIndexAudit(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, action string, before *Declaration) error {
	after, err := s.loadDecl(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := search.Index(ctx, s.db, tx, declDoc(after)); err != nil {
		return err
	}
	e := audit.Entry{Entity: "declaration", EntityID: strconv.FormatInt(id, 10), Action: action, After: after}
	if before != nil {
		e.Before = *before
	}
	return audit.Append(ctx, s.db, tx, p.Actor(), e)
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
	notes := []string{
		"每一行是一项自我声明中的一个产品；统一社会信用代码和标准号相同的各行合为一项声明（多个产品）。",
		"必填列：" + strings.Join(DeclImportColumns, "、") + "；“说明”列可不填，以“示例”开头的行导入时跳过。",
		"统一社会信用代码按 GB 32100 校验；尚未登记的企业按文件中的企业名称自动登记，同一代码的企业名称应一致。",
		"声明日期写作 2025-03-01（也可为 2025/3/1、2025年3月1日或日期格式单元格）；复核期限为声明日期后三年。",
		"执行本企业企业标准（Q/ 开头）的声明须公开指标并承诺，请在“声明执行的标准”页面办理；已有此类声明时，导入只更新其产品。",
		"已有同一企业、同一标准的有效声明时：产品相同则不变，产品不同则以文件为准更新产品。重复导入同一文件不会产生变化。",
		fmt.Sprintf("有任何错误时不导入任何记录，并按行号和列名列出；每个文件不超过 %d MB、%d 行。", MaxDeclImportBytes>>20, MaxDeclImportRows),
	}
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
