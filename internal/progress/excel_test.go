package progress_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/xlsx"
	"sidi/internal/xlsx/xlsxtest"
)

// fill edits a downloaded template like a person would in Excel.
func fill(t *testing.T, tmpl []byte, edits map[string]map[string]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	for sheet, cells := range edits {
		for cell, v := range cells {
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	f.Write(&buf)
	return buf.Bytes()
}

// rowOf finds the row of task n in the 报送表 sheet, or of task n target ord in 指标数值.
func rowOf(t *testing.T, tmpl []byte, sheet string, key ...string) int {
	t.Helper()
	f, _ := excelize.OpenReader(bytes.NewReader(tmpl))
	rows, _ := f.GetRows(sheet)
	for i, r := range rows {
		if len(r) >= len(key) && strings.Join(r[:len(key)], "|") == strings.Join(key, "|") {
			return i + 1
		}
	}
	t.Fatalf("no row %v in %s", key, sheet)
	return 0
}

func TestExcelRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, samr, per, tmpl := samrTemplate(t, db)
		r4 := rowOf(t, tmpl, "报送表", "4")
		r13 := rowOf(t, tmpl, "报送表", "13")
		v4 := rowOf(t, tmpl, "指标数值", "4", "1")
		good := fill(t, tmpl, map[string]map[string]any{
			"报送表":  {"E" + itoa(r4): "一季度新增自我声明 600 项。", "E" + itoa(r13): "开展专利执法培训 2 场。", "D" + itoa(r13): 25},
			"指标数值": {"E" + itoa(v4): 1300},
		})
		bad := fill(t, good, map[string]map[string]any{"指标数值": {"E" + itoa(v4): "一千三"}, "报送表": {"D" + itoa(r4): 50}})

		_, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, bad)
		var wb kit.Errors
		if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &wb) || len(wb) != 2 {
			t.Fatalf("bad workbook: %v", err)
		}
		msg := apperr.Message(err)
		for _, want := range []string{"工作表“指标数值”第 " + itoa(v4) + " 行 E 列（本期数值）", "工作表“报送表”第 " + itoa(r4) + " 行 D 列（完成进度）"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q: %s", want, msg)
			}
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&n)
		if n != 0 {
			t.Fatalf("rejected workbook wrote %d reports", n)
		}
		res, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, good)
		if err != nil || res.Saved != 2 {
			t.Fatalf("import: %+v %v", res, err)
		}
		var audits int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'report'`).Scan(&audits)
		res, err = e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, good)
		if err != nil || res.Saved != 0 || res.Unchanged != 2 {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		var audits2 int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'report'`).Scan(&audits2)
		if audits2 != audits {
			t.Fatalf("re-import wrote %d audit records", audits2-audits)
		}
		// The template comes back pre-filled, and another department cannot fetch or upload it.
		again, _ := e.svc.TemplateXLSX(ctx, samr, e.planID, per, samr.DeptID)
		f, _ := excelize.OpenReader(bytes.NewReader(again))
		if v, _ := f.GetCellValue("指标数值", "E"+itoa(v4)); v != "1300" {
			t.Fatalf("pre-filled value %q", v)
		}
		drc := e.users["demo-reporter-drc"]
		if _, err := e.svc.TemplateXLSX(ctx, drc, e.planID, per, samr.DeptID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other department template: %v", err)
		}
		other, _ := e.svc.TemplateXLSX(ctx, drc, e.planID, per, drc.DeptID)
		if _, err := e.svc.ImportXLSX(ctx, drc, e.planID, per, drc.DeptID, good); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("SAMR workbook uploaded as DRC: %v", err)
		}
		if _, err := e.svc.ImportXLSX(ctx, drc, e.planID, per, drc.DeptID, []byte("not a workbook")); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("garbage upload: %v", err)
		}
		_ = other
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// samrTemplate is where the workbook tests start: on 2024-04-05, SAMR's
// reporter and the workbook it downloads for 2024Q1.
func samrTemplate(t *testing.T, db *store.DB) (e *env, samr auth.Principal, per progress.Period, tmpl []byte) {
	t.Helper()
	e = newEnv(t, db, day("2024-04-05"))
	samr = e.users["demo-reporter-samr"]
	per = e.period(t, "2024Q1")
	tmpl, err := e.svc.TemplateXLSX(context.Background(), samr, e.planID, per, samr.DeptID)
	if err != nil {
		t.Fatal(err)
	}
	return e, samr, per, tmpl
}

// TestImportXLSXRefusesOversizedWorkbooks: a template sheet far longer than
// any template is refused while it is read, and a workbook unpacking past
// the limit before anything is read, each with its reason in Chinese.
func TestImportXLSXRefusesOversizedWorkbooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		long, _ := xlsxtest.BigSheet("说明", 400<<10)
		_, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, long)
		if apperr.Message(err) != "工作表“说明”内容远多于报送模板（上限 1000 行），请使用从本系统下载的报送模板填写" {
			t.Errorf("long sheet: %v", err)
		}
		bomb, _ := xlsxtest.BigSheet("说明", xlsx.MaxUnpacked+1<<20)
		_, err = e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, bomb)
		if apperr.Message(err) != "工作簿解压后过大（超过 64 MB），请拆分后再导入" {
			t.Errorf("zip bomb: %v", err)
		}
	})
}

