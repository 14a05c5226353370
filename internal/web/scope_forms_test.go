package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestReportFormRefusedOutsideScope: a reporter cannot open the editable
// report form for another department (saving would be refused, so the form
// is too), and gets the same not-found as for a report of that department.
func TestReportFormRefusedOutsideScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		samr := deptID(t, f, "qh-samr")
		drc := f.client(t)
		drc.login("demo-reporter-drc", auth.DemoPassword)
		path := fmt.Sprintf("/reports/new?period=2024Q1&task=4&dept=%d", samr)
		resp, page := drc.get(path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(page, `name="narrative"`) || !strings.Contains(page, "不在您的数据范围内") {
			t.Errorf("DRC reporter opens SAMR's report form: status %d", resp.StatusCode)
		}
		tok := drc.csrf("/my")
		resp, _ = drc.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "dept": {fmt.Sprint(samr)}, "narrative": {"越权"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("DRC reporter saves SAMR's report: status %d", resp.StatusCode)
		}
		// The department's own reporter still gets the form, with or without dept=.
		own := f.client(t)
		own.login("demo-reporter-samr", auth.DemoPassword)
		for _, p := range []string{path, "/reports/new?period=2024Q1&task=4"} {
			if resp, page := own.get(p); resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="narrative"`) {
				t.Errorf("%s for SAMR's reporter: status %d", p, resp.StatusCode)
			}
		}
	})
}

// denials lists the logged refused requests, oldest first.
func denials(t *testing.T, f *fixture) []string {
	t.Helper()
	recs, _, err := audit.List(context.Background(), f.db.Reader(), audit.Filter{Entity: auth.DenialEntity, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Action != auth.DenialAction {
			t.Errorf("denial record with action %q", r.Action)
		}
		var after struct {
			Status int    `json:"status"`
			Reason string `json:"reason"`
		}
		json.Unmarshal(r.After, &after)
		out = append(out, fmt.Sprintf("%s %s %d", r.Actor, r.EntityID, after.Status))
	}
	return out
}

// TestDenialsAreLogged: permission denials and requests for objects
// outside the caller's data scope are written to the audit log for
// logged-in users and API tokens, at most once per user and path a minute;
// the anonymous public's refusals and plain not-founds are not.
func TestDenialsAreLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		samr := f.client(t)
		samr.login("demo-reporter-samr", auth.DemoPassword)
		tok := samr.csrf("/reports/new?period=2024Q1&task=4")
		resp, _ := samr.postForm("/reports", url.Values{"csrf_token": {tok}, "period": {"2024Q1"}, "task": {"4"}, "narrative": {"一季度进展"}})
		m := reportIDRe.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("save draft: %d", resp.StatusCode)
		}
		rep := "/reports/" + m[1]

		public := f.client(t)
		for _, p := range []string{"/admin/users", rep, "/reports/999999"} {
			if resp, _ := public.get(p); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("anonymous %s: %d", p, resp.StatusCode)
			}
		}
		if got := denials(t, f); len(got) != 0 {
			t.Fatalf("anonymous refusals logged: %v", got)
		}

		drc := f.client(t)
		drc.login("demo-reporter-drc", auth.DemoPassword)
		for range 3 { // repeats within a minute are logged once
			if resp, _ := drc.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("reporter on /admin/users: %d", resp.StatusCode)
			}
		}
		if resp, page := drc.get(rep); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "报告不存在或不在您的数据范围内") {
			t.Fatalf("DRC on SAMR's report: %d", resp.StatusCode)
		}
		if resp, _ := drc.get("/reports/999999"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("missing report: %d", resp.StatusCode)
		}
		plain, _, err := f.auth.CreateToken(context.Background(), auth.Principal{UserID: userID(t, f, "demo-reporter-drc"), Login: "demo-reporter-drc", Roles: []auth.Role{auth.RoleReporter}}, "脚本", []auth.Role{auth.RoleReporter}, 0)
		if err != nil {
			t.Fatal(err)
		}
		api := f.client(t)
		if resp, _ := api.do("GET", "/api/v1/admin/audit", nil, map[string]string{"Authorization": "Bearer " + plain}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("token on the admin API: %d", resp.StatusCode)
		}
		want := []string{
			"demo-reporter-drc GET /admin/users 403",
			"demo-reporter-drc GET " + rep + " 404",
			"demo-reporter-drc GET /api/v1/admin/audit 403",
		}
		if got := denials(t, f); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("logged denials:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// The administrator reads them in the audit log with their label.
		admin := f.client(t)
		admin.login("demo-admin", demoPassword(t, f, "demo-admin"))
		if _, page := admin.get("/admin/audit?entity=access"); !strings.Contains(page, "越权访问") || !strings.Contains(page, "/admin/users") {
			t.Error("denials not shown on /admin/audit")
		}
	})
}

// TestPlanImportRefusesBinaryUpload: a picture uploaded as the plan text is
// refused with where its binary content starts; nothing is imported.
func TestPlanImportRefusesBinaryUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		tok := c.csrf("/plan/import")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", tok)
		fw, _ := mw.CreateFormFile("file", "方案.png")
		fw.Write(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 4096)...))
		mw.Close()
		before, err := f.plan.Versions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		resp, page := c.do("POST", "/plan/import", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "文件不是文本（第 6 字节起含二进制内容），请上传方案的 .txt 文本") {
			t.Errorf("PNG as plan: status %d", resp.StatusCode)
		}
		if after, _ := f.plan.Versions(context.Background()); len(after) != len(before) {
			t.Errorf("versions %d → %d", len(before), len(after))
		}
	})
}
