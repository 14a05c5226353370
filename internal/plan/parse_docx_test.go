package plan

import (
	"archive/zip"
	"bytes"
	"errors"
	"html"
	"os"
	"reflect"
	"strings"
	"testing"
)

// buildDocx writes a minimal Word document: paragraphs, and tables given
// as rows of cells (a line starting with "|" is a table row, cells split
// at "|"). No .docx is stored in the corpus, so the test builds one from a
// corpus text; the parts are those every .docx has.
func buildDocx(t *testing.T, lines []string) []byte {
	t.Helper()
	var body strings.Builder
	inTable := false
	para := func(s string) string {
		return `<w:p><w:r><w:t xml:space="preserve">` + html.EscapeString(s) + `</w:t></w:r></w:p>`
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "|") {
			if !inTable {
				body.WriteString(`<w:tbl><w:tblPr/>`)
				inTable = true
			}
			body.WriteString(`<w:tr>`)
			for _, c := range strings.Split(strings.Trim(l, "|"), "|") {
				// a cell may hold several paragraphs
				body.WriteString(`<w:tc><w:tcPr/>`)
				for _, p := range strings.Split(c, "/") {
					body.WriteString(para(p))
				}
				body.WriteString(`</w:tc>`)
			}
			body.WriteString(`</w:tr>`)
			continue
		}
		if inTable {
			body.WriteString(`</w:tbl>`)
			inTable = false
		}
		body.WriteString(para(l))
	}
	if inTable {
		body.WriteString(`</w:tbl>`)
	}
	return docxFromBody(t, body.String())
}

