package kit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"sidi/internal/xlsx"
)

// The one table reader of every import: a .csv (UTF-8 with or without BOM,
// or GB18030) or the first sheet of an .xlsx file, read a row at a time.
// A CSV is streamed from its reader, so memory does not grow with the
// file; a workbook is held packed (excelize needs random access to the zip)
// and its sheet is streamed from there.

// Column is a column of an importable table: its canonical Chinese header,
// the other headers accepted for it, and whether the header must carry it.
type Column struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases,omitempty"`
	Required bool     `json:"required,omitempty"`
	// Refuse, when set, makes the column one a file must not carry (data
	// the kind cannot import yet, which would otherwise be dropped
	// silently): its header refuses the file with this message.
	Refuse string `json:"-"`
}

// Header lists the canonical headers of cols, as a template's first row
// (the refused columns left out).
func Header(cols []Column) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		if c.Refuse == "" {
			out = append(out, c.Name)
		}
	}
	return out
}

// ColumnLetter is the spreadsheet letter of the 0-based column i: A, …,
// Z, AA, ….
func ColumnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

// Limits bound what a table reader takes. Zero fields take the defaults.
type Limits struct {
	MaxBytes int64 // the file; DefaultMaxBytes
	MaxRows  int   // data rows after the header; DefaultMaxRows
}

// Default limits of an import file: large enough for a province's whole
// register in one file, small enough that a mistaken upload is refused.
const (
	DefaultMaxBytes = 512 << 20
	DefaultMaxRows  = 2_000_000
	// MaxCell is the longest cell (in bytes) a table may hold.
	MaxCell = 64 << 10
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	return l
}

// TableStats describe a table read to its end.
type TableStats struct {
	Sheet  string // the worksheet read, "CSV" for a CSV file
	Rows   int    // rows read, the header included, empty rows not counted
	Bytes  int64
	SHA256 string // hex SHA-256 of the file's bytes
}

// fileError is a refusal of the whole file.
func fileError(format string, args ...any) error {
	return Errors{{Msg: fmt.Sprintf(format, args...)}}
}

// HeaderKey is how headers are compared: NFKC (full-width letters and
// spaces fold to ASCII), spaces removed, letters upper-cased.
func HeaderKey(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(norm.NFKC.String(s)), ""))
}

// hashingReader counts and hashes what is read through it and refuses to
// read past max bytes.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	max  int64
	over bool
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if h.n > h.max {
		h.over = true
		return n, errTooBig
	}
	return n, err
}

var errTooBig = errors.New("kit: table file too large")

func tooBig(max int64) error {
	return fileError("文件过大（超过 %d MB），请拆分为几个文件分批导入", max>>20)
}

// ScanTable reads the table of file name (its extension decides the format)
// from r and calls fn with every non-empty row, n counting from 1 as the
// spreadsheet does (the header is row 1). Problems of the file (format,
// encoding, NUL bytes, limits) come back as Errors in Chinese; an error of
// fn stops the scan and is returned as it is. cells is not reused.
func ScanTable(name string, r io.Reader, lim Limits, fn func(n int, cells []string) error) (TableStats, error) {
	lim = lim.withDefaults()
	if n := sizeHint(r); n > lim.MaxBytes {
		return TableStats{}, tooBig(lim.MaxBytes)
	}
	hr := &hashingReader{r: r, h: sha256.New(), max: lim.MaxBytes}
	var st TableStats
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		st, err = scanXLSX(hr, lim, fn)
	case ".csv", ".txt", "":
		st, err = scanCSV(hr, lim, fn)
	default:
		return st, fileError("不支持的文件类型“%s”，请上传 .xlsx 或 .csv 文件", filepath.Ext(name))
	}
	if hr.over {
		return st, tooBig(lim.MaxBytes)
	}
	if err != nil {
		return st, err
	}
	// Read what the parser left (a workbook's trailing bytes) so the hash
	// is of the whole file.
	if _, err := io.Copy(io.Discard, hr); err != nil {
		if hr.over {
			return st, tooBig(lim.MaxBytes)
		}
		return st, fmt.Errorf("kit: read table: %w", err)
	}
	st.Bytes, st.SHA256 = hr.n, hex.EncodeToString(hr.h.Sum(nil))
	return st, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// checkCells refuses NUL bytes, invalid UTF-8 and oversized cells.
func checkCells(n int, cells []string) error {
	for _, c := range cells {
		if strings.IndexByte(c, 0) >= 0 {
			return Errors{{Row: n, Msg: "含有 NUL 字节：文件不是文本表格，请确认上传的是导入文件"}}
		}
		if !utf8.ValidString(c) {
			return Errors{{Row: n, Msg: "文字编码无法识别，请把文件另存为 UTF-8 编码的 CSV 或 .xlsx"}}
		}
		if len(c) > MaxCell {
			return Errors{{Row: n, Msg: fmt.Sprintf("单元格内容过长（超过 %d KB）", MaxCell>>10)}}
		}
	}
	return nil
}

