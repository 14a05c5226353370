package progress

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/numfmt"
	"sidi/internal/plan"
	"sidi/internal/xlsx"
)

// The offline round trip: a department downloads a workbook for a period,
// fills it without the network, and uploads it. Sheet and column names are
// what the user sees, so errors can point at them.
const (
	sheetTasks   = "报送表"
	sheetTargets = "指标数值"
	sheetMeta    = "说明"
)

type deptTask struct {
	task *plan.TaskView
	role string
}

func (s *Service) deptTasks(ctx context.Context, planID, deptID int64) ([]deptTask, error) {
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return nil, err
	}
	var out []deptTask
	for _, t := range pv.Tasks() {
		t := t
		for _, d := range Expected(t) {
			if d.ID != deptID {
				continue
			}
			role := "co"
			for _, l := range t.LeadDepts {
				if l.ID == deptID {
					role = "lead"
				}
			}
			out = append(out, deptTask{&t, role})
		}
	}
	return out, nil
}

// TemplateXLSX builds a department's reporting workbook for a period,
// pre-filled with what it has already saved.
func (s *Service) TemplateXLSX(ctx context.Context, p auth.Principal, planID int64, period Period, deptID int64) ([]byte, error) {
	if err := s.checkDept(ctx, p, deptID); err != nil {
		return nil, err
	}
	tasks, err := s.deptTasks(ctx, planID, deptID)
	if err != nil {
		return nil, err
	}
	existing, err := s.Reports(ctx, p, ReportFilter{PlanID: planID, PeriodID: period.ID, DeptID: deptID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	byTask := map[int]*Report{}
	for _, r := range existing {
		full, err := getReport(ctx, s.db.Reader(), r.ID) // lists omit values
		if err != nil {
			return nil, err
		}
		byTask[r.TaskNumber] = full
	}
	f := excelize.NewFile()
	defer f.Close()
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1}})
	f.SetSheetName("Sheet1", sheetTasks)
	rows := [][]any{{"任务序号", "任务名称", "本单位角色", "完成进度（%，仅定性任务牵头单位填写）", "工作进展说明"}}
	for _, dt := range tasks {
		role := "责任单位"
		if dt.role == "lead" {
			role = "牵头单位"
		}
		var prog any
		narrative := ""
		if r := byTask[dt.task.Number]; r != nil {
			narrative = r.Narrative
			if r.Progress != nil {
				prog = *r.Progress
			}
		}
		rows = append(rows, []any{dt.task.Number, dt.task.Title, role, prog, narrative})
	}
	if err := setRows(f, sheetTasks, rows); err != nil {
		return nil, err
	}
	f.SetCellStyle(sheetTasks, "A1", "E1", head)
	f.SetColWidth(sheetTasks, "B", "B", 30)
	f.SetColWidth(sheetTasks, "D", "D", 20)
	f.SetColWidth(sheetTasks, "E", "E", 60)
	f.NewSheet(sheetTargets)
	rows = [][]any{{"任务序号", "目标序号", "量化目标", "单位", "本期数值"}}
	for _, dt := range tasks {
		if dt.role != "lead" {
			continue
		}
		for i, g := range dt.task.Targets {
			var v any
			if r := byTask[dt.task.Number]; r != nil {
				if x, ok := r.Values[i+1]; ok {
					v = x
				}
			}
			rows = append(rows, []any{dt.task.Number, i + 1, g.Text, g.Unit, v})
		}
	}
	if err := setRows(f, sheetTargets, rows); err != nil {
		return nil, err
	}
	f.SetCellStyle(sheetTargets, "A1", "E1", head)
	f.SetColWidth(sheetTargets, "C", "C", 50)
	f.NewSheet(sheetMeta)
	meta := [][]any{{"报送周期", period.Code}, {"部门编号", deptID}, {"报送期限", period.Deadline},
		{"填写说明", "只修改“工作进展说明”“完成进度”和“本期数值”三类单元格；不填写的任务不会被提交。上传后生成草稿，经本单位审核人提交后报省市场监管局审核。"}}
	if err := setRows(f, sheetMeta, meta); err != nil {
		return nil, err
	}
	f.SetColWidth(sheetMeta, "B", "B", 80)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("progress: template workbook: %w", err)
	}
	return buf.Bytes(), nil
}

func setRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return fmt.Errorf("progress: write %s: %w", sheet, err)
		}
	}
	return nil
}

// ImportResult says what an upload did.
type ImportResult struct {
	Saved     int `json:"saved"`     // drafts created or changed
	Unchanged int `json:"unchanged"` // rows identical to what was stored
	Skipped   int `json:"skipped"`   // rows left empty
}

// maxTemplateRows caps each sheet of an uploaded reporting template; the
// plan has 27 tasks and a few dozen targets.
const maxTemplateRows = 1000

// ImportXLSX reads a filled workbook and saves its rows as drafts, all or
// nothing: every cell is checked first, and any problem rejects the whole
// file with the sheet, row and column of each: an invalid-input error
// carrying a kit.Errors (the details of an API answer). Uploading the same
// file again changes nothing.
func (s *Service) ImportXLSX(ctx context.Context, p auth.Principal, planID int64, period Period, deptID int64, data []byte) (*ImportResult, error) {
	res, err := s.importXLSX(ctx, p, planID, period, deptID, data)
	if err == nil {
		s.db.Observer().ImportRows("reports", res.Saved+res.Unchanged)
	}
	return res, err
}

func (s *Service) importXLSX(ctx context.Context, p auth.Principal, planID int64, period Period, deptID int64, data []byte) (*ImportResult, error) {
	if err := p.Require(auth.RoleReporter, auth.RoleApprover); err != nil {
		return nil, err
	}
	if err := s.checkDept(ctx, p, deptID); err != nil {
		return nil, err
	}
	f, err := xlsx.Open(data)
	if errors.Is(err, xlsx.ErrTooLarge) {
		return nil, invalid("%s", xlsx.TooLargeMessage())
	}
	if err != nil {
		return nil, invalid("无法读取上传的文件：请上传从本系统下载的 .xlsx 报送模板")
	}
	defer f.Close()
	// A template has one row per task or target: a sheet far longer is not
	// one, and is refused while it is read rather than after.
	readSheet := func(sheet string) ([][]string, error) {
		rows, err := xlsx.ReadAll(f, sheet, false, maxTemplateRows)
		var re *xlsx.RowsError
		if errors.As(err, &re) {
			return nil, invalid("工作表“%s”内容远多于报送模板（上限 %d 行），请使用从本系统下载的报送模板填写", re.Sheet, re.MaxRows)
		}
		return rows, err
	}
	// Each problem is a kit.FieldError naming its sheet, row (0: none in
	// particular), column letter and header.
	var errs kit.Errors
	bad := func(sheet string, row int, col, column, format string, args ...any) {
		errs = append(errs, kit.FieldError{Sheet: sheet, Row: row, Col: col, Column: column, Msg: fmt.Sprintf(format, args...)})
	}
	meta, err := readSheet(sheetMeta)
	if errors.Is(err, apperr.ErrInvalid) {
		return nil, err
	}
	if len(meta) < 2 || len(meta[0]) < 2 || len(meta[1]) < 2 {
		return nil, invalid("文件缺少“说明”工作表：请使用从本系统下载的报送模板")
	}
	if meta[0][1] != period.Code {
		bad(sheetMeta, 1, "B", "报送周期", "模板属于 %s，与所选周期 %s 不符", meta[0][1], period.Code)
	}
	if meta[1][1] != strconv.FormatInt(deptID, 10) {
		bad(sheetMeta, 2, "B", "部门编号", "模板属于其他部门，请下载本部门的模板")
	}
	tasks, err := s.deptTasks(ctx, planID, deptID)
	if err != nil {
		return nil, err
	}
	byNum := map[int]deptTask{}
	for _, dt := range tasks {
		byNum[dt.task.Number] = dt
	}
	inputs := map[int]*ReportInput{}
	rows, err := readSheet(sheetTasks)
	if errors.Is(err, apperr.ErrInvalid) {
		return nil, err
	}
	if err != nil {
		return nil, invalid("文件缺少“%s”工作表", sheetTasks)
	}
	for i, row := range rows {
		if i == 0 {
			continue
		}
		r := i + 1
		cell := func(c int) string {
			if c < len(row) {
				return strings.TrimSpace(row[c])
			}
			return ""
		}
		if cell(0) == "" && cell(3) == "" && cell(4) == "" {
			continue
		}
		n, err := strconv.Atoi(cell(0))
		dt, ok := byNum[n]
		if err != nil || !ok {
			bad(sheetTasks, r, "A", "任务序号", "“%s”不是本单位负责的任务序号", cell(0))
			continue
		}
		if _, dup := inputs[n]; dup {
			bad(sheetTasks, r, "A", "任务序号", "任务 %d 重复出现", n)
			continue
		}
		in := &ReportInput{PlanID: planID, PeriodID: period.ID, TaskNumber: n, DeptID: deptID, Narrative: cell(4), Values: map[int]float64{}}
		if len([]rune(in.Narrative)) > 20000 {
			bad(sheetTasks, r, "E", "工作进展说明", "超过 20000 字")
		}
		if v := cell(3); v != "" {
			x, err := numfmt.Parse("完成进度", strings.TrimSuffix(strings.TrimSuffix(v, "%"), "％"))
			switch {
			case err != nil:
				bad(sheetTasks, r, "D", "完成进度", "%s", apperr.Message(err))
			case x < 0 || x > 100:
				bad(sheetTasks, r, "D", "完成进度", "须在 0–100 之间，实为 %s", v)
			case len(dt.task.Targets) > 0 || dt.role != "lead":
				bad(sheetTasks, r, "D", "完成进度", "只有定性任务的牵头单位填写完成进度；有量化目标的任务请在“%s”表填写数值", sheetTargets)
			default:
				in.Progress = &x
			}
		}
		inputs[n] = in
	}
	trows, err := readSheet(sheetTargets)
	if errors.Is(err, apperr.ErrInvalid) {
		return nil, err
	}
	if err != nil {
		return nil, invalid("文件缺少“%s”工作表", sheetTargets)
	}
	for i, row := range trows {
		if i == 0 {
			continue
		}
		r := i + 1
		cell := func(c int) string {
			if c < len(row) {
				return strings.TrimSpace(row[c])
			}
			return ""
		}
		if cell(4) == "" {
			continue
		}
		n, err1 := strconv.Atoi(cell(0))
		ord, err2 := strconv.Atoi(cell(1))
		dt, ok := byNum[n]
		if err1 != nil || err2 != nil || !ok || dt.role != "lead" || ord < 1 || ord > len(dt.task.Targets) {
			bad(sheetTargets, r, "A–B", "任务序号、目标序号", "不是本单位牵头任务的量化目标")
			continue
		}
		v, err := numfmt.Parse("本期数值", cell(4))
		if err != nil {
			bad(sheetTargets, r, "E", "本期数值", "%s", apperr.Message(err))
			continue
		}
		if v < 0 {
			bad(sheetTargets, r, "E", "本期数值", "“%s”不是非负数", cell(4))
			continue
		}
		in := inputs[n]
		if in == nil {
			in = &ReportInput{PlanID: planID, PeriodID: period.ID, TaskNumber: n, DeptID: deptID, Values: map[int]float64{}}
			inputs[n] = in
		}
		in.Values[ord] = v
	}
	for _, dt := range tasks { // in the plan's order, not the map's
		in := inputs[dt.task.Number]
		if in != nil && in.Narrative == "" && (len(in.Values) > 0 || in.Progress != nil) {
			bad(sheetTasks, 0, "E", "工作进展说明", "任务 %d 填写了数值但没有工作进展说明", dt.task.Number)
		}
	}
	if len(errs) > 0 {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Msg: "文件未导入，请更正后重新上传：" + errs.Error(), Err: errs}
	}
	res := &ImportResult{}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, dt := range tasks {
			in := inputs[dt.task.Number]
			if in == nil || (in.Narrative == "" && len(in.Values) == 0 && in.Progress == nil) {
				res.Skipped++
				continue
			}
			if dt.role != "lead" {
				in.Values = nil
			}
			_, changed, err := s.saveDraftTx(ctx, tx, p, *in, dt.role)
			if err != nil {
				return err
			}
			if changed {
				res.Saved++
			} else {
				res.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
