package standards

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/xlsx"
)

// Import columns: the first five are required in the header row.
var (
	RequiredColumns = []string{"标准号", "标准名称", "标准状态", "发布日期", "实施日期"}
	OptionalColumns = []string{"ICS", "CCS", "归口单位", "起草单位", "代替标准"}
)

// ImportError is one problem of an import file, by row (as numbered in the
// spreadsheet, the header being row 1) and column.
type ImportError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Msg    string `json:"message"`
}

func (e ImportError) String() string {
	if e.Row == 0 {
		return e.Msg
	}
	if e.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", e.Row, e.Msg)
	}
	return fmt.Sprintf("第 %d 行“%s”列：%s", e.Row, e.Column, e.Msg)
}

// ImportErrors are all the problems found; nothing was written.
type ImportErrors []ImportError

func (es ImportErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.String()
	}
	return strings.Join(lines, "\n")
}

// ErrorDetails lists the rows and columns at fault for API clients.
func (es ImportErrors) ErrorDetails() any { return []ImportError(es) }

// ImportResult counts what an import did.
type ImportResult struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Progress is told how many of total rows are done.
type Progress func(done, total int)

// MaxTableRows caps the rows of an uploaded table (header included); the
// sheet is read row by row and refused past it.
const MaxTableRows = 100000

// ReadTable reads a .csv (UTF-8, with or without BOM, or GB18030) or .xlsx
// file into rows of cells.
func ReadTable(name string, data []byte) ([][]string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		f, err := xlsx.Open(data)
		if errors.Is(err, xlsx.ErrTooLarge) {
			return nil, apperr.Invalid("%s", xlsx.TooLargeMessage())
		}
		if err != nil {
			return nil, apperr.Invalid("无法读取 Excel 文件：%v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, apperr.Invalid("Excel 文件中没有工作表")
		}
		rows, err := xlsx.ReadAll(f, sheets[0], true, MaxTableRows)
		var re *xlsx.RowsError
		if errors.As(err, &re) {
			return nil, apperr.Invalid("%s", re.Message())
		}
		if err != nil {
			return nil, apperr.Invalid("无法读取工作表“%s”：%v", sheets[0], err)
		}
		return rows, nil
	case ".csv", ".txt", "":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, apperr.Invalid("CSV 文件编码无法识别，请另存为 UTF-8")
			}
			data = d
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		var rows [][]string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, apperr.Invalid("CSV 格式错误：%v", err)
			}
			rows = append(rows, rec)
		}
		return rows, nil
	}
	return nil, apperr.Invalid("不支持的文件类型“%s”，请上传 .xlsx 或 .csv 文件", filepath.Ext(name))
}

func headerKey(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(norm.NFKC.String(s)), ""))
}

// cellDate reads a date cell: text in any common form, or an Excel serial
// day number (what a date-formatted cell holds).
func cellDate(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 18000 && f < 80000 && !strings.Contains(v, "-") {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
		return t.Format("2006-01-02"), true
	}
	return ParseDate(v)
}

type importRow struct {
	row int
	rec record
}

// Import reads a table of standards and stores it: every row is checked
// first and any problem (named by row and column) aborts the whole file;
// rows are matched on the normalised code, so importing the same file
// again changes nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, name string, data []byte, progress Progress) (ImportResult, error) {
	res, err := s.importTable(ctx, p, name, data, progress)
	if err == nil {
		s.db.Observer().ImportRows("standards", res.Rows)
	}
	return res, err
}