func scanCSV(hr *hashingReader, lim Limits, fn func(int, []string) error) (TableStats, error) {
	st := TableStats{Sheet: "CSV"}
	br := bufio.NewReaderSize(hr, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		if hr.over {
			return st, tooBig(lim.MaxBytes)
		}
		return st, fmt.Errorf("kit: read table: %w", err)
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return st, fileError("文件含有 NUL 字节，不是文本格式的 CSV，请确认上传的是导入文件")
	}
	var src io.Reader = br
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	} else if !validPrefix(head) {
		// Not UTF-8: the other encoding Chinese spreadsheets save CSV in.
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if hr.over {
			return st, tooBig(lim.MaxBytes)
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return st, Errors{{Row: n, Msg: fmt.Sprintf("CSV 格式错误（第 %d 行文字处，引号不成对等），请用 Excel 另存后重新导入", pe.Line)}}
			}
			return st, fmt.Errorf("kit: read csv: %w", err)
		}
		if err := checkCells(n, rec); err != nil {
			return st, err
		}
		if blank(rec) {
			continue
		}
		st.Rows++
		if st.Rows > lim.MaxRows+1 {
			return st, fileError("文件超过 %d 行数据，请拆分为几个文件分批导入", lim.MaxRows)
		}
		if err := fn(n, rec); err != nil {
			return st, err
		}
	}
}

// validPrefix reports whether b is UTF-8 but for a rune cut at its end.
func validPrefix(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	for i := 1; i <= 3 && i <= len(b); i++ {
		if !utf8.FullRune(b[len(b)-i:]) && utf8.Valid(b[:len(b)-i]) {
			return true
		}
	}
	return false
}

