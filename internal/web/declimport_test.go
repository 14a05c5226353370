package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestDeclImportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		first17 := "91632200MA7XQ2B3D"
		code := first17 + string(standards.CreditCheck(first17))
		head := strings.Join(standards.DeclImportColumns, ",") + "\n"
		good := []byte(head + code + ",海北青稞酒业有限公司,T/QHNX 59—2024,青稞酒,青稞白酒,52% vol 500 mL,酒类,2025-02-03\n")
		bad := []byte(head + code + ",海北青稞酒业有限公司,XYZ,青稞酒,青稞白酒,52% vol 500 mL,酒类,2025-02-03\n")

		sup := f.as(t, "demo-supervisor")
		_, page := sup.get("/declarations/enterprises")
		if !strings.Contains(page, `href="/import/declarations"`) || !strings.Contains(page, `href="/import/declarations/template?format=xlsx"`) || !strings.Contains(page, "批量导入自我声明") {
			t.Fatal("enterprises page lacks the way to the import")
		}
		// The kind's page states its rules (records spanning rows).
		_, page = sup.get("/import/declarations")
		if !strings.Contains(page, "统一社会信用代码和标准号相同的各行合为一项声明") || !strings.Contains(page, "（含示例行和填写说明）") {
			t.Error("the import page lacks the kind's rules or its template")
		}
		tok := sup.csrf("/import/declarations")

		// The template is a workbook with the header and a marked example;
		// its old address leads to it.
		resp, _ := sup.get("/declarations/import/template")
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/import/declarations/template?format=xlsx" {
			t.Errorf("old template address: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := sup.get("/import/declarations/template?format=xlsx")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sheets := x.GetSheetList()
		rows, _ := x.GetRows(sheets[0])
		x.Close()
		if len(rows) != 2 || rows[0][0] != "统一社会信用代码" || !strings.HasPrefix(rows[1][len(rows[1])-1], "示例") || len(sheets) != 2 || sheets[1] != "填写说明" {
			t.Errorf("template sheets %q rows: %q", sheets, rows)
		}

		// Errors come back on the page, by row and column letter; nothing is written.
		_, page = sup.imported("/import/declarations", tok, "all", "声明.csv", bad)
		if !strings.Contains(page, "<td>C 列（标准号）</td>") || !strings.Contains(page, "标准号“XYZ”无法识别") || !strings.Contains(page, "未导入任何记录") {
			t.Errorf("bad upload: %s", page)
		}
		// Skipping: the declaration with an error is left out whole (both
		// its rows listed), the other one imported.
		second := []byte(head + code + ",海北青稞酒业有限公司,T/QHNX 59—2024,青稞酒,青稞白酒,52% vol 500 mL,酒类,2025-02-03\n" +
			code + ",海北青稞酒业有限公司,GB/T 10781.1—2021,白酒质量要求 第1部分：浓香型白酒,青稞浓香,52% vol 500 mL,酒类,2025-02-03\n" +
			code + ",海北青稞酒业有限公司,GB/T 10781.1—2021,白酒质量要求 第1部分：浓香型白酒,青稞浓香,52% vol 500 mL,酒类,2025-02-03\n")
		_, page = sup.imported("/import/declarations", tok, "skip", "声明.csv", second)
		if !strings.Contains(page, "共 3 行（1 项声明），新增 1，更新 0，未变 0，跳过错误行 2；新登记企业 1") || !strings.Contains(page, "与第 4 行属于同一项声明") || !strings.Contains(page, "与第 3 行重复") {
			t.Errorf("skip upload: %s", page)
		}
		if _, page := sup.get("/declarations/enterprises"); !strings.Contains(page, "海北青稞酒业有限公司") {
			t.Error("imported enterprise not listed")
		}

		// The API: the same file again changes nothing; errors carry details.
		ct, buf := multipartFile(t, "", "声明.csv", good)
		resp, body = sup.do("POST", "/api/v1/declarations/import", buf, map[string]string{"Content-Type": ct, "X-CSRF-Token": tok})
		var res standards.DeclImportResult
		if json.Unmarshal([]byte(body), &res); resp.StatusCode != http.StatusOK || res.Unchanged != 1 || res.Created != 0 {
			t.Errorf("api reimport: %d %s", resp.StatusCode, body)
		}
		ct, buf = multipartFile(t, "", "声明.xlsx", []byte("not a workbook"))
		resp, body = sup.do("POST", "/api/v1/declarations/import", buf, map[string]string{"Content-Type": ct, "X-CSRF-Token": tok})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法读取 Excel 文件") {
			t.Errorf("api not a workbook: %d %s", resp.StatusCode, body)
		}
		ct, buf = multipartFile(t, "", "声明.csv", bad)
		resp, body = sup.do("POST", "/api/v1/declarations/import", buf, map[string]string{"Content-Type": ct, "X-CSRF-Token": tok})
		var apiErr struct {
			Error struct {
				Details []kit.FieldError `json:"details"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(body), &apiErr); resp.StatusCode != http.StatusUnprocessableEntity || len(apiErr.Error.Details) != 1 ||
			apiErr.Error.Details[0].Row != 2 || apiErr.Error.Details[0].Col != "C" || apiErr.Error.Details[0].Column != "标准号" {
			t.Errorf("api bad file: %d %s", resp.StatusCode, body)
		}

		// Enterprise users and reporters may not import.
		ent := f.as(t, "demo-enterprise")
		etok := ent.csrf("/account/password")
		ct, buf = multipartFile(t, "", "声明.csv", good)
		resp, _ = ent.do("POST", "/api/v1/declarations/import", buf, map[string]string{"Content-Type": ct, "X-CSRF-Token": etok})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("enterprise user import: %d", resp.StatusCode)
		}
	})
}
