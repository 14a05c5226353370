package plan

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrDocx means a .docx file could not be read (damaged archive, no
// document part, or a part too large to be a plan).
var ErrDocx = errors.New("cannot read the .docx file (无法读取 .docx 文件)")

// maxDocxXML bounds the uncompressed document part, so a zip bomb costs a
// bounded amount of memory.
const maxDocxXML = 64 << 20

// isDocx tells a Word document (a zip with [Content_Types].xml and
// word/document.xml) from other input.
func isDocx(src []byte) bool {
	if !bytes.HasPrefix(src, []byte("PK\x03\x04")) {
		return false
	}
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return false
	}
	types, doc := false, false
	for _, f := range zr.File {
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			doc = true
		}
	}
	return types && doc
}

// DocxText returns the text of a .docx document in reading order:
// one line per paragraph, and each table row on one line with its cells
// separated by tabs, which is how Parse reads a 任务分工表 copied from Word.
// A cell's paragraphs are separated by a space; a merged cell's text is
// repeated in every row and column it covers.
func DocxText(src []byte) (string, error) {
	t, err := docxText(src)
	return strings.ReplaceAll(t, cellParaMark, " "), err
}

// cellParaMark separates the paragraphs of a table cell in the text Parse
// reads: the table reader turns it into 、 in a department column (one
// department a paragraph) and drops it elsewhere.
const cellParaMark = "\uE001"

// docxText is DocxText with cellParaMark between a cell's paragraphs.
func docxText(src []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return "", fmt.Errorf("plan: docx: %w: %v", ErrDocx, err)
	}
	var part *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			part = f
		}
	}
	if part == nil {
		return "", fmt.Errorf("plan: docx: %w: no word/document.xml", ErrDocx)
	}
	rc, err := part.Open()
	if err != nil {
		return "", fmt.Errorf("plan: docx: %w: %v", ErrDocx, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxDocxXML+1))
	if err != nil {
		return "", fmt.Errorf("plan: docx: %w: %v", ErrDocx, err)
	}
	if len(data) > maxDocxXML {
		return "", fmt.Errorf("plan: docx: %w: document part over %d MB", ErrDocx, maxDocxXML>>20)
	}
	return docxBody(data)
}

// docxBody walks the WordprocessingML of the document part. Cells of the
// outermost table become tab-separated; a cell spanning n grid columns
// (w:gridSpan) is followed by n-1 empty cells, so the columns stay under
// their headers, and a cell that continues a vertical merge (w:vMerge
// without "restart") takes the text of the cell that started it (up to
// maxMergedCopy bytes), so every row of a 任务分工表 whose 牵头单位 is
// merged over several tasks names it. Nested tables' cells and a cell's
// paragraphs are separated by cellParaMark. The text is refused past
// maxDocxText.
func docxBody(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out strings.Builder
	var para strings.Builder // text of the current paragraph
	var cells []string       // cells of the current table row (outermost table)
	var cell strings.Builder
	tblDepth := 0
	inText := false
	span, gridCol := 1, 0     // the current outer cell's width, its first grid column
	vMerge := ""              // "", "restart" or "continue"
	above := map[int]string{} // text of the vertical merges open by grid column
	endPara := func() {
		if tblDepth > 0 {
			if t := strings.TrimSpace(para.String()); t != "" {
				if cell.Len() > 0 {
					cell.WriteString(cellParaMark)
				}
				cell.WriteString(t)
			}
		} else {
			out.WriteString(para.String())
			out.WriteByte('\n')
		}
		para.Reset()
	}
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("plan: docx: %w: %v", ErrDocx, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				para.WriteByte(' ')
			case "br", "cr":
				if tblDepth == 0 {
					para.WriteByte('\n')
				}
			case "tbl":
				tblDepth++
				if tblDepth == 1 {
					clear(above)
				}
			case "tr":
				if tblDepth == 1 {
					cells = cells[:0]
					gridCol = 0
				}
			case "tc":
				if tblDepth == 1 {
					cell.Reset()
					span, vMerge = 1, ""
				}
			case "gridSpan":
				if tblDepth == 1 {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n > 1 && n <= maxGridSpan {
						span = n
					}
				}
			case "vMerge":
				if tblDepth == 1 {
					vMerge = "continue"
					if attr(t, "val") == "restart" {
						vMerge = "restart"
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				endPara()
			case "tc":
				switch tblDepth {
				case 1:
					text := strings.ReplaceAll(cell.String(), "\t", " ")
					switch vMerge {
					case "restart":
						if len(text) <= maxMergedCopy {
							above[gridCol] = text
						}
					case "continue":
						if text == "" {
							text = above[gridCol]
						}
					default:
						delete(above, gridCol)
					}
					cells = append(cells, text)
					for range span - 1 {
						cells = append(cells, "")
					}
					gridCol += span
				case 2:
					if cell.Len() > 0 {
						cell.WriteString(cellParaMark)
					}
				}
			case "tr":
				if tblDepth == 1 {
					out.WriteString(strings.Join(cells, "\t"))
					out.WriteByte('\n')
					if out.Len() > maxDocxText {
						return "", fmt.Errorf("plan: docx: %w: text over %d MB", ErrDocx, maxDocxText>>20)
					}
				}
			case "tbl":
				tblDepth--
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return out.String(), nil
}

const (
	// maxGridSpan bounds a cell's width in grid columns (Word allows 63).
	maxGridSpan = 63
	// maxMergedCopy bounds the text a vertically merged cell repeats in
	// each row it covers (a list of departments, not a page of prose).
	maxMergedCopy = 1 << 10
	// maxDocxText bounds the text read out of the document part.
	maxDocxText = 2 * maxDocxXML
)