// TestExcelImportReadsTypedNumbers: a value typed as text with a Chinese
// input method (full-width digits and separators) is read; an absurd one is
// refused with its cell named.
func TestExcelImportReadsTypedNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, samr, per, tmpl := samrTemplate(t, db)
		r4 := rowOf(t, tmpl, "报送表", "4")
		v4 := rowOf(t, tmpl, "指标数值", "4", "1")
		with := func(v any) []byte {
			return fill(t, tmpl, map[string]map[string]any{
				"报送表":  {"E" + itoa(r4): "一季度新增自我声明。"},
				"指标数值": {"E" + itoa(v4): v},
			})
		}
		for _, v := range []any{"1e308", "-1e16", 1e300} {
			_, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, with(v))
			if msg := apperr.Message(err); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(msg, "E 列（本期数值）") || !strings.Contains(msg, "数值过大") {
				t.Errorf("value %v: %v", v, err)
			}
		}
		if res, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, with("１，３００．５")); err != nil || res.Saved != 1 {
			t.Fatalf("full-width value: %+v %v", res, err)
		}
		again, _ := e.svc.TemplateXLSX(ctx, samr, e.planID, per, samr.DeptID)
		f, _ := excelize.OpenReader(bytes.NewReader(again))
		if v, _ := f.GetCellValue("指标数值", "E"+itoa(v4)); v != "1300.5" {
			t.Fatalf("saved value %q, want 1300.5", v)
		}
	})
}

// TestExcelImportErrorsNameTheirCell pins what a refused workbook says: the
// message a user reads (each problem with its sheet, row, column letter and
// header, worded as the upload always has) and the details an API client
// gets (kit.FieldError: sheet, row, col, column, message). Nothing is
// written. Problems that concern no one row come in the plan's order.
func TestExcelImportErrorsNameTheirCell(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, samr, per, tmpl := samrTemplate(t, db)
		r4, r6 := rowOf(t, tmpl, "报送表", "4"), rowOf(t, tmpl, "报送表", "6")
		v4, v8 := rowOf(t, tmpl, "指标数值", "4", "1"), rowOf(t, tmpl, "指标数值", "8", "1")
		past := len(mustRows(t, tmpl, "指标数值")) + 1
		const refused = "文件未导入，请更正后重新上传："
		cases := []struct {
			name      string
			edits     map[string]map[string]any
			msg, json string
		}{
			{"value not a number",
				map[string]map[string]any{"报送表": {"E" + itoa(r4): "已开展。"}, "指标数值": {"E" + itoa(v4): "一千三"}},
				"工作表“指标数值”第 " + itoa(v4) + " 行 E 列（本期数值）：“本期数值”须为数字，实为“一千三”",
				`[{"sheet":"指标数值","row":` + itoa(v4) + `,"col":"E","column":"本期数值","message":"“本期数值”须为数字，实为“一千三”"}]`},
			{"progress out of range",
				map[string]map[string]any{"报送表": {"E" + itoa(r6): "已开展。", "D" + itoa(r6): 150}},
				"工作表“报送表”第 " + itoa(r6) + " 行 D 列（完成进度）：须在 0–100 之间，实为 150",
				`[{"sheet":"报送表","row":` + itoa(r6) + `,"col":"D","column":"完成进度","message":"须在 0–100 之间，实为 150"}]`},
			{"another period's template",
				map[string]map[string]any{"说明": {"B1": "2023Q4"}},
				"工作表“说明”第 1 行 B 列（报送周期）：模板属于 2023Q4，与所选周期 2024Q1 不符",
				`[{"sheet":"说明","row":1,"col":"B","column":"报送周期","message":"模板属于 2023Q4，与所选周期 2024Q1 不符"}]`},
			{"not a target of the department",
				map[string]map[string]any{"指标数值": {"A" + itoa(past): 5, "B" + itoa(past): 1, "E" + itoa(past): 3}},
				"工作表“指标数值”第 " + itoa(past) + " 行 A–B 列（任务序号、目标序号）：不是本单位牵头任务的量化目标",
				`[{"sheet":"指标数值","row":` + itoa(past) + `,"col":"A–B","column":"任务序号、目标序号","message":"不是本单位牵头任务的量化目标"}]`},
			{"values without narrative, in the plan's order",
				map[string]map[string]any{"指标数值": {"E" + itoa(v8): 5, "E" + itoa(v4): 100}},
				"工作表“报送表”E 列（工作进展说明）：任务 4 填写了数值但没有工作进展说明；工作表“报送表”E 列（工作进展说明）：任务 8 填写了数值但没有工作进展说明",
				`[{"sheet":"报送表","col":"E","column":"工作进展说明","message":"任务 4 填写了数值但没有工作进展说明"},` +
					`{"sheet":"报送表","col":"E","column":"工作进展说明","message":"任务 8 填写了数值但没有工作进展说明"}]`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, fill(t, tmpl, tc.edits))
				if !errors.Is(err, apperr.ErrInvalid) {
					t.Fatalf("not refused as invalid: %v", err)
				}
				if got := apperr.Message(err); got != refused+tc.msg {
					t.Errorf("message\n got %s\nwant %s", got, refused+tc.msg)
				}
				var d apperr.Detailed
				if !errors.As(err, &d) {
					t.Fatalf("no details for an API answer: %v", err)
				}
				if b, err := json.Marshal(d.ErrorDetails()); err != nil || string(b) != tc.json {
					t.Errorf("details\n got %s %v\nwant %s", b, err, tc.json)
				}
				var n int
				db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&n)
				if n != 0 {
					t.Errorf("refused workbook wrote %d reports", n)
				}
			})
		}
	})
}

func mustRows(t *testing.T, book []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
