package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestReportUploadNamesTheCell: a department uploads its filled reporting
// workbook from its desk. A refused workbook gets a page listing every
// problem by sheet, row and column letter and header, and nothing is
// saved; the corrected workbook is then imported.
func TestReportUploadNamesTheCell(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-reporter-samr")
		resp, tmpl := c.get("/reports/template?period=2024Q1")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("template: %d", resp.StatusCode)
		}
		// Row 5 of both sheets is task 4 (企业标准“领跑者”) and its first target.
		edit := func(cells map[string]map[string]any) []byte {
			t.Helper()
			book, err := excelize.OpenReader(strings.NewReader(tmpl))
			if err != nil {
				t.Fatal(err)
			}
			for sheet, m := range cells {
				if v, _ := book.GetCellValue(sheet, "A5"); v != "4" {
					t.Fatalf("%s!A5 is %q, not task 4", sheet, v)
				}
				for cell, v := range m {
					book.SetCellValue(sheet, cell, v)
				}
			}
			var buf bytes.Buffer
			book.Write(&buf)
			return buf.Bytes()
		}
		upload := func(data []byte, status int) (*http.Response, string) {
			t.Helper()
			ct, body := multipartFile(t, c.csrf("/my"), "报送表格.xlsx", data)
			resp, page := c.do("POST", "/reports/upload?period=2024Q1", body, map[string]string{"Content-Type": ct})
			if resp.StatusCode != status {
				t.Fatalf("upload: %d, want %d", resp.StatusCode, status)
			}
			if status == http.StatusSeeOther {
				return resp, c.landing(resp)
			}
			return resp, page
		}

		// Every problem is listed in a table (a flash message cut the list
		// after a few).
		_, page := upload(edit(map[string]map[string]any{"报送表": {"E5": "一季度新增自我声明 600 项。", "D5": 50}, "指标数值": {"E5": "一千三"}}), http.StatusUnprocessableEntity)
		for _, want := range []string{
			"报送表格未导入", "表格中有 2 处问题",
			"<td>报送表</td><td class=\"num\">5</td><td>D（完成进度）</td><td>只有定性任务的牵头单位填写完成进度；有量化目标的任务请在“指标数值”表填写数值</td>",
			"<td>指标数值</td><td class=\"num\">5</td><td>E（本期数值）</td><td>“本期数值”须为数字，实为“一千三”</td>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the page of a refused upload lacks %q:\n%s", want, page)
			}
		}
		var n int
		if err := db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM reports`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused workbook saved %d reports (%v)", n, err)
		}

		_, page = upload(edit(map[string]map[string]any{"报送表": {"E5": "一季度新增自我声明 600 项。"}, "指标数值": {"E5": 1300}}), http.StatusSeeOther)
		if !strings.Contains(page, "导入完成：新保存或更新 1 份草稿") {
			t.Errorf("the corrected workbook was not imported")
		}
	})
}
