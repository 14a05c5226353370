package training

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/check"
	"sidi/internal/xlsx"
)

// Limits of an attendee list.
const (
	MaxListBytes = 2 << 20 // a list of thousands of names is well under 1 MB
	MaxListRows  = 5000
)

// Columns of the attendee list: 姓名 and 单位 are required in the header.
var (
	ListColumns    = []string{"姓名", "单位", "职务"}
	requiredColumn = map[string]bool{"姓名": true, "单位": true}
	columnMax      = map[string]int{"姓名": 50, "单位": 200, "职务": 100}
)

// CellError locates one problem of an uploaded list.
type CellError struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`    // as the spreadsheet numbers it; 0 for the file as a whole
	Column string `json:"column"` // letter and header, e.g. "B（单位）"
	What   string `json:"what"`
}

func (c CellError) String() string {
	switch {
	case c.Row == 0:
		return c.What
	case c.Column == "":
		return fmt.Sprintf("工作表“%s”第 %d 行：%s", c.Sheet, c.Row, c.What)
	}
	return fmt.Sprintf("工作表“%s”第 %d 行 %s 列：%s", c.Sheet, c.Row, c.Column, c.What)
}

// ListErrors are all the problems of a list; nothing was stored.
type ListErrors []CellError

func (e ListErrors) Error() string {
	parts := make([]string, len(e))
	for i, c := range e {
		parts[i] = c.String()
	}
	return "training: attendee list rejected: " + strings.Join(parts, "；")
}

// ErrorDetails lists the cells at fault for API clients.
func (e ListErrors) ErrorDetails() any { return []CellError(e) }

func (e ListErrors) chinese() string {
	shown := e
	if len(shown) > 20 {
		shown = shown[:20]
	}
	lines := make([]string, len(shown))
	for i, c := range shown {
		lines[i] = c.String()
	}
	msg := fmt.Sprintf("学员名单有 %d 处错误，未保存任何内容：\n%s", len(e), strings.Join(lines, "\n"))
	if len(e) > len(shown) {
		msg += fmt.Sprintf("\n……另有 %d 处错误", len(e)-len(shown))
	}
	return msg
}

func fileError(format string, args ...any) error {
	errs := ListErrors{{What: fmt.Sprintf(format, args...)}}
	return &apperr.Error{Kind: apperr.ErrInvalid, Msg: errs[0].What, Err: errs}
}

// readList reads the first sheet of a workbook or a CSV file (UTF-8 or
// GB18030) into rows, and names the sheet for error messages.
func readList(name string, data []byte) (string, [][]string, error) {
	if len(data) == 0 {
		return "", nil, fileError("上传的文件是空的，请选择填好的学员名单（.xlsx 或 .csv）")
	}
	if len(data) > MaxListBytes {
		return "", nil, fileError("文件过大（%.1f MB），学员名单不超过 %d MB", float64(len(data))/(1<<20), MaxListBytes>>20)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		f, err := xlsx.Open(data)
		if errors.Is(err, xlsx.ErrTooLarge) {
			return "", nil, fileError("%s", xlsx.TooLargeMessage())
		}
		if err != nil {
			return "", nil, fileError("文件不是可读取的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后重新上传")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return "", nil, fileError("工作簿中没有工作表")
		}
		var out [][]string
		tooLong := errors.New("too many rows")
		err = xlsx.Each(f, sheets[0], true, func(_ int, cols []string) error {
			if len(out) > MaxListRows+1 {
				return tooLong
			}
			out = append(out, cols)
			return nil
		})
		if errors.Is(err, tooLong) {
			return "", nil, fileError("工作表“%s”超过 %d 行，请分批上传", sheets[0], MaxListRows)
		}
		if err != nil {
			return "", nil, fileError("无法读取工作表“%s”：%v", sheets[0], err)
		}
		return sheets[0], out, nil
	case ".csv":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil || !utf8.Valid(d) {
				return "", nil, fileError("CSV 文件编码无法识别，请另存为 UTF-8 编码")
			}
			data = d
		}
		if bytes.IndexByte(data, 0) >= 0 {
			return "", nil, fileError("文件不是文本格式的 CSV，请确认上传的是学员名单")
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		var out [][]string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return "", nil, fileError("CSV 第 %d 行格式错误（引号不成对等），请用 Excel 另存后重新上传", pe.Line)
				}
				return "", nil, fileError("CSV 格式错误：%v", err)
			}
			if len(out) > MaxListRows+1 {
				return "", nil, fileError("CSV 文件超过 %d 行，请分批上传", MaxListRows)
			}
			out = append(out, rec)
		}
		return "CSV", out, nil
	}
	return "", nil, fileError("不支持的文件类型“%s”，请上传 .xlsx 或 .csv 格式的学员名单", filepath.Ext(name))
}

func headerKey(s string) string {
	return strings.Join(strings.Fields(norm.NFKC.String(s)), "")
}

// ParseList checks an attendee list and returns its rows; every problem is
// reported by sheet, row and column.
func ParseList(name string, data []byte) ([]Attendee, error) {
	sheet, rows, err := readList(name, data)
	if err != nil {
		return nil, err
	}
	var errs ListErrors
	bad := func(row int, col, format string, args ...any) {
		errs = append(errs, CellError{Sheet: sheet, Row: row, Column: col, What: fmt.Sprintf(format, args...)})
	}
	if len(rows) == 0 {
		return nil, fileError("名单是空的：第 1 行应为表头 %s", strings.Join(ListColumns, "、"))
	}
	col := map[string]int{}
	label := map[string]string{}
	for i, h := range rows[0] {
		k := headerKey(h)
		for _, want := range ListColumns {
			if k == want {
				letter, _ := excelize.ColumnNumberToName(i + 1)
				if _, dup := col[want]; dup {
					bad(1, letter+"（"+want+"）", "表头中重复出现“%s”列", want)
				}
				col[want], label[want] = i, letter+"（"+want+"）"
			}
		}
	}
	for _, want := range ListColumns {
		if _, ok := col[want]; !ok && requiredColumn[want] {
			bad(1, "", "表头缺少“%s”列（第 1 行应为表头：%s；职务可留空）", want, strings.Join(ListColumns, "、"))
		}
	}
	if len(errs) > 0 {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Msg: errs.chinese(), Err: errs}
	}
	var out []Attendee
	seen := map[string]int{}
	for ri, row := range rows[1:] {
		n := ri + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		vals := map[string]string{}
		for _, c := range ListColumns {
			i, ok := col[c]
			if !ok || i >= len(row) {
				continue
			}
			v := strings.TrimSpace(norm.NFC.String(row[i]))
			switch {
			case !check.ControlFree(v):
				bad(n, label[c], "含有不可见的控制字符")
			case len([]rune(v)) > columnMax[c]:
				bad(n, label[c], "不能超过 %d 个字", columnMax[c])
			case v != "" && strings.ContainsRune("=+-@", rune(v[0])):
				bad(n, label[c], "“%s”以 %c 开头，疑似公式，请改为纯文本", v, v[0])
			}
			vals[c] = v
		}
		for c := range requiredColumn {
			if vals[c] == "" {
				bad(n, label[c], "%s不能为空", c)
			}
		}
		key := vals["姓名"] + "\x00" + vals["单位"]
		if prev, dup := seen[key]; dup && vals["姓名"] != "" {
			bad(n, "", "与第 %d 行重复（姓名、单位相同）", prev)
		}
		seen[key] = n
		out = append(out, Attendee{Name: vals["姓名"], Unit: vals["单位"], Position: vals["职务"]})
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, fileError("名单中没有学员：表头下面至少要有一行")
	}
	if len(out) > MaxListRows {
		return nil, fileError("名单超过 %d 人，请分批上传", MaxListRows)
	}
	if len(errs) > 0 {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Msg: errs.chinese(), Err: errs}
	}
	return out, nil
}

// UploadResult says what an upload did.
type UploadResult struct {
	Attendees int `json:"attendees"`
	Trainees  int `json:"trainees"` // the session's count afterwards
}

// UploadAttendees replaces a session's attendee list with the rows of an
// uploaded file: all rows are checked first and any problem rejects the
// whole file. The number of trainees rises to the list's length when it
// was lower (people may attend without being on the list, so it never
// falls).
func (s *Service) UploadAttendees(ctx context.Context, p auth.Principal, id int64, name string, data []byte) (UploadResult, error) {
	res, err := s.uploadAttendees(ctx, p, id, name, data)
	if err == nil {
		s.db.Observer().ImportRows("attendees", res.Attendees)
	}
	return res, err
}

func (s *Service) uploadAttendees(ctx context.Context, p auth.Principal, id int64, name string, data []byte) (UploadResult, error) {
	all, ids, err := s.editorDepts(ctx, p)
	if err != nil {
		return UploadResult{}, err
	}
	x, err := s.Get(ctx, id)
	if err != nil {
		return UploadResult{}, err
	}
	if !all && !ids[x.DeptID] {
		return UploadResult{}, apperr.Forbidden("该培训由%s登记，不在您的数据范围内", x.Dept)
	}
	list, err := ParseList(name, data)
	if err != nil {
		return UploadResult{}, err
	}
	var res UploadResult
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM training_attendees WHERE session_id = $1`, id); err != nil {
			return fmt.Errorf("training: attendees of %d: %w", id, err)
		}
		for i, a := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training_attendees(session_id, ordinal, name, unit, position) VALUES ($1, $2, $3, $4, $5)`,
				id, i+1, a.Name, a.Unit, a.Position); err != nil {
				return fmt.Errorf("training: attendees of %d: %w", id, err)
			}
		}
		trainees := max(before.Trainees, len(list))
		if _, err := tx.ExecContext(ctx, `UPDATE training_sessions SET trainees = $1, updated_at = $2 WHERE id = $3`,
			trainees, s.now().UTC().Format(time.RFC3339), id); err != nil {
			return fmt.Errorf("training: attendees of %d: %w", id, err)
		}
		res = UploadResult{Attendees: len(list), Trainees: trainees}
		// The audit keeps counts, not the names: the log is read by more
		// people than the list.
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "training_session", EntityID: strconv.FormatInt(id, 10), Action: "attendees",
			Before: map[string]any{"attendees": before.Attendees, "trainees": before.Trainees},
			After:  map[string]any{"attendees": len(list), "trainees": trainees, "file": name}})
	})
	return res, err
}