func (s *Service) importTable(ctx context.Context, p auth.Principal, name string, data []byte, progress Progress) (ImportResult, error) {
	if err := p.Require(Editors...); err != nil {
		return ImportResult{}, err
	}
	table, err := ReadTable(name, data)
	if err != nil {
		return ImportResult{}, err
	}
	rows, errs := s.parseTable(table)
	if len(errs) > 0 {
		shown := errs
		if len(shown) > 20 {
			shown = shown[:20]
		}
		msg := "导入文件有 " + strconv.Itoa(len(errs)) + " 处错误，未导入任何记录：\n" + shown.Error()
		if len(errs) > len(shown) {
			msg += fmt.Sprintf("\n……另有 %d 处错误", len(errs)-len(shown))
		}
		return ImportResult{}, &apperr.Error{Kind: apperr.ErrInvalid, Msg: msg, Err: errs}
	}
	res := ImportResult{Rows: len(rows)}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, ir := range rows {
			if progress != nil && (i%200 == 0) {
				progress(i, len(rows))
			}
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM standards WHERE code_key = $1`, ir.rec.code.Normalized).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				ir.rec.Tags = InferTags(ir.rec.Title)
				id, err := s.insert(ctx, tx, ir.rec)
				if err != nil {
					return fmt.Errorf("第 %d 行：%w", ir.row, err)
				}
				after, err := s.getTx(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "standard", EntityID: strconv.FormatInt(id, 10), Action: "import", After: after}); err != nil {
					return err
				}
				res.Created++
				continue
			}
			if err != nil {
				return fmt.Errorf("standards: import row %d: %w", ir.row, err)
			}
			before, err := s.getTx(ctx, tx, id)
			if err != nil {
				return err
			}
			in := InputOf(before)
			if before.Status == StatusProject {
				return &apperr.Error{Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 行：标准 %s 正在制修订流程中，请在流程中登记发布，不能通过导入覆盖", ir.row, before.Code)}
			}
			merged := in
			merged.Code, merged.Title, merged.Status, merged.Issued, merged.Implemented = ir.rec.code.Display, ir.rec.Title, ir.rec.Status, ir.rec.Issued, ir.rec.Implemented
			for _, f := range []struct {
				set bool
				dst *string
				v   string
			}{{ir.rec.ICS != "", &merged.ICS, ir.rec.ICS}, {ir.rec.CCS != "", &merged.CCS, ir.rec.CCS}, {ir.rec.Committee != "", &merged.Committee, ir.rec.Committee}, {ir.rec.DraftingUnits != "", &merged.DraftingUnits, ir.rec.DraftingUnits}} {
				if f.set {
					*f.dst = f.v
				}
			}
			if len(ir.rec.Replaces) > 0 {
				merged.Replaces = ir.rec.Replaces
			}
			if len(merged.Tags) == 0 {
				merged.Tags = InferTags(merged.Title)
			}
			r, verrs := s.validate(merged)
			if len(verrs) > 0 {
				return &apperr.Error{Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 行：%s", ir.row, invalid(verrs).Error())}
			}
			if sameRecord(in, r.Input) {
				res.Unchanged++
				continue
			}
			if err := s.update(ctx, tx, id, r); err != nil {
				return fmt.Errorf("第 %d 行：%w", ir.row, err)
			}
			after, err := s.getTx(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "standard", EntityID: strconv.FormatInt(id, 10), Action: "import", Before: before, After: after}); err != nil {
				return err
			}
			res.Updated++
		}
		if progress != nil {
			progress(len(rows), len(rows))
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// sameRecord compares what an import can change, after validation has
// normalised both sides.
func sameRecord(a, b Input) bool {
	ra, _ := (&Service{now: time.Now}).validate(a)
	na := ra.Input
	na.Code = ParseCode(a.Code).Display
	nb := b
	nb.Code = ParseCode(b.Code).Display
	if len(na.Replaces) == 0 {
		na.Replaces = nil
	}
	if len(nb.Replaces) == 0 {
		nb.Replaces = nil
	}
	if len(na.Tags) == 0 {
		na.Tags = nil
	}
	if len(nb.Tags) == 0 {
		nb.Tags = nil
	}
	return reflect.DeepEqual(na, nb)
}

func (s *Service) parseTable(table [][]string) ([]importRow, ImportErrors) {
	var errs ImportErrors
	if len(table) == 0 {
		return nil, ImportErrors{{Msg: "文件为空：第一行应为表头 " + strings.Join(RequiredColumns, "、")}}
	}
	col := map[string]int{}
	for i, h := range table[0] {
		k := headerKey(h)
		for _, want := range append(append([]string{}, RequiredColumns...), OptionalColumns...) {
			if k == headerKey(want) {
				if _, dup := col[want]; dup {
					errs = append(errs, ImportError{Row: 1, Column: want, Msg: "表头中重复出现该列"})
				}
				col[want] = i
			}
		}
	}
	for _, want := range RequiredColumns {
		if _, ok := col[want]; !ok {
			errs = append(errs, ImportError{Row: 1, Column: want, Msg: "表头缺少必填列“" + want + "”（必填列：" + strings.Join(RequiredColumns, "、") + "）"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	cell := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var out []importRow
	seen := map[string]int{}
	for ri, row := range table[1:] {
		n := ri + 2
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		bad := func(column, format string, args ...any) {
			errs = append(errs, ImportError{Row: n, Column: column, Msg: fmt.Sprintf(format, args...)})
		}
		in := Input{Code: cell(row, "标准号"), Title: cell(row, "标准名称"), Status: cell(row, "标准状态"),
			ICS: cell(row, "ICS"), CCS: cell(row, "CCS"), Committee: cell(row, "归口单位"), DraftingUnits: cell(row, "起草单位")}
		if rep := cell(row, "代替标准"); rep != "" {
			in.Replaces = []string{rep}
		}
		if in.Code == "" {
			bad("标准号", "标准号不能为空")
		}
		if in.Status == "" {
			bad("标准状态", "标准状态不能为空")
		} else if st := statusAliases[in.Status]; st == "" || st == StatusProject {
			bad("标准状态", "标准状态“%s”无效，应为 现行、即将实施、被代替、有更新版 或 废止", in.Status)
			in.Status = ""
		}
		for _, f := range []struct {
			name string
			dst  *string
		}{{"发布日期", &in.Issued}, {"实施日期", &in.Implemented}} {
			v := cell(row, f.name)
			d, ok := cellDate(v)
			if !ok {
				bad(f.name, "日期“%s”无效，应为 YYYY-MM-DD", v)
				continue
			}
			*f.dst = d
		}
		if in.Code == "" || in.Status == "" {
			continue
		}
		rec, ferrs := s.validate(in)
		for _, fe := range ferrs {
			if fe.Field == "发布日期" && in.Issued == "" && cell(row, "发布日期") != "" {
				continue // already reported as an invalid date
			}
			bad(fe.Field, "%s", fe.Msg)
		}
		if len(ferrs) > 0 {
			continue
		}
		if prev, dup := seen[rec.code.Normalized]; dup {
			bad("标准号", "标准号 %s 与第 %d 行重复", rec.code.Display, prev)
			continue
		}
		seen[rec.code.Normalized] = n
		out = append(out, importRow{row: n, rec: rec})
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, ImportError{Msg: "文件中没有数据行"})
	}
	return out, errs
}

// tagWords suggest a domain tag from a title.
var tagWords = map[string][]string{
	"盐湖":     {"盐湖", "卤水", "氯化钾", "钾肥", "碳酸锂", "锂盐", "镁盐", "提钾", "氯化钠", "硼"},
	"清洁能源":   {"光伏", "风电", "风力发电", "水电", "地热", "清洁能源", "储能", "氢能", "清洁取暖", "新能源", "节能"},
	"生态旅游":   {"旅游", "景区", "游客", "民宿", "导游"},
	"绿色有机农畜": {"牦牛", "藏羊", "枸杞", "青稞", "有机", "绿色食品", "畜", "牧", "冷水鱼", "虹鳟", "渔业", "蕨麻", "藜麦", "沙棘", "食用菌", "油菜"},
}

// InferTags suggests the four-places tags from a title (used when an
// import or the demo gives none; editors can change them).
func InferTags(title string) []string {
	var out []string
	for _, tag := range DomainTags {
		for _, w := range tagWords[tag] {
			if strings.Contains(title, w) {
				out = append(out, tag)
				break
			}
		}
	}
	return out
}
