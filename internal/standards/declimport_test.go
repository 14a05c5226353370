package standards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func declImportCredit(first17 string) string { return first17 + string(CreditCheck(first17)) }

var (
	diEntA = declImportCredit("91632800MA7XQ2B3C") // 格尔木昆仑盐化
	diEntB = declImportCredit("91630100MA752XK3A") // 西宁高原牦牛乳业
	diEntC = declImportCredit("91632200MA7XQ2B3D") // 海北青稞酒业, created by the import
)

var declImportHeader = []string{"统一社会信用代码", "企业名称", "标准号", "标准名称", "产品名称", "规格型号", "产品类别", "声明日期"}

// declImportRows: three declarations (A: GB 2721 with two products; B: the
// registered local standard; C, a new enterprise: a group standard).
func declImportRows() [][]string {
	return [][]string{
		declImportHeader,
		{diEntA, "格尔木昆仑盐化有限公司", "GB 2721—2015", "食品安全国家标准 食用盐", "精制湖盐", "500 g 袋装", "食用盐", "2024-05-01"},
		{diEntA, "格尔木昆仑盐化有限公司", "GB 2721-2015", "食品安全国家标准 食用盐", "低钠湖盐", "400 g", "食用盐", "2024/5/1"},
		{diEntB, "西宁高原牦牛乳业有限公司", "DB63/T 2290—2024", "牦牛奶粉加工技术规范", "牦牛全脂奶粉", "400 g 罐装", "乳制品", "2025年1月2日"},
		{diEntC, "海北青稞酒业有限公司", "T/QHNX 59—2024", "青稞酒", "青稞白酒", "52% vol 500 mL", "酒类", "2025-02-03"},
	}
}

func declImportCSV(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return []byte(b.String())
}

func declImportXLSX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type declImportFixture struct {
	svc *Service
	db  *store.DB
}

