package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the sampling routes (sampling_pages.go): the
// market-supervision staff, narrowed by the service to their department
// scope. The notices of failed batches are public.
var samplingStaff = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /sampling":                              samplingStaff,
		"GET /sampling/new":                          samplingStaff,
		"POST /sampling":                             samplingStaff,
		"GET /sampling/batches/{id}":                 samplingStaff,
		"GET /sampling/batches/{id}/edit":            samplingStaff,
		"POST /sampling/batches/{id}":                samplingStaff,
		"POST /sampling/batches/{id}/retest":         samplingStaff,
		"POST /sampling/batches/{id}/dispose":        samplingStaff,
		"POST /sampling/batches/{id}/publish":        samplingStaff,
		"GET /sampling/plans":                        samplingStaff,
		"POST /sampling/plans":                       samplingStaff,
		"POST /sampling/plans/{id}/tasks":            samplingStaff,
		"GET /sampling/import":                       samplingStaff,
		"GET /sampling-notices":                      everyone,
		"GET /api/v1/sampling/batches":               samplingStaff,
		"POST /api/v1/sampling/batches":              samplingStaff,
		"GET /api/v1/sampling/batches/{id}":          samplingStaff,
		"POST /api/v1/sampling/batches/{id}/retest":  samplingStaff,
		"POST /api/v1/sampling/batches/{id}/dispose": samplingStaff,
		"GET /api/v1/sampling-notices":               everyone,
	} {
		expectedAccess[k] = v
	}
	// The menu: the public notices close the public list; the register
	// follows the IP work pages.
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/sampling-notices")
		if slices.Contains(samplingStaff, who) {
			j := slices.Index(m, "/ip-operations") + 1
			m = slices.Insert(m, j, "/sampling")
		}
		wantMenu[who] = m
	}
}

