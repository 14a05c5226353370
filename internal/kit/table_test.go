package kit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"sidi/internal/apperr"
	"sidi/internal/kit"
)

var cols = []kit.Column{
	{Name: "标准号", Aliases: []string{"标准编号"}, Required: true},
	{Name: "标准名称", Required: true},
	{Name: "ICS"},
}

type got struct {
	rows []string // "n:标准号|标准名称|ICS"
	errs []string
}

func read(t *testing.T, name string, data []byte, spec kit.TableSpec) (got, error) {
	t.Helper()
	var g got
	_, err := kit.ReadTable(name, bytes.NewReader(data), spec, func(r kit.Row) error {
		g.rows = append(g.rows, strings.Join([]string{itoa(r.N) + ":" + r.Get("标准号"), r.Get("标准名称"), r.Get("ICS")}, "|"))
		for _, e := range r.Errs {
			g.errs = append(g.errs, e.String())
		}
		return nil
	})
	return g, err
}

func itoa(n int) string { return strconv.Itoa(n) }

func utf8Valid(s string) bool { return utf8.ValidString(s) }

func workbook(t *testing.T, rows [][]string) []byte {
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

func TestReadTable(t *testing.T) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("标准编号,标准名称\nGB 1-2020,枸杞\n")
	spec := kit.TableSpec{Columns: cols, Formulas: true}
	cases := []struct {
		name, file string
		data       []byte
		spec       kit.TableSpec
		rows       string // joined with ";"
		errs       string
		fail       string // in the error message
	}{
		{"utf-8", "a.csv", []byte("标准号,标准名称,ICS\nGB 1-2020,枸杞, 65.020 \n"), spec, "2:GB 1-2020|枸杞|65.020", "", ""},
		{"bom, alias, full-width header", "a.csv", []byte("\xef\xbb\xbf　标准 编号 ,标准名称,ｉｃｓ\nGB 1-2020,枸杞,1\n"), spec, "2:GB 1-2020|枸杞|1", "", ""},
		{"gb18030", "a.csv", []byte(gb), spec, "2:GB 1-2020|枸杞|", "", ""},
		{"blank rows skipped, numbers kept", "a.csv", []byte("标准号,标准名称\n,\nGB 1-2020,枸杞\n"), spec, "3:GB 1-2020|枸杞|", "", ""},
		{"xlsx", "a.xlsx", workbook(t, [][]string{{"标准名称", "标准号"}, {"枸杞", "GB 1-2020"}, {}, {"青稞", "GB 2-2020"}}), spec, "2:GB 1-2020|枸杞|;4:GB 2-2020|青稞|", "", ""},
		{"formula flagged", "a.csv", []byte("标准号,标准名称\nGB 1-2020,=1+1\nGB 2-2020,-5\n"), spec, "2:GB 1-2020|=1+1|;3:GB 2-2020|-5|", "第 2 行 B 列（标准名称）：“=1+1”以 = 开头，疑似公式，请改为纯文本", ""},
		// A cell under an empty header cell or beyond the header is data
		// shifted by a column (it was dropped silently); a column the spec
		// does not know is ignored, and empty cells past the header pass
		// (spreadsheets save them).
		{"cell beyond the header", "a.csv", []byte("标准号,标准名称\nGB 1-2020,枸杞,65.020\nGB 2-2020,青稞\n"), spec, "2:GB 1-2020|枸杞|;3:GB 2-2020|青稞|", "第 2 行 C 列：有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名", ""},
		{"cell under an empty header cell", "a.csv", []byte("标准号,,标准名称\nGB 1-2020,枸杞,\n"), spec, "2:GB 1-2020||", "第 2 行 B 列：有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名", ""},
		{"shifted xlsx row", "a.xlsx", workbook(t, [][]string{{"标准号", "标准名称", ""}, {"GB 1-2020", "枸杞", "", ""}, {"", "GB 2-2020", "青稞", "", "", "", "", "", "", "", "x"}}), spec,
			"2:GB 1-2020|枸杞|;3:|GB 2-2020|", "第 3 行 C 列：有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名;第 3 行 K 列：有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名", ""},
		{"trailing empty header and row cells", "a.csv", []byte("标准号,标准名称,,\nGB 1-2020,枸杞,, \nGB 2-2020,青稞\n"), spec, "2:GB 1-2020|枸杞|;3:GB 2-2020|青稞|", "", ""},
		{"unknown named column ignored", "a.csv", []byte("标准号,备注,标准名称\nGB 1-2020,旁注,枸杞\n"), spec, "2:GB 1-2020|枸杞|", "", ""},
		{"formula allowed", "a.csv", []byte("标准号,标准名称\nGB 1-2020,=1+1\n"), kit.TableSpec{Columns: cols}, "2:GB 1-2020|=1+1|", "", ""},
		{"title rows above the header", "a.xlsx", workbook(t, [][]string{{"青海省地方标准目录"}, {"2024 年 12 月"}, {"序号", "标准编号", "标准名称"}, {"1", "DB63/T 1—2024", "枸杞"}}), spec, "4:DB63/T 1—2024|枸杞|", "", ""},
		{"no header in the first rows", "a.csv", []byte("a\nb\nc\nd\ne\nf\ng\n"), spec, "", "", "第 1 行“标准号”：表头缺少必填列"},
		{"header with a column missing after a title", "a.csv", []byte("目录\n标准号,名称\n"), spec, "", "", "第 2 行“标准名称”：表头缺少必填列"},
		{"missing column", "a.csv", []byte("标准号,名称\nGB 1,x\n"), spec, "", "", "第 1 行“标准名称”：表头缺少必填列“标准名称”"},
		{"repeated column", "a.csv", []byte("标准号,标准编号,标准名称\n"), spec, "", "", "表头中重复出现该列"},
		{"empty", "a.csv", nil, spec, "", "", "文件为空"},
		{"nul", "a.csv", []byte("标准号,标准名称\nGB\x00,x\n"), spec, "", "", "NUL"},
		{"bad quotes", "a.csv", []byte("标准号,标准名称\n\"GB 1,x\nz\"y,1\n"), spec, "", "", "CSV 格式错误"},
		{"too many rows", "a.csv", []byte("标准号,标准名称\na,b\nc,d\ne,f\n"), kit.TableSpec{Columns: cols, Limits: kit.Limits{MaxRows: 2}}, "2:a|b|;3:c|d|", "", "超过 2 行数据"},
		{"too large", "a.csv", bytes.Repeat([]byte("标准号,标准名称\n"), 1000), kit.TableSpec{Columns: cols, Limits: kit.Limits{MaxBytes: 1000}}, "", "", "文件过大"},
		{"not a workbook", "a.xlsx", []byte("PK not really"), spec, "", "", "无法读取 Excel 文件"},
		{"other type", "a.pdf", []byte("x"), spec, "", "", "不支持的文件类型“.pdf”"},
		{"invalid utf-8 later", "a.csv", append(append([]byte("标准号,标准名称\n"), bytes.Repeat([]byte("a,b\n"), 20000)...), 0xff, ',', 'x', '\n'), spec, "", "", "编码无法识别"},
	}
	for _, c := range cases {
		g, err := read(t, c.file, c.data, c.spec)
		if c.fail != "" {
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), c.fail) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.fail)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r := strings.Join(g.rows, ";"); r != c.rows {
			t.Errorf("%s: rows %q, want %q", c.name, r, c.rows)
		}
		if e := strings.Join(g.errs, ";"); e != c.errs {
			t.Errorf("%s: cell errors %q, want %q", c.name, e, c.errs)
		}
	}
}