func newDeclImportFixture(t *testing.T, db *store.DB) declImportFixture {
	t.Helper()
	ctx := context.Background()
	admin := auth.CLI("test")
	svc := NewService(db)
	svc.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, kit.CST) }
	if _, err := svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: diEntA, Name: "格尔木昆仑盐化有限公司"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateEnterprise(ctx, admin, EnterpriseInput{CreditCode: diEntB, Name: "西宁高原牦牛乳业有限公司"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{
		{Code: "DB63/T 2290—2024", Title: "牦牛奶粉加工技术规范", Status: "现行", Issued: "2024-03-01", Implemented: "2024-04-01"},
		{Code: "DB63/T 1000—2011", Title: "枸杞干果", Status: "废止", Issued: "2011-01-01", Implemented: "2011-02-01"},
	} {
		if _, err := svc.Create(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
	}
	return declImportFixture{svc: svc, db: db}
}

// counts are the rows of every table an import may write.
func (f declImportFixture) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"enterprises", "declarations", "declaration_products", "audit_log", "search_docs"} {
		var n int
		if err := f.db.Reader().QueryRow(`SELECT COUNT(*) FROM ` + tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDeclImportFormats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newDeclImportFixture(t, db)
		admin := auth.CLI("test")
		utf8CSV := declImportCSV(declImportRows())
		gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf8CSV)
		if err != nil {
			t.Fatal(err)
		}
		withExample := append(declImportRows(), []string{diEntA, "格尔木昆仑盐化有限公司", "GB 1—2000", "示例标准", "x", "y", "z", "2024-01-01"})
		withExample[0] = append(append([]string{}, declImportHeader...), "说明")
		withExample[len(withExample)-1] = append(withExample[len(withExample)-1], "示例（导入时跳过）")
		cases := []struct {
			name string
			file string
			data []byte
			want DeclImportResult
		}{
			{"xlsx creates", "声明.xlsx", declImportXLSX(t, declImportRows()), DeclImportResult{Rows: 4, Declarations: 3, Created: 3, EnterprisesCreated: 1}},
			{"utf-8 csv unchanged", "声明.csv", utf8CSV, DeclImportResult{Rows: 4, Declarations: 3, Unchanged: 3}},
			{"utf-8 csv with BOM", "声明.csv", append([]byte("\xef\xbb\xbf"), utf8CSV...), DeclImportResult{Rows: 4, Declarations: 3, Unchanged: 3}},
			{"gb18030 csv", "声明.csv", gb, DeclImportResult{Rows: 4, Declarations: 3, Unchanged: 3}},
			{"example row skipped", "声明.xlsx", declImportXLSX(t, withExample), DeclImportResult{Rows: 4, Skipped: 1, Declarations: 3, Unchanged: 3}},
		}
		for _, tc := range cases {
			before := f.counts(t)
			res, err := f.svc.ImportDeclarations(ctx, admin, tc.file, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if res != tc.want {
				t.Errorf("%s: %+v, want %+v", tc.name, res, tc.want)
			}
			if after := f.counts(t); tc.want.Created == 0 && !sameCounts(before, after) {
				t.Errorf("%s: unchanged import wrote rows: %v → %v", tc.name, before, after)
			}
		}
		// What was stored: products grouped, dates from the file, the
		// registry link, the new enterprise, one import audit entry.
		res, err := f.svc.SearchDeclarations(ctx, DeclParams{Q: diEntA})
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("declarations of A: %v %+v", err, res)
		}
		d := res.Hits[0].Declaration
		if d.StandardCode != "GB 2721—2015" || len(d.Products) != 2 || d.DeclaredOn != "2024-05-01" || d.ReviewDue != "2027-05-01" || d.Own || d.EnterpriseName != "格尔木昆仑盐化有限公司" {
			t.Errorf("declaration of A: %+v", d)
		}
		res, _ = f.svc.SearchDeclarations(ctx, DeclParams{Q: diEntB})
		if len(res.Hits) != 1 || res.Hits[0].StandardID == 0 || res.Hits[0].DeclaredOn != "2025-01-02" {
			t.Errorf("declaration of B is not linked to the registry: %+v", res.Hits)
		}
		res, _ = f.svc.SearchDeclarations(ctx, DeclParams{Q: diEntC})
		if len(res.Hits) != 1 || res.Hits[0].EnterpriseName != "海北青稞酒业有限公司" {
			t.Errorf("new enterprise C: %+v", res.Hits)
		}
		if res, _ := f.svc.SearchDeclarations(ctx, DeclParams{Q: "青稞白酒"}); res.Total != 1 {
			t.Errorf("imported declaration not in the search index: %+v", res)
		}
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'import' AND entity_id = 'declarations'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d import audit entries, want 1", n)
		}
		// One entry for the import (its created ids cover the three
		// declarations), none a declaration, one for the enterprises
		// registered.
		var after string
		db.Reader().QueryRow(`SELECT after FROM audit_log WHERE entity = 'import' AND entity_id = 'declarations'`).Scan(&after)
		var lo, hi int64
		db.Reader().QueryRow(`SELECT MIN(id), MAX(id) FROM declarations`).Scan(&lo, &hi)
		if !strings.Contains(after, fmt.Sprintf(`"created":[[%d,%d]]`, lo, hi)) || hi-lo != 2 || !strings.Contains(after, `"rows_sha256"`) {
			t.Errorf("import entry %s, declarations %d–%d", after, lo, hi)
		}
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'declaration'`).Scan(&n)
		if n != 0 {
			t.Errorf("%d declaration entries, want none (the import's entry covers them)", n)
		}
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'enterprise' AND action = 'ensure'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d enterprise registration entries, want 1", n)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		db.Reader().QueryRow(`SELECT COUNT(*) FROM enterprises WHERE credit_code = $1 AND region = '632200'`, diEntC).Scan(&n)
		if n != 1 {
			t.Error("enterprise C not created with its region")
		}
	})
}

func TestDeclImportUpdates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newDeclImportFixture(t, db)
		admin := auth.CLI("test")
		if _, err := f.svc.ImportDeclarations(ctx, admin, "a.csv", bytes.NewReader(declImportCSV(declImportRows()))); err != nil {
			t.Fatal(err)
		}
		// An own enterprise standard declared on its page, with indicators.
		var entA int64
		db.Reader().QueryRow(`SELECT id FROM enterprises WHERE credit_code = $1`, diEntA).Scan(&entA)
		f.svc.now = func() time.Time { return time.Date(2025, 6, 1, 10, 0, 0, 0, kit.CST) }
		own, err := f.svc.Declare(ctx, admin, DeclarationInput{EnterpriseID: entA, StandardCode: "Q/KLYH 001S—2024", StandardTitle: "食用精制湖盐",
			Products:   []Product{{Name: "精制湖盐", Model: "500 g", Category: "食用盐"}},
			Indicators: []Indicator{{Name: "氯化钠含量", Unit: "g/100g", Value: "99.3", TestMethod: "GB 5009.42", Direction: HigherBetter}}, Committed: true})
		if err != nil {
			t.Fatal(err)
		}
		f.svc.now = func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, kit.CST) }
		rows := declImportRows()
		rows[2][4] = "加碘湖盐"       // A's second product changes
		rows[4][7] = "2026-02-01" // C: a later date, same products: left as is
		rows = append(rows, []string{diEntA, "格尔木昆仑盐化有限公司", "Q/KLYH 001S—2024", "食用精制湖盐", "精制湖盐", "1 kg", "食用盐", "2026-01-15"})
		// A dry run through the import kind counts the same and writes nothing.
		before := f.counts(t)
		kind := ImportKinds(f.svc)[1]
		dry, err := kind.Import(ctx, admin, kit.BytesSource("b.csv", declImportCSV(rows)), kit.ImportOptions{DryRun: true})
		if err != nil || dry.Rows != 5 || dry.Updated != 2 || dry.Unchanged != 2 || dry.Created != 0 || dry.Batches != 0 {
			t.Errorf("dry run: %+v %v", dry, err)
		}
		if after := f.counts(t); !sameCounts(before, after) {
			t.Errorf("the dry run wrote: %v → %v", before, after)
		}
		res, err := f.svc.ImportDeclarations(ctx, admin, "b.csv", bytes.NewReader(declImportCSV(rows)))
		if err != nil {
			t.Fatal(err)
		}
		if want := (DeclImportResult{Rows: 5, Declarations: 4, Updated: 2, Unchanged: 2}); res != want {
			t.Errorf("update: %+v, want %+v", res, want)
		}
		got, _ := f.svc.SearchDeclarations(ctx, DeclParams{Q: diEntA})
		for _, h := range got.Hits {
			switch h.StandardCode {
			case "GB 2721—2015":
				if len(h.Products) != 2 || h.Products[1].Name != "加碘湖盐" || h.ReviewedOn != "" {
					t.Errorf("GB 2721 after update: %+v", h.Declaration)
				}
			case "Q/KLYH 001S—2024":
				d, _ := f.svc.GetDeclaration(ctx, admin, own.ID)
				if len(d.Products) != 1 || d.Products[0].Model != "1 kg" || len(d.Indicators) != 1 || d.ReviewedOn != "2026-01-15" || d.ReviewDue != "2029-01-15" {
					t.Errorf("own standard after update: %+v", d)
				}
			}
		}
		// The same file again: nothing written.
		before = f.counts(t)
		res, err = f.svc.ImportDeclarations(ctx, admin, "b.csv", bytes.NewReader(declImportCSV(rows)))
		if err != nil || res.Unchanged != 4 || res.Created+res.Updated+res.EnterprisesCreated != 0 {
			t.Errorf("reimport: %+v %v", res, err)
		}
		if after := f.counts(t); !sameCounts(before, after) {
			t.Errorf("reimport wrote: %v → %v", before, after)
		}
		// Only administrators and supervisors import.
		rep := auth.Principal{UserID: 99, Login: "r", Roles: []auth.Role{auth.RoleReporter, auth.RoleEnterprise}}
		if _, err := f.svc.ImportDeclarations(ctx, rep, "b.csv", bytes.NewReader(declImportCSV(rows))); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("reporter import: %v", err)
		}
		sup := auth.Principal{UserID: 98, Login: "s", Roles: []auth.Role{auth.RoleSupervisor}}
		if _, err := f.svc.ImportDeclarations(ctx, sup, "b.csv", bytes.NewReader(declImportCSV(rows))); err != nil {
			t.Errorf("supervisor import: %v", err)
		}
	})
}

func TestDeclImportErrors(t *testing.T) {
	good := declImportRows()[1]
	with := func(col int, v string) []string {
		r := append([]string{}, good...)
		r[col] = v
		return r
	}
	cases := []struct {
		name  string
		file  string
		rows  [][]string
		raw   []byte
		want  []string // every one in the message
		row   int      // the first error's row and column letter
		col   string
		count int // number of errors, when checked
	}{
		{name: "missing column", rows: [][]string{declImportHeader[:7], good[:7]}, want: []string{"第 1 行“声明日期”：表头缺少必填列“声明日期”"}, row: 1},
		{name: "indicator columns refused", rows: [][]string{append(append([]string{}, declImportHeader...), "指标名称"), good}, want: []string{"第 1 行 I 列（指标名称）：批量导入暂不支持指标表"}, row: 1, col: "I"},
		{name: "duplicate column", rows: [][]string{append(append([]string{}, declImportHeader...), "标准号"), good}, want: []string{"第 1 行 I 列（标准号）：表头中重复出现该列（已在 C 列）"}, row: 1, col: "I"},
		{name: "bad credit code", rows: [][]string{declImportHeader, good, with(0, "91632800MA7XQ2B3C0")}, want: []string{"第 3 行 A 列（统一社会信用代码）：统一社会信用代码“91632800MA7XQ2B3C0”校验位不符"}, row: 3, col: "A"},
		{name: "empty credit code", rows: [][]string{declImportHeader, good, with(0, "")}, want: []string{"第 3 行 A 列（统一社会信用代码）：统一社会信用代码不能为空"}, row: 3, col: "A"},
		{name: "empty enterprise", rows: [][]string{declImportHeader, good, with(1, " ")}, want: []string{"第 3 行 B 列（企业名称）：企业名称不能为空"}, row: 3, col: "B"},
		{name: "two names for one code", rows: [][]string{declImportHeader, good, with(1, "格尔木盐化公司")}, want: []string{"第 3 行 B 列（企业名称）：统一社会信用代码 " + diEntA + " 在第 2 行的企业名称为“格尔木昆仑盐化有限公司”，本行为“格尔木盐化公司”"}, row: 3, col: "B"},
		{name: "registered under another name", rows: [][]string{declImportHeader, with(1, "昆仑盐化")}, want: []string{"第 2 行 B 列（企业名称）：统一社会信用代码 " + diEntA + " 已登记为“格尔木昆仑盐化有限公司”"}, row: 2, col: "B"},
		{name: "empty standard code", rows: [][]string{declImportHeader, good, with(2, "")}, want: []string{"第 3 行 C 列（标准号）：标准号不能为空"}, row: 3, col: "C"},
		{name: "bad standard code", rows: [][]string{declImportHeader, good, with(2, "XYZ")}, want: []string{"第 3 行 C 列（标准号）：标准号“XYZ”无法识别"}, row: 3, col: "C"},
		{name: "own enterprise standard", rows: [][]string{declImportHeader, good, with(2, "Q/KLYH 001S—2024")}, want: []string{"第 3 行 C 列（标准号）：Q/KLYH 001S—2024 是企业标准"}, row: 3, col: "C"},
		{name: "withdrawn standard", rows: [][]string{declImportHeader, good, with(2, "DB63/T 1000—2011")}, want: []string{"第 3 行 C 列（标准号）：标准 DB63/T 1000—2011 已废止"}, row: 3, col: "C"},
		{name: "empty title", rows: [][]string{declImportHeader, good, with(3, "")}, want: []string{"第 3 行 D 列（标准名称）：标准名称不能为空"}, row: 3, col: "D"},
		{name: "titles differ", rows: [][]string{declImportHeader, good, with(4, "低钠湖盐"), {diEntA, "格尔木昆仑盐化有限公司", "GB 2721—2015", "食用盐", "加碘盐", "1", "食用盐", "2024-05-01"}},
			want: []string{"第 4 行 D 列（标准名称）：同一企业声明 GB 2721—2015 的各行标准名称应一致：第 2 行为“食品安全国家标准 食用盐”"}, row: 4, col: "D"},
		{name: "empty product", rows: [][]string{declImportHeader, good, with(4, "")}, want: []string{"第 3 行 E 列（产品名称）：产品名称不能为空"}, row: 3, col: "E"},
		{name: "empty model", rows: [][]string{declImportHeader, good, with(5, "")}, want: []string{"第 3 行 F 列（规格型号）：规格型号不能为空"}, row: 3, col: "F"},
		{name: "empty category", rows: [][]string{declImportHeader, good, with(6, "")}, want: []string{"第 3 行 G 列（产品类别）：产品类别不能为空"}, row: 3, col: "G"},
		{name: "duplicate product", rows: [][]string{declImportHeader, good, good}, want: []string{"第 3 行 E 列（产品名称）：产品“精制湖盐 500 g 袋装（食用盐）”与第 2 行重复"}, row: 3, col: "E"},
		{name: "bad date", rows: [][]string{declImportHeader, good, with(7, "2024-13-01")}, want: []string{"第 3 行 H 列（声明日期）：日期“2024-13-01”无效"}, row: 3, col: "H"},
		{name: "empty date", rows: [][]string{declImportHeader, good, with(7, "")}, want: []string{"第 3 行 H 列（声明日期）：声明日期不能为空"}, row: 3, col: "H"},
		{name: "future date", rows: [][]string{declImportHeader, good, with(7, "2026-03-02")}, want: []string{"第 3 行 H 列（声明日期）：声明日期 2026-03-02 晚于今天"}, row: 3, col: "H"},
		{name: "dates differ", rows: [][]string{declImportHeader, good, with(4, "低钠湖盐"), {diEntA, "格尔木昆仑盐化有限公司", "GB 2721—2015", "食品安全国家标准 食用盐", "加碘盐", "1", "食用盐", "2024-06-01"}},
			want: []string{"第 4 行 H 列（声明日期）：同一企业声明 GB 2721—2015 的各行声明日期应一致：第 2 行为 2024-05-01，本行为 2024-06-01"}, row: 4, col: "H"},
		{name: "too long", rows: [][]string{declImportHeader, good, with(4, strings.Repeat("盐", 301))}, want: []string{"第 3 行 E 列（产品名称）：内容过长（301 字）"}, row: 3, col: "E"},
		{name: "every error listed", rows: [][]string{declImportHeader, with(0, "x"), good, with(2, ""), with(7, "昨天")}, want: []string{"导入文件有 3 行错误，未导入任何记录", "第 2 行 A 列", "第 4 行 C 列", "第 5 行 H 列"}, row: 2, col: "A", count: 3},
		{name: "header only", rows: [][]string{declImportHeader}, want: []string{"文件中没有数据行"}},
		{name: "empty file", raw: []byte(" \n"), want: []string{"文件为空"}},
		{name: "not a workbook", file: "声明.xlsx", raw: []byte("not a workbook"), want: []string{"无法读取 Excel 文件"}},
		{name: "unknown type", file: "声明.pdf", raw: []byte("%PDF-1.7"), want: []string{"不支持的文件类型“.pdf”"}},
		{name: "oversized", raw: bytes.Repeat([]byte("a"), MaxDeclImportBytes+1), want: []string{"文件过大（超过 10 MB）"}},
		{name: "too many rows", raw: append(declImportCSV([][]string{declImportHeader}), bytes.Repeat([]byte("x\n"), MaxDeclImportRows+1)...), want: []string{"文件超过 20000 行数据"}},
		{name: "control: a second product", rows: [][]string{declImportHeader, good, with(4, "低钠湖盐")}}, // valid, written last
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newDeclImportFixture(t, db)
		admin := auth.CLI("test")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				data := tc.raw
				if data == nil {
					data = declImportCSV(tc.rows)
				}
				name := tc.file
				if name == "" {
					name = "声明.csv"
				}
				before := f.counts(t)
				_, err := f.svc.ImportDeclarations(ctx, admin, name, bytes.NewReader(data))
				after := f.counts(t)
				if tc.want == nil {
					if err != nil {
						t.Fatalf("control case failed: %v", err)
					}
					return
				}
				if !sameCounts(before, after) {
					t.Errorf("refused file wrote rows: %v → %v", before, after)
				}
				if !errors.Is(err, apperr.ErrInvalid) {
					t.Fatalf("want an invalid-input error, got %v", err)
				}
				msg := apperr.Message(err)
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message lacks %q:\n%s", w, msg)
					}
				}
				if tc.row == 0 {
					return
				}
				var es kit.Errors
				if !errors.As(err, &es) || len(es) == 0 {
					t.Fatalf("no row details: %v", err)
				}
				if es[0].Row != tc.row || es[0].Col != tc.col {
					t.Errorf("first error at row %d column %q, want %d %q: %+v", es[0].Row, es[0].Col, tc.row, tc.col, es)
				}
				if tc.count > 0 && len(es) != tc.count {
					t.Errorf("%d errors, want %d: %v", len(es), tc.count, es)
				}
			})
		}
	})
}

func TestDeclImportTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newDeclImportFixture(t, db)
		b, err := DeclImportTemplate()
		if err != nil {
			t.Fatal(err)
		}
		// The template as downloaded imports nothing and fails only for
		// having no data rows; its example row, unmarked, is valid.
		_, err = f.svc.ImportDeclarations(context.Background(), auth.CLI("test"), "模板.xlsx", bytes.NewReader(b))
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "没有数据行") {
			t.Errorf("template as is: %v", err)
		}
		table, err := readTable("模板.xlsx", b, 0)
		if err != nil || len(table) != 2 || strings.Join(table[0][:8], ",") != strings.Join(DeclImportColumns, ",") || !strings.HasPrefix(table[1][8], DeclExampleMark) {
			t.Fatalf("template: %v %q", err, table)
		}
		table[1] = table[1][:8]
		var rows [][]string
		rows = append(rows, table[0][:8], table[1])
		res, err := f.svc.ImportDeclarations(context.Background(), auth.CLI("test"), "例.csv", bytes.NewReader(declImportCSV(rows)))
		if err != nil || res.Created != 1 {
			t.Errorf("example row: %+v %v", res, err)
		}
	})
}

// FuzzDeclImportCSV feeds arbitrary bytes to the CSV path: it never
// panics, and every refusal is an invalid-input error.
func FuzzDeclImportCSV(f *testing.F) {
	f.Add(declImportCSV(declImportRows()))
	f.Add([]byte("统一社会信用代码,企业名称\n\"unterminated"))
	f.Add([]byte("\xef\xbb\xbf标准号\n\xff\xfe"))
	f.Add(append(declImportCSV([][]string{declImportHeader}), []byte("a,b,c,d,e,f,g,45000\n,,,,,,,\n")...))
	svc := &Service{now: func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, kit.CST) }}
	f.Fuzz(func(t *testing.T, data []byte) {
		pl := svc.declPlan(auth.CLI("fuzz"))
		pl.Check = nil // the database's part
		var groups []*declGroup
		pl.Write = func(ctx context.Context, gs []*kit.Group[declGroup], _ kit.ImportReport) (kit.BatchResult, []kit.Count, error) {
			groups = declGroups(gs)
			return kit.BatchResult{}, nil, nil
		}
		rep, err := kit.RunGroupImport(context.Background(), kit.BytesSource("f.csv", data), kit.ImportOptions{SkipInvalid: true}, pl)
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) || apperr.Message(err) == "" {
				t.Fatalf("refusal %v is not invalid input", err)
			}
			return
		}
		rows := 0
		for _, g := range groups {
			if len(g.products) == 0 || len(g.products) != len(g.rows) || !g.code.Valid || g.credit == "" || g.date == "" {
				t.Fatalf("incomplete group %+v", g)
			}
			rows += len(g.rows)
		}
		if rows+rep.Rejected != rep.Rows || len(groups) != rep.Records {
			t.Fatalf("%d rows written and %d rejected of %d; %d declarations, report %d", rows, rep.Rejected, rep.Rows, len(groups), rep.Records)
		}
	})
}
