package training

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/check"
	"sidi/internal/kit"
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

// listColumns are the columns of an attendee list as the kit reads them.
var listColumns = []kit.Column{
	{Name: "姓名", Aliases: []string{"学员姓名"}, Required: true},
	{Name: "单位", Aliases: []string{"工作单位", "所在单位"}, Required: true},
	{Name: "职务", Aliases: []string{"职务职称"}},
}

// listFailure is the refusal of a list with invalid cells: nothing was
// stored; the details list every cell.
func listFailure(errs kit.Errors) error {
	shown := errs[:min(len(errs), 20)]
	lines := make([]string, len(shown))
	for i, c := range shown {
		lines[i] = c.String()
	}
	msg := fmt.Sprintf("学员名单有 %d 处错误，未保存任何内容：\n%s", len(errs), strings.Join(lines, "\n"))
	if len(errs) > len(shown) {
		msg += fmt.Sprintf("\n……另有 %d 处错误", len(errs)-len(shown))
	}
	return &apperr.Error{Kind: apperr.ErrInvalid, Msg: msg, Err: errs}
}

// ParseList checks an attendee list (the first sheet of a workbook or a
// CSV file, UTF-8 or GB18030, read by the kit's table reader) and returns
// its rows; every problem is reported by row and column (its letter and
// header: "第 3 行 B 列（单位）：…").
func ParseList(name string, data []byte) ([]Attendee, error) {
	if len(data) == 0 {
		return nil, apperr.Invalid("上传的文件是空的，请选择填好的学员名单（.xlsx 或 .csv）")
	}
	var errs kit.Errors
	var out []Attendee
	seen := map[string]int{}
	spec := kit.TableSpec{Columns: listColumns, Formulas: true, Limits: kit.Limits{MaxBytes: MaxListBytes, MaxRows: MaxListRows}}
	_, err := kit.ReadTable(name, bytes.NewReader(data), spec, func(row kit.Row) error {
		for _, e := range row.Errs {
			e.Col = row.Letter(e.Column)
			errs = append(errs, e)
		}
		vals := map[string]string{}
		for _, c := range ListColumns {
			v := norm.NFC.String(row.Get(c))
			switch {
			case !check.ControlFree(v):
				errs.AddAt(row, c, "含有不可见的控制字符")
			case len([]rune(v)) > columnMax[c]:
				errs.AddAt(row, c, "不能超过 %d 个字", columnMax[c])
			}
			vals[c] = v
		}
		for _, c := range ListColumns {
			if requiredColumn[c] && vals[c] == "" {
				errs.AddAt(row, c, "%s不能为空", c)
			}
		}
		key := vals["姓名"] + "\x00" + vals["单位"]
		if prev, dup := seen[key]; dup && vals["姓名"] != "" {
			errs.AddCell(row.N, "", "与第 %d 行重复（姓名、单位相同）", prev)
		}
		seen[key] = row.N
		out = append(out, Attendee{Name: vals["姓名"], Unit: vals["单位"], Position: vals["职务"]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, apperr.Invalid("名单中没有学员：表头下面至少要有一行")
	}
	if len(errs) > 0 {
		return nil, listFailure(errs)
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
	sc, err := s.editorScope(ctx, p)
	if err != nil {
		return UploadResult{}, err
	}
	x, err := s.Get(ctx, id)
	if err != nil {
		return UploadResult{}, err
	}
	if !sc.Allows(x.DeptID) {
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