// TestSamplingFormsScopeAndNotices drives the register through the web
// forms as the 省市场监管局 inspector: a form without a CSRF token or with
// hostile values writes nothing, a late re-test without a reason is
// refused beside its field, a 海西州 batch stays invisible, and the public
// sees the published failed batch and nothing else.
func TestSamplingFormsScopeAndNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.set.Sampling
		cli := auth.CLI("test")
		hx := auth.Principal{UserID: 99, Login: "hx", DeptID: deptID(t, f, "632800"), Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeSubtree}
		other, err := svc.SaveBatch(ctx, hx, 0, sampling.BatchInput{"batch_no": "HX-SECRET-1", "year": "2025", "level": "市州", "product": "海西秘密产品",
			"enterprise_name": "海西某公司", "credit_code": "91630100MA752XUH3X", "sampling_unit": "海西州局", "sampled_on": "2025-03-01", "outcome": "未抽到样"})
		if err != nil {
			t.Fatal(err)
		}
		c := f.as(t, "demo-inspector")
		tok := c.csrf("/sampling/new")
		form := url.Values{"batch_no": {"SJ-2025-1"}, "year": {"2025"}, "level": {"省"}, "product": {"光伏组件"}, "key_product": {"光伏"},
			"enterprise_name": {"某光伏公司"}, "credit_code": {"91630100MA752XUH3X"}, "sampling_unit": {"省质检院"}, "sampled_on": {"2025-03-01"},
			"testing_body": {"国家光伏产品质量检验检测中心（青海）"}, "report_no": {"GF-9"}, "outcome": {"不合格"}, "result_on": {"2025-03-20"}, "failed_items": {"标称功率"}}
		if resp, _ := c.postForm("/sampling", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		for _, bad := range []url.Values{{"outcome": {"<script>alert(1)</script>"}}, {"credit_code": {"91630100MA752XUH3Y"}}, {"sampled_on": {"2025-02-30"}},
			{"task_no": {"1 OR 1=1"}}, {"retest_on": {"2025-04-30"}}} {
			v := url.Values{}
			for k, x := range form {
				v[k] = x
			}
			for k, x := range bad {
				v[k] = x
			}
			v.Set("csrf_token", tok)
			if resp, body := c.postForm("/sampling", v); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) {
				t.Errorf("hostile form %v: %d", bad, resp.StatusCode)
			}
		}
		form.Set("csrf_token", tok)
		resp, _ := c.postForm("/sampling", form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sampling/batches/") {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page := resp.Header.Get("Location")
		if l, _ := svc.Search(ctx, sampling.Filter{P: cli}); l.Total != 2 {
			t.Fatalf("hostile forms wrote batches: %d", l.Total)
		}
		// A re-test 16 days after the result without a reason: refused.
		c.postForm(page+"/retest", url.Values{"csrf_token": {tok}, "retest_on": {"2025-04-05"}, "outcome": {"复检中"}})
		if b, _ := svc.Search(ctx, sampling.Filter{P: cli, Outcome: sampling.Retesting}); b.Total != 0 {
			t.Error("a late re-test without a reason was recorded")
		}
		for _, st := range []url.Values{{"step": {"责令改正"}, "on": {"2025-04-10"}, "doc_no": {"青市监责改〔2025〕1号"}}} {
			st.Set("csrf_token", tok)
			if resp, _ := c.postForm(page+"/dispose", st); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("dispose: %d", resp.StatusCode)
			}
		}
		if resp, _ := c.postForm(page+"/publish", url.Values{"csrf_token": {tok}, "notice_on": {"2025-04-20"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", resp.StatusCode)
		}
		if resp, body := c.get(page); resp.StatusCode != 200 || !strings.Contains(body, "青市监责改〔2025〕1号") || !strings.Contains(body, "2025-04-04") {
			t.Errorf("batch page: %d", resp.StatusCode)
		}
		otherPath := fmt.Sprintf("/sampling/batches/%d", other.ID)
		if resp, _ := c.get(otherPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("海西 batch page: %d", resp.StatusCode)
		}
		if _, body := c.get("/sampling"); strings.Contains(body, "海西秘密产品") || !strings.Contains(body, "SJ-2025-1") {
			t.Error("the list shows 海西's batch or misses the own one")
		}
		if resp, body := c.get("/sampling?format=csv"); resp.StatusCode != 200 || !strings.Contains(body, "SJ-2025-1") || strings.Contains(body, "HX-SECRET") {
			t.Errorf("export: %d", resp.StatusCode)
		}
		// The register's import is the kind's page: a row naming an outcome
		// outside the list refuses the file by row and column, nothing
		// written; the good file imports, and again changes nothing.
		if _, body := c.get("/sampling"); !strings.Contains(body, `href="/import/sampling_batches"`) {
			t.Error("the register does not link its import page")
		}
		header := "抽样单编号,抽查年度,抽查级别,任务编号,产品名称,重点产品,受检单位名称,统一社会信用代码,抽样单位,抽样日期,检验机构,检验报告编号,检验结论,结果通知日期,不合格项目,复检申请日期,逾期复检理由,公告日期\n"
		good := header + "SJ-IMP-1,2025,省,,食用盐,,某盐业公司,91630100MA752XUH3X,省质检院,2025-03-01,省质检院,R-1,合格,2025-03-10,,,,\n"
		badFile := good + "SJ-IMP-2,2025,省,,食用盐,,某盐业公司,91630100MA752XUH3X,省质检院,2025-03-01,省质检院,R-2,优秀,2025-03-10,,,,\n"
		stored := `SELECT COUNT(*) FROM sampling_batches`
		before := countRows(t, db, stored)
		if resp, body := c.imported("/import/sampling_batches", tok, "all", "批次.csv", []byte(badFile)); resp.StatusCode != 200 ||
			!strings.Contains(body, "未导入任何记录") || !errorAt(body, 3, "检验结论") {
			t.Errorf("bad upload: %d %s", resp.StatusCode, between(body, `id="res-h"`, "</section>"))
		}
		if n := countRows(t, db, stored); n != before {
			t.Errorf("a refused upload wrote %d batches", n-before)
		}
		for i, want := range []string{"新增 1", "未变 1"} {
			if resp, body := c.imported("/import/sampling_batches", tok, "all", "批次.csv", []byte(good)); resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("upload %d: %d, lacks %q: %s", i+1, resp.StatusCode, want, between(body, `id="res-h"`, "</section>"))
			}
		}
		if n := countRows(t, db, stored); n != before+1 {
			t.Errorf("%d batches more, want 1", n-before)
		}

		// The public: the notice, nothing of the register.
		pub := f.client(t)
		_, body := pub.get("/sampling-notices")
		_, js := pub.get("/api/v1/sampling-notices")
		if !strings.Contains(body, "标称功率") || !strings.Contains(js, "标称功率") {
			t.Error("the public notice is missing")
		}
		if strings.Contains(body, "海西秘密产品") || strings.Contains(js, "海西秘密产品") {
			t.Error("the public sees an unpublished batch")
		}
		for _, p := range []string{page, "/sampling", "/api/v1/sampling/batches", "/sampling/plans"} {
			if resp, _ := pub.get(p); resp.StatusCode == http.StatusOK {
				t.Errorf("the public opens %s", p)
			}
		}
		if resp, _ := pub.get("/sampling-notices?year=abc%27"); resp.StatusCode >= 500 {
			t.Errorf("hostile year: %d", resp.StatusCode)
		}
	})
}