func scanXLSX(hr *hashingReader, lim Limits, fn func(int, []string) error) (TableStats, error) {
	var st TableStats
	// The packed workbook is read into a buffer of its size when the
	// reader knows it (an upload in memory, a file), not grown by doubling.
	var buf bytes.Buffer
	if n := sizeHint(hr.r); n > 0 && n <= lim.MaxBytes {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(hr)
	data := buf.Bytes()
	if hr.over {
		return st, tooBig(lim.MaxBytes)
	}
	if err != nil {
		return st, fmt.Errorf("kit: read table: %w", err)
	}
	f, err := xlsx.Open(data)
	if errors.Is(err, xlsx.ErrTooLarge) {
		return st, fileError("%s", xlsx.TooLargeMessage())
	}
	if err != nil {
		return st, fileError("无法读取 Excel 文件：文件不是可读取的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后重新导入")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return st, fileError("Excel 文件中没有工作表")
	}
	st.Sheet = sheets[0]
	var fnErr error
	err = xlsx.Each(f, sheets[0], true, func(n int, cells []string) error {
		if err := checkCells(n, cells); err != nil {
			fnErr = err
			return err
		}
		if blank(cells) {
			return nil
		}
		st.Rows++
		if st.Rows > lim.MaxRows+1 {
			fnErr = fileError("工作表“%s”超过 %d 行数据，请拆分为几个文件分批导入", sheets[0], lim.MaxRows)
			return fnErr
		}
		if err := fn(n, cells); err != nil {
			fnErr = err
			return err
		}
		return nil
	})
	if fnErr != nil {
		return st, fnErr
	}
	if err != nil {
		return st, fileError("无法读取工作表“%s”：%v", sheets[0], err)
	}
	return st, nil
}

// TableSpec is what an import expects of a table.
type TableSpec struct {
	Columns []Column
	Limits  Limits
	// Formulas refuses cells that a spreadsheet would read as a formula
	// (starting with =, +, - or @ and not a number): such a cell in an
	// exported file would run when opened.
	Formulas bool
}

// Row is a data row of a table read against a TableSpec.
type Row struct {
	N     int      // 1-based row of the file (the header is row 1)
	Cells []string // as read
	// Errs are the problems the reader found in the row's cells (formula
	// cells); the import adds its own.
	Errs Errors
	col  map[string]int
}

// Get returns the cell of the canonical column name as typed: without
// surrounding space or the invisible characters spreadsheets and web
// pages leave in a cell (zero-width space, byte-order mark); "" when the
// file has no such column or the row is short.
func (r Row) Get(name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return cellText(r.Cells[i])
}

// cellText is a cell without surrounding space and invisible characters.
func cellText(s string) string {
	if strings.Contains(s, "\u200b") || strings.Contains(s, "\ufeff") {
		s = strings.Map(func(r rune) rune {
			if r == '\u200b' || r == '\ufeff' {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// Index returns the 0-based index of the canonical column name in the
// file, and whether the file has it.
func (r Row) Index(name string) (int, bool) { i, ok := r.col[name]; return i, ok }

// Letter returns the spreadsheet letter of the canonical column name in
// the file, "" when the file has no such column.
func (r Row) Letter(name string) string {
	if i, ok := r.col[name]; ok {
		return ColumnLetter(i)
	}
	return ""
}

// Has reports whether the file has the column.
func (r Row) Has(name string) bool { _, ok := r.col[name]; return ok }

// matchHeader maps the header row onto spec's columns.
func matchHeader(cols []Column, row int, cells []string) (map[string]int, Errors) {
	var errs Errors
	keys := map[string]string{}
	for _, c := range cols {
		keys[HeaderKey(c.Name)] = c.Name
		for _, a := range c.Aliases {
			keys[HeaderKey(a)] = c.Name
		}
	}
	refuse := map[string]string{}
	for _, c := range cols {
		if c.Refuse != "" {
			refuse[c.Name] = c.Refuse
		}
	}
	col := map[string]int{}
	for i, h := range cells {
		name, ok := keys[HeaderKey(h)]
		if !ok {
			continue
		}
		if prev, dup := col[name]; dup {
			errs = append(errs, FieldError{Row: row, Col: ColumnLetter(i), Column: name, Msg: "表头中重复出现该列（已在 " + ColumnLetter(prev) + " 列）"})
			continue
		}
		if msg := refuse[name]; msg != "" {
			errs = append(errs, FieldError{Row: row, Col: ColumnLetter(i), Column: name, Msg: msg})
		}
		col[name] = i
	}
	var req []string
	for _, c := range cols {
		if c.Required {
			req = append(req, c.Name)
		}
	}
	for _, c := range cols {
		if _, ok := col[c.Name]; !ok && c.Required {
			errs = append(errs, FieldError{Row: row, Column: c.Name, Msg: "表头缺少必填列“" + c.Name + "”（必填列：" + strings.Join(req, "、") + "）"})
		}
	}
	return col, errs
}

// FormulaLike reports whether a cell would be read as a formula by a
// spreadsheet: it starts with =, +, - or @ and is not a plain number.
func FormulaLike(v string) bool {
	if v == "" || !strings.ContainsRune("=+-@", rune(v[0])) {
		return false
	}
	if len(v) == 1 {
		return false
	}
	if v[0] == '-' || v[0] == '+' {
		num := true
		for _, r := range v[1:] {
			if (r < '0' || r > '9') && r != '.' {
				num = false
				break
			}
		}
		return !num
	}
	return true
}

// maxTitleRows is how many rows above the header (a list's title, its date)
// ReadTable passes over: rows in which no column's header appears.
const maxTitleRows = 5

// ReadTable reads a table against spec: the first non-empty row in which a
// column's header appears is the header row (up to maxTitleRows rows
// before it, in which none appears, are titles), matched on HeaderKey
// against the columns and their aliases (a missing required column or a
// repeated one refuses the file, with the row and the column); fn is
// called with every later non-empty row. A column whose header the spec
// does not know is ignored, but a row's non-empty cell under an empty
// header cell (or beyond the header) is one of the row's Errs: it is
// usually data shifted by a column, which would otherwise be lost.
func ReadTable(name string, r io.Reader, spec TableSpec, fn func(Row) error) (TableStats, error) {
	var col map[string]int
	var named []bool // by column of the file: the header cell is not empty
	var names []string
	for _, c := range spec.Columns {
		names = append(names, c.Name)
	}
	var firstErr Errors
	titles := 0
	st, err := ScanTable(name, r, spec.Limits, func(n int, cells []string) error {
		if col == nil {
			c, errs := matchHeader(spec.Columns, n, cells)
			if len(errs) > 0 && len(c) == 0 && titles < maxTitleRows {
				// Not a header at all: a title row above it, as
				// published lists have ("青海省地方标准目录").
				if firstErr == nil {
					firstErr = errs
				}
				titles++
				return nil
			}
			if len(errs) > 0 {
				if len(c) == 0 && firstErr != nil {
					return firstErr
				}
				return errs
			}
			col = c
			named = make([]bool, len(cells))
			for i, h := range cells {
				named[i] = strings.TrimSpace(h) != ""
			}
			return nil
		}
		row := Row{N: n, Cells: cells, col: col}
		for i, v := range cells {
			if (i >= len(named) || !named[i]) && strings.TrimSpace(v) != "" {
				row.Errs = append(row.Errs, FieldError{Row: n, Col: ColumnLetter(i), Msg: "有内容，但表头中该列没有列名：请检查是否错列，或为该列补上列名"})
			}
		}
		if spec.Formulas {
			for _, name := range names {
				if v := row.Get(name); FormulaLike(v) {
					row.Errs.AddAt(row, name, "“%s”以 %c 开头，疑似公式，请改为纯文本", v, v[0])
				}
			}
		}
		return fn(row)
	})
	if err != nil {
		return st, err
	}
	if col == nil && firstErr != nil {
		return st, firstErr
	}
	if col == nil {
		var req []string
		for _, c := range spec.Columns {
			if c.Required {
				req = append(req, c.Name)
			}
		}
		return st, fileError("文件为空：第一行应为表头 %s", strings.Join(req, "、"))
	}
	return st, nil
}

// sizeHint is the size r says it has, 0 when it does not.
func sizeHint(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil {
			return fi.Size()
		}
	}
	return 0
}
