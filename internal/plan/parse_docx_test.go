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
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body.String() + `<w:sectPr/></w:body></w:document>`,
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
