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
		if !strings.Contains(page, `action="/declarations/import"`) || !strings.Contains(page, `href="/declarations/import/template"`) || !strings.Contains(page, "批量导入自我声明") {
			t.Fatal("enterprises page lacks the import form")
		}
		tok := sup.csrf("/declarations/enterprises")

		// The template is a workbook with the header and a marked example.
		resp, body := sup.get("/declarations/import/template")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		x.Close()
		if len(rows) != 2 || rows[0][0] != "统一社会信用代码" || !strings.HasPrefix(rows[1][len(rows[1])-1], "示例") {
			t.Errorf("template rows: %q", rows)
		}

		// Errors come back on the page, by row and column; nothing is written.
		ct, buf := multipartFile(t, tok, "声明.csv", bad)
		resp, body = sup.do("POST", "/declarations/import", buf, map[string]string{"Content-Type": ct})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "第 2 行 C 列（标准号）：标准号“XYZ”无法识别") {
			t.Errorf("bad upload: %d %s", resp.StatusCode, body)
		}
		ct, buf = multipartFile(t, tok, "声明.csv", good)
		resp, _ = sup.do("POST", "/declarations/import", buf, map[string]string{"Content-Type": ct})
		if msg := sup.landing(resp); resp.StatusCode != http.StatusSeeOther || !strings.Contains(msg, "新增 1") || !strings.Contains(msg, "新登记企业 1") {
			t.Errorf("good upload: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, page := sup.get("/declarations/enterprises"); !strings.Contains(page, "海北青稞酒业有限公司") {
			t.Error("imported enterprise not listed")
		}

		// The API: the same file again changes nothing; errors carry details.
		ct, buf = multipartFile(t, "", "声明.csv", good)
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
