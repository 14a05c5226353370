package kit

import (
	"fmt"
	"strings"

	"sidi/internal/apperr"
)

// FieldError is one validation failure: of a form field (Field set, Row 0)
// or of a cell of an imported table (Row is the 1-based row of the file,
// Column its header as written or its letter; Col, when set, the column's
// letter beside its header name; Sheet, when set, the worksheet of a
// workbook read by its sheets' names, as the offline reporting template).
type FieldError struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Col    string `json:"col,omitempty"`
	Column string `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Msg    string `json:"message"`
}

// String reads as the Chinese message a user sees, with the place in the
// file first when there is one: "第 3 行“标准号”：标准号不能为空", or
// with the column's letter "第 3 行 C 列（标准号）：标准号不能为空".
// A failure in a named worksheet names it first: "工作表“指标数值”第 3
// 行 E 列（本期数值）：…", without "第 … 行" when it concerns no one row.
func (e FieldError) String() string {
	if e.Sheet != "" {
		return e.sheetString()
	}
	if e.Row > 0 && e.Col != "" {
		if e.Column == "" { // a column without a header
			return fmt.Sprintf("第 %d 行 %s 列：%s", e.Row, e.Col, e.Msg)
		}
		return fmt.Sprintf("第 %d 行 %s 列（%s）：%s", e.Row, e.Col, e.Column, e.Msg)
	}
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "“%s”", e.Column)
	} else if e.Row > 0 && e.Field != "" {
		fmt.Fprintf(&b, "“%s”", e.Field)
	}
	if b.Len() > 0 {
		b.WriteString("：")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e FieldError) sheetString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "工作表“%s”", e.Sheet)
	if e.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", e.Row)
	}
	switch {
	case e.Col != "":
		if e.Row > 0 {
			b.WriteString(" ")
		}
		if e.Column != "" {
			fmt.Fprintf(&b, "%s 列（%s）", e.Col, e.Column)
		} else {
			fmt.Fprintf(&b, "%s 列", e.Col)
		}
	case e.Column != "":
		fmt.Fprintf(&b, "“%s”", e.Column)
	}
	b.WriteString("：")
	b.WriteString(e.Msg)
	return b.String()
}

// ColumnLabel names the failure's column for the rejects file's 列 cell:
// its header, or "K 列" for a column the header does not name.
func (e FieldError) ColumnLabel() string {
	if e.Column == "" && e.Col != "" {
		return e.Col + " 列"
	}
	return e.Column
}

// Errors is a list of validation failures returned as one error. It is an
// invalid-input error (errors.Is(err, apperr.ErrInvalid)) whose message joins
// the first failures, and an apperr.Detailed whose details list them (up to
// MaxReportErrors),
// so a form shows each message next to its field and an import report shows
// each row and column.
type Errors []FieldError

// maxMessage is how many failures the joined message names; the details
// carry up to MaxReportErrors.
const maxMessage = 20

func (es Errors) Error() string {
	n := min(len(es), maxMessage)
	msgs := make([]string, n)
	for i, e := range es[:n] {
		msgs[i] = e.String()
	}
	s := strings.Join(msgs, "；")
	if len(es) > n {
		s += fmt.Sprintf("；……共 %d 处错误", len(es))
	}
	return s
}

// ErrorDetails lists the failures for API clients: the first
// MaxReportErrors, like an import report (a file of 100,000 bad rows
// would otherwise answer with all of them).
func (es Errors) ErrorDetails() any { return []FieldError(es[:min(len(es), MaxReportErrors)]) }

// Unwrap makes the list an invalid-input error carrying its message.
func (es Errors) Unwrap() []error {
	return []error{&apperr.Error{Kind: apperr.ErrInvalid, Msg: es.Error()}}
}

// Err returns es as an error, or nil when it is empty (a nil Errors inside
// an error interface would not be nil).
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Add appends a failure of field, formatted.
func (es *Errors) Add(field, format string, args ...any) {
	*es = append(*es, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// AddAt appends a failure of the cell of row in column (a canonical
// column name), with the column's letter in the file.
func (es *Errors) AddAt(row Row, column, format string, args ...any) {
	*es = append(*es, FieldError{Row: row.N, Col: row.Letter(column), Column: column, Msg: fmt.Sprintf(format, args...)})
}

// AddCell appends a failure of the cell at row (1-based) and column.
func (es *Errors) AddCell(row int, column, format string, args ...any) {
	*es = append(*es, FieldError{Row: row, Column: column, Msg: fmt.Sprintf(format, args...)})
}
