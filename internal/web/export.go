package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"sidi/internal/apperr"
	"sidi/internal/numfmt"
)

// List pages export what they show: ?format=xlsx or ?format=csv on the
// page's own URL, with the page's filters. The helpers below turn a table
// of cells into either file.

// exportMaxRows bounds one export; a longer list is cut with a note saying so.
const exportMaxRows = 10000

// xlsxContentType is the media type of an Excel workbook.
const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportTable is one list to download.
type exportTable struct {
	// Name is the Chinese file name without date and extension (标准查询结果);
	// it names the worksheet too. ASCII is the fallback for old clients.
	Name, ASCII string
	Header      []string
	// Rows hold string cells and numbers (int, int64, float64); numbers stay
	// numbers in a workbook. A nil cell is left empty.
	Rows [][]any
	// Total is how many rows match when the caller fetched fewer (0: all of
	// Rows); Notes are lines written below the table.
	Total int
	Notes []string
	// Max is the most rows written (0: exportMaxRows).
	Max int
}

// exportLinks are the page's own URL as a workbook and as CSV.
type exportLinks struct{ XLSX, CSV string }

// exportFormat reads ?format=: "" shows the page, "csv" or "xlsx" asks for
// a download; anything else is refused with a message saying what works.
func exportFormat(r *http.Request) (string, error) {
	v := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format")))
	switch v {
	case "", "csv", "xlsx":
		return v, nil
	}
	return "", apperr.Invalid("不支持的导出格式“%s”：请选择 xlsx（Excel 工作簿）或 csv", r.URL.Query().Get("format"))
}

// exportURLs keeps the page's query (without paging) and adds the format;
// set are extra key, value pairs (such as the year a page defaulted to).
func exportURLs(r *http.Request, set ...string) exportLinks {
	q := r.URL.Query()
	for _, k := range []string{"page", "per_page", "size", "msg", "format"} {
		q.Del(k)
	}
	for i := 0; i+1 < len(set); i += 2 {
		q.Set(set[i], set[i+1])
	}
	at := func(format string) string {
		q.Set("format", format)
		return r.URL.Path + "?" + q.Encode()
	}
	return exportLinks{XLSX: at("xlsx"), CSV: at("csv")}
}

// demoMark is the value of the 演示数据 column.
func demoMark(demo bool) string {
	if demo {
		return "演示"
	}
	return ""
}

// yesNo writes a flag the way the pages speak.
func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// writeExport sends t as an attachment named 名称-2026-11-27.xlsx (or .csv)
// in China time.
func (s *Server) writeExport(w http.ResponseWriter, format string, t exportTable) error {
	return sendExport(w, format, s.now(), t)
}

