package plan

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
func DocxText(src []byte) (string, error) {
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

// docxBody walks the WordprocessingML of the document part.
func docxBody(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out strings.Builder
	var para strings.Builder // text of the current paragraph
	var cells []string       // cells of the current table row (outermost table)
	var cell strings.Builder
	tblDepth := 0
	inText := false
	endPara := func() {
		if tblDepth > 0 {
			cell.WriteString(para.String())
		} else {
			out.WriteString(para.String())
			out.WriteByte('\n')
		}
		para.Reset()
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
			case "tr":
				if tblDepth == 1 {
					cells = cells[:0]
				}
			case "tc":
				if tblDepth == 1 {
					cell.Reset()
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				endPara()
			case "tc":
				if tblDepth == 1 {
					cells = append(cells, strings.ReplaceAll(cell.String(), "\t", " "))
				}
			case "tr":
				if tblDepth == 1 {
					out.WriteString(strings.Join(cells, "\t"))
					out.WriteByte('\n')
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
