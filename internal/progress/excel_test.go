package progress_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
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
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		tmpl, err := e.svc.TemplateXLSX(ctx, samr, e.planID, per, samr.DeptID)
		if err != nil {
			t.Fatal(err)
		}
		r4 := rowOf(t, tmpl, "报送表", "4")
		r13 := rowOf(t, tmpl, "报送表", "13")
		v4 := rowOf(t, tmpl, "指标数值", "4", "1")
		good := fill(t, tmpl, map[string]map[string]any{
			"报送表":  {"E" + itoa(r4): "一季度新增自我声明 600 项。", "E" + itoa(r13): "开展专利执法培训 2 场。", "D" + itoa(r13): 25},
			"指标数值": {"E" + itoa(v4): 1300},
		})
		bad := fill(t, good, map[string]map[string]any{"指标数值": {"E" + itoa(v4): "一千三"}, "报送表": {"D" + itoa(r4): 50}})

		_, err = e.svc.ImportXLSX(ctx, samr, e.planID, per, samr.DeptID, bad)
		var wb progress.WorkbookError
		if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &wb) || len(wb) != 2 {
			t.Fatalf("bad workbook: %v", err)
		}
		msg := apperr.Message(err)
		for _, want := range []string{"工作表“指标数值”第 " + itoa(v4) + " 行 E（本期数值） 列", "工作表“报送表”第 " + itoa(r4) + " 行 D（完成进度） 列"} {
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
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		tmpl, err := e.svc.TemplateXLSX(ctx, samr, e.planID, per, samr.DeptID)
		if err != nil {
			t.Fatal(err)
		}
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
			if msg := apperr.Message(err); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(msg, "E（本期数值） 列") || !strings.Contains(msg, "数值过大") {
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