// sendExport writes t as of now.
func sendExport(w http.ResponseWriter, format string, now time.Time, t exportTable) error {
	t = t.capped()
	day := now.In(cst).Format("2006-01-02")
	var (
		body        []byte
		contentType string
		err         error
	)
	switch format {
	case "csv":
		body, err = t.csv()
		contentType = "text/csv; charset=utf-8"
	case "xlsx":
		body, err = t.xlsx()
		contentType = xlsxContentType
	default:
		return apperr.Invalid("不支持的导出格式“%s”：请选择 xlsx（Excel 工作簿）或 csv", format)
	}
	if err != nil {
		return fmt.Errorf("web: export %s: %w", t.ASCII, err)
	}
	ascii := t.ASCII
	if ascii == "" {
		ascii = "sidi-export"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", contentDisposition(ascii+"-"+day+"."+format, t.Name+"-"+day+"."+format))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// capped cuts the table at exportMaxRows and says so below it, as it does
// when the caller fetched fewer rows than match.
func (t exportTable) capped() exportTable {
	total, limit := max(t.Total, len(t.Rows)), t.Max
	if limit <= 0 {
		limit = exportMaxRows
	}
	if len(t.Rows) > limit {
		t.Rows = t.Rows[:limit]
	}
	if total > len(t.Rows) {
		t.Notes = append(append([]string{}, t.Notes...), fmt.Sprintf("共 %s 条，仅导出前 %s 条；请增加筛选条件后分批导出。",
			thousands(total), thousands(len(t.Rows))))
	}
	return t
}

// thousands writes 12345 as 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cellText is a cell as CSV text.
func cellText(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return neutralise(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		// For people: at most 2 decimals; no separators, so that a
		// spreadsheet still reads a number; nothing for a non-finite value.
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strings.ReplaceAll(numfmt.Format(v, ""), ",", "")
	}
	return neutralise(fmt.Sprint(c))
}

// decimalsFormats show a fractional number to at most 2 decimals in a
// workbook while the cell keeps the exact value: the format has as many
// decimals as the rounded value needs (2.5 reads "2.5", 1.23456 "1.23");
// the last one shows a small negative that rounds to zero as "0", not "-0".
var decimalsFormats = []string{"#,##0", "#,##0.0", "#,##0.00", "0;0;0"}

// decimalsFormat is the index in decimalsFormats for v.
func decimalsFormat(v float64) int {
	s := numfmt.Format(v, "")
	if s == "0" && v < 0 {
		return 3
	}
	_, frac, _ := strings.Cut(s, ".")
	return len(frac)
}

// neutralise keeps a spreadsheet from reading text as a formula: a cell
// that starts with = + - @ tab or carriage return gets a leading apostrophe.
func neutralise(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// csv renders the table as UTF-8 with a byte-order mark (so Excel reads
// the Chinese correctly) and CRLF line ends.
func (t exportTable) csv() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	line := func(cells []any) error {
		rec := make([]string, len(cells))
		for i, c := range cells {
			rec[i] = cellText(c)
		}
		return cw.Write(rec)
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = h
	}
	if err := line(header); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		if err := line(row); err != nil {
			return nil, err
		}
	}
	if len(t.Notes) > 0 {
		// A blank row, then each note in the first column; every row as
		// wide as the header so that strict readers accept the file.
		width := max(len(t.Header), 1)
		if err := line(make([]any, width)); err != nil {
			return nil, err
		}
		for _, n := range t.Notes {
			note := make([]any, width)
			note[0] = n
			if err := line(note); err != nil {
				return nil, err
			}
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// xlsx renders the table as a workbook of one sheet: a bold header row
// frozen above the rows, columns as wide as their contents (within reason),
// numbers as numbers. Text is written as text, never as a formula.
func (t exportTable) xlsx() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(t.Name)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1},
		Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	for i, wd := range columnWidths(t.Header, t.Rows) {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = excelize.Cell{StyleID: bold, Value: xmlSafe(h)}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	numStyles := make([]int, len(decimalsFormats))
	for i, format := range decimalsFormats {
		if numStyles[i], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return nil, err
		}
	}
	n := 1
	next := func() string {
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return cell
	}
	for _, row := range t.Rows {
		vals := make([]any, len(row))
		for i, c := range row {
			switch v := c.(type) {
			case string:
				vals[i] = xmlSafe(v)
			case float64:
				vals[i] = v
				if v != math.Trunc(v) && !math.IsNaN(v) && !math.IsInf(v, 0) {
					vals[i] = excelize.Cell{StyleID: numStyles[decimalsFormat(v)], Value: v}
				}
			case nil, int, int64:
				vals[i] = v
			default:
				vals[i] = xmlSafe(fmt.Sprint(v))
			}
		}
		if err := sw.SetRow(next(), vals); err != nil {
			return nil, err
		}
	}
	if len(t.Notes) > 0 {
		next()
		for _, note := range t.Notes {
			if err := sw.SetRow(next(), []any{xmlSafe(note)}); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetName fits a worksheet name to Excel's rules: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}

// xmlSafe drops the control characters XML cannot carry.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

// columnWidths sizes each column to its widest cell among the header and
// the first rows, counting a Chinese character as two, between 6 and 60.
func columnWidths(header []string, rows [][]any) []float64 {
	out := make([]float64, len(header))
	measure := func(i int, s string) {
		if i >= len(out) {
			return
		}
		n := 0
		for _, r := range s {
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
		out[i] = max(out[i], float64(n)+2)
	}
	for i, h := range header {
		measure(i, h)
	}
	for k, row := range rows {
		if k >= 500 {
			break
		}
		for i, c := range row {
			measure(i, cellText(c))
		}
	}
	for i := range out {
		out[i] = min(max(out[i], 6), 60)
	}
	return out
}