func TestScanTableHash(t *testing.T) {
	data := []byte("a,b\n1,2\n")
	st, err := kit.ScanTable("x.csv", bytes.NewReader(data), kit.Limits{}, func(int, []string) error { return nil })
	sum := sha256.Sum256(data)
	if err != nil || st.Rows != 2 || st.Bytes != int64(len(data)) || st.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("stats %+v %v", st, err)
	}
}

func TestFormulaLike(t *testing.T) {
	for v, want := range map[string]bool{"=A1": true, "+1": false, "-12.5": false, "-x": true, "@SUM": true, "-": false, "GB 1": false, "": false, "+86 138": true} {
		if kit.FormulaLike(v) != want {
			t.Errorf("FormulaLike(%q) = %v", v, !want)
		}
	}
}

// FuzzReadTable feeds arbitrary bytes to the reader as CSV and as a
// workbook: it must return rows or an error, never panic, and never hand
// on a cell with a NUL byte or invalid UTF-8.
func FuzzReadTable(f *testing.F) {
	for _, s := range []string{"标准号,标准名称\nGB 1-2020,枸杞\n", "\xef\xbb\xbf标准编号,标准名称\n\"a,b\",c\n", "标准号,标准名称\n=1,-2\n", "\"", "标准号\x00", "\xd0\xd5\xc3\xfb,\xb5\xa5\n", "PK\x03\x04"} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, asXLSX bool) {
		name := "f.csv"
		if asXLSX {
			name = "f.xlsx"
		}
		spec := kit.TableSpec{Columns: cols, Formulas: true, Limits: kit.Limits{MaxBytes: 1 << 20, MaxRows: 1000}}
		_, err := kit.ReadTable(name, bytes.NewReader(data), spec, func(r kit.Row) error {
			for _, c := range r.Cells {
				if strings.IndexByte(c, 0) >= 0 || !utf8Valid(c) {
					t.Fatalf("cell %q passed on", c)
				}
			}
			if r.N < 2 {
				t.Fatalf("data row numbered %d", r.N)
			}
			return nil
		})
		if err != nil && !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("error is not an invalid-input error: %v", err)
		}
	})
}

// TestRowGetDropsInvisible: a cell pasted from a web page or saved by a
// spreadsheet may carry a zero-width space or a byte-order mark; Get
// returns the text without them, as typed.
func TestRowGetDropsInvisible(t *testing.T) {
	spec := kit.TableSpec{Columns: []kit.Column{{Name: "标准号", Required: true}}}
	var got []string
	_, err := kit.ReadTable("a.csv", strings.NewReader("标准号\n\u200bGB 1-2020\ufeff \n GB\u200b 2-2020\n"), spec, func(r kit.Row) error {
		got = append(got, r.Get("标准号"))
		return nil
	})
	if err != nil || strings.Join(got, "|") != "GB 1-2020|GB 2-2020" {
		t.Errorf("got %q, %v", got, err)
	}
}