// docxFromBody packs WordprocessingML body content into a .docx.
func docxFromBody(t *testing.T, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body + `<w:sectPr/></w:body></w:document>`,
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseDocx(t *testing.T) {
	// corpus text 008 as paragraphs, plus an appendix table
	src, err := os.ReadFile("testdata/corpus/008.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	fromText := mustParse(t, string(src))
	docx := buildDocx(t, lines)
	doc, err := Parse(docx)
	if err != nil {
		t.Fatalf("Parse(docx): %v", err)
	}
	if !reflect.DeepEqual(owners(doc), owners(fromText)) || len(doc.Tasks()) != 6 {
		t.Errorf("docx owners %q, text owners %q", owners(doc), owners(fromText))
	}

	table := buildDocx(t, []string{
		"某某局2023年质量工作要点",
		"一、重点任务",
		"（一）夯实质量基础。加强计量工作。",
		"附件",
		"重点任务分工表",
		"|序号|重点任务|牵头单位|配合单位|完成时限|",
		"|1|制定地方标准/20项以上|省市场监管局|省发展改革委、省工业和信息化厅|2023年底前|",
		"|2|开展质量提升行动|省工业和信息化厅|省市场监管局|长期坚持|",
	})
	doc, err = Parse(table)
	if err != nil {
		t.Fatalf("Parse(docx table): %v", err)
	}
	tk := doc.Tasks()
	if got := owners(doc); !reflect.DeepEqual(got, []string{"1:省市场监管局/省发展改革委,省工业和信息化厅", "2:省工业和信息化厅/省市场监管局"}) ||
		tk[0].Title != "制定地方标准20项以上" || tk[0].Due != "2023-12-31" || !tk[1].Ongoing {
		t.Errorf("owners %q tasks %+v", got, tk)
	}

	// a damaged document part (its checksum no longer matches) is refused
	// with ErrDocx, not read as text
	bad := buildDocx(t, []string{"1.甲事。（省A局负责）"})
	if !bytes.Contains(bad, []byte("<w:body>")) {
		t.Fatal("stored part not found")
	}
	bad = bytes.Replace(bad, []byte("<w:body>"), []byte("<w:bodx>"), 1)
	if _, err := Parse(bad); !errors.Is(err, ErrDocx) {
		t.Errorf("damaged docx: %v, want ErrDocx", err)
	}
}

// TestDocxMergedCells reads a 任务分工表 as Word writes it when cells are
// merged: the 牵头单位 of two tasks in one vertically merged cell, a
// 配合单位 cell of two paragraphs (one department each), a heading row
// spanning every column, a cell holding a nested table, and a 完成时限
// spanning two grid columns before a 备注 column.
func TestDocxMergedCells(t *testing.T) {
	p := func(s string) string { return `<w:p><w:r><w:t>` + s + `</w:t></w:r></w:p>` }
	tc := func(pr string, paras ...string) string {
		var b strings.Builder
		b.WriteString(`<w:tc><w:tcPr>` + pr + `</w:tcPr>`)
		for _, s := range paras {
			b.WriteString(p(s))
		}
		if len(paras) == 0 {
			b.WriteString(`<w:p/>`)
		}
		return b.String() + `</w:tc>`
	}
	tr := func(cells ...string) string { return `<w:tr>` + strings.Join(cells, "") + `</w:tr>` }
	nested := `<w:tc><w:tcPr/><w:tbl>` + tr(tc("", "省林草局"), tc("", "省农业农村厅")) + `</w:tbl>` + p("") + `</w:tc>`
	body := p("某某局2024年质量工作要点") + p("附件") + p("重点任务分工表") + `<w:tbl><w:tblPr/>` +
		tr(tc("", "序号"), tc("", "重点任务"), tc("", "牵头单位"), tc("", "配合单位"), tc(`<w:gridSpan w:val="2"/>`, "完成时限"), tc("", "备注")) +
		tr(tc(`<w:gridSpan w:val="7"/>`, "一、夯实质量基础")) +
		tr(tc("", "1"), tc("", "制定地方标准", "20项以上"), tc(`<w:vMerge w:val="restart"/>`, "省市场监管局"), tc("", "省发展改革委", "省工业和信息化厅"), tc(`<w:gridSpan w:val="2"/>`, "2024年底前"), tc("")) +
		tr(tc("", "2"), tc("", "开展质量提升行动"), tc(`<w:vMerge/>`), nested, tc(`<w:gridSpan w:val="2"/>`, "长期坚持"), tc("", "无")) +
		tr(tc("", "3"), tc("", "建设计量测试中心"), tc("", "省科技厅"), tc(`<w:vMerge w:val="continue"/>`), tc(`<w:gridSpan w:val="2"/>`, "2024年6月"), tc("")) +
		`</w:tbl>`
	doc, err := Parse(docxFromBody(t, body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1:省市场监管局/省发展改革委,省工业和信息化厅", "2:省市场监管局/省林草局,省农业农村厅", "3:省科技厅/"}
	if got := owners(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("owners %q, want %q", got, want)
	}
	tk := doc.Tasks()
	if len(tk) != 3 || tk[0].Title != "制定地方标准20项以上" || tk[0].Due != "2024-12-31" || !tk[1].Ongoing || tk[2].Due != "2024-06-30" {
		t.Errorf("tasks %+v", tk)
	}
	text, err := DocxText(docxFromBody(t, body))
	if err != nil || !strings.Contains(text, "省发展改革委 省工业和信息化厅") || strings.Contains(text, cellParaMark) {
		t.Errorf("DocxText: %v\n%s", err, text)
	}
}

// TestDocxAmplification: vertically merged cells repeat at most
// maxMergedCopy bytes each, and the text read out is bounded.
func TestDocxAmplification(t *testing.T) {
	long := strings.Repeat("很长的单元格", 200) // 3,600 bytes: over maxMergedCopy
	row := `<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>`
	body := `<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>` + long + `</w:t></w:r></w:p></w:tc></w:tr>` +
		strings.Repeat(row, 1000) + `</w:tbl>`
	text, err := DocxText(docxFromBody(t, body))
	if err != nil || strings.Count(text, long) != 1 {
		t.Errorf("a long merged cell was repeated: %d copies (%v)", strings.Count(text, long), err)
	}
}
