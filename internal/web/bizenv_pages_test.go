package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/environment/bizenv"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the business-environment routes (bizenv_pages.go): the
// drafting departments' staff draft and answer, their approvers and the
// supervisors conclude and issue; the market-supervision handlers keep fee
// cases, business starts and campaigns; the fee lists are public.
var (
	bizDrafters  = []string{admin, supervisor, approver, reporter}
	bizReviewers = []string{admin, supervisor, approver}
	bizHandlers  = []string{admin, supervisor, inspector}
	bizEditors   = []string{admin, supervisor}
)

func init() {
	for k, v := range map[string][]string{
		"GET /fair-reviews":                       bizDrafters,
		"POST /fair-reviews":                      bizDrafters,
		"GET /fair-reviews/{id}":                  bizDrafters,
		"POST /fair-reviews/{id}/answers":         bizDrafters,
		"POST /fair-reviews/{id}/opinions":        bizDrafters,
		"POST /fair-reviews/{id}/conclude":        bizReviewers,
		"POST /fair-reviews/{id}/issue":           bizReviewers,
		"POST /fair-reviews/{id}/withdraw":        bizReviewers,
		"GET /fair-oversight":                     bizReviewers,
		"POST /fair-oversight":                    bizReviewers,
		"POST /fair-oversight/{id}/close":         bizReviewers,
		"GET /business-starts":                    bizHandlers,
		"POST /business-starts/limits":            bizEditors,
		"GET /fees":                               everyone,
		"GET /fee-cases":                          bizHandlers,
		"POST /fee-cases":                         bizHandlers,
		"POST /fee-cases/{id}/close":              bizHandlers,
		"GET /ad-campaigns":                       bizHandlers,
		"POST /ad-campaigns":                      bizHandlers,
		"GET /ad-campaigns/{id}":                  bizHandlers,
		"POST /ad-campaigns/{id}/placements":      bizHandlers,
		"GET /api/v1/fair-reviews":                bizDrafters,
		"GET /api/v1/fair-reviews/{id}":           bizDrafters,
		"POST /api/v1/fair-reviews/{id}/conclude": bizReviewers,
		"GET /api/v1/business-starts/stats":       bizHandlers,
		"GET /api/v1/fees":                        everyone,
		"GET /api/v1/fees/check":                  everyone,
		"GET /api/v1/fee-cases":                   bizHandlers,
		"GET /api/v1/ad-campaigns/counts":         bizHandlers,
	} {
		expectedAccess[k] = v
	}
	// The menu: the public fee lists close the public group; the work
	// pages (Order 127–132) close the work group, before the admin pages.
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/fees")
		var work []string
		for _, p := range []struct {
			path  string
			roles []string
		}{{"/fair-reviews", bizDrafters}, {"/fair-oversight", bizReviewers}, {"/business-starts", bizHandlers}, {"/fee-cases", bizHandlers}, {"/ad-campaigns", bizHandlers}} {
			if slices.Contains(p.roles, who) {
				work = append(work, p.path)
			}
		}
		j := slices.IndexFunc(m, func(s string) bool { return strings.HasPrefix(s, "/admin/") })
		if j < 0 {
			j = len(m)
		}
		wantMenu[who] = slices.Insert(m, j, work...)
	}
}

// TestBizEnvReviewGateOnTheWeb drives a measure through the web forms as
// the 省市场监管局 approver: issuing is refused until a passing
// conclusion, hostile forms change nothing, 海西's measure does not exist
// for it, and the task page shows the live figures beside the narrative.
func TestBizEnvReviewGateOnTheWeb(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.set.BizEnv
		cli := auth.CLI("test")
		other, err := svc.CreateMeasure(ctx, cli, bizenv.NewMeasure{DeptID: deptID(t, f, "632800"), Title: "海西的秘密草案", DocKind: "规章", DraftedOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		c := f.as(t, "demo-approver-samr")
		tok := c.csrf("/fair-reviews")
		samr := fmt.Sprint(deptID(t, f, "qh-samr"))
		if resp, _ := c.postForm("/fair-reviews", url.Values{"title": {"x"}, "doc_kind": {"规章"}, "dept_id": {samr}, "drafted_on": {"2025-01-01"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		for _, bad := range []url.Values{
			{"title": {"x"}, "doc_kind": {"规章"}, "dept_id": {fmt.Sprint(deptID(t, f, "632800"))}, "drafted_on": {"2025-01-01"}},
			{"title": {"x"}, "doc_kind": {"<script>"}, "dept_id": {samr}, "drafted_on": {"2025-01-01"}},
			{"title": {"x"}, "doc_kind": {"规章"}, "dept_id": {"1 OR 1=1"}, "drafted_on": {"2025-01-01"}},
			{"title": {strings.Repeat("长", 201)}, "doc_kind": {"规章"}, "dept_id": {samr}, "drafted_on": {"2025-01-01"}},
			{"title": {"x"}, "doc_kind": {"规章"}, "dept_id": {samr}, "drafted_on": {"明天"}},
		} {
			bad.Set("csrf_token", tok)
			if resp, _ := c.postForm("/fair-reviews", bad); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("hostile form %v: %d", bad, resp.StatusCode)
			}
		}
		if l, _ := svc.Measures(ctx, cli, ""); len(l) != 1 {
			t.Fatalf("hostile forms wrote measures: %d", len(l))
		}
		resp, _ := c.postForm("/fair-reviews", url.Values{"csrf_token": {tok}, "title": {"青海省促进个体工商户发展若干措施"}, "doc_kind": {"规范性文件"}, "dept_id": {samr}, "drafted_on": {"2025-02-01"}})
		page := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(page, "/fair-reviews/") {
			t.Fatalf("create: %d %s", resp.StatusCode, page)
		}
		issue := url.Values{"csrf_token": {tok}, "doc_no": {"青市监〔2025〕9号"}, "issued_on": {"2025-03-01"}}
		c.postForm(page+"/issue", issue)
		if _, body := c.get(page); strings.Contains(body, "青市监〔2025〕9号") || !strings.Contains(body, "尚未作出") {
			t.Fatal("issued without a conclusion")
		}
		answers := url.Values{"csrf_token": {tok}}
		for _, it := range bizenv.ChecklistFor("2025-02-01").Items() {
			answers.Set("v_"+it.Code, "clear")
		}
		c.postForm(page+"/answers", answers)
		c.postForm(page+"/opinions", url.Values{"csrf_token": {tok}, "kind": {"stakeholder"}, "source": {"青海省个体劳动者协会"}, "content": {"支持"}, "received_on": {"2025-02-10"}})
		c.postForm(page+"/conclude", url.Values{"csrf_token": {tok}, "result": {"pass"}, "on": {"2025-02-20"}})
		c.postForm(page+"/issue", issue)
		if _, body := c.get(page); !strings.Contains(body, "青市监〔2025〕9号") || !strings.Contains(body, "已出台") || !strings.Contains(body, "19 / 19") {
			t.Fatal("not issued after a passing conclusion")
		}
		otherPath := fmt.Sprintf("/fair-reviews/%d", other.ID)
		if resp, _ := c.get(otherPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("海西 measure: %d", resp.StatusCode)
		}
		if _, body := c.get("/fair-reviews"); strings.Contains(body, "海西的秘密草案") {
			t.Error("the list shows 海西's measure")
		}
		// The public fee check names a charge on no list.
		pub := f.client(t)
		if _, body := pub.get("/fees?charge=" + url.QueryEscape("会员评比达标费")); !strings.Contains(body, "不在任何一张目录清单内") {
			t.Error("the public check does not flag an off-list charge")
		}
		if _, js := pub.get("/api/v1/fees/check?charge=" + url.QueryEscape("会员评比达标费")); !strings.Contains(js, `"on_list":false`) {
			t.Errorf("api check: %s", js)
		}
	})
}

// TestBizEnvFiguresOnTaskPages: after `sidi demo`, tasks 15–18 show their
// live figures on the task page and the cockpit.
func TestBizEnvFiguresOnTaskPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.as(t, "demo-supervisor")
		for task, want := range map[int]string{15: "完成公平竞争审查的政策措施", 16: "目录清单内的涉企收费项目", 17: "企业开办承诺时限内办结率", 18: "公益广告活动"} {
			resp, body := c.get(fmt.Sprintf("/progress/tasks/%d", task))
			if resp.StatusCode != 200 || !strings.Contains(body, "实时数据") || !strings.Contains(body, want) {
				t.Errorf("task %d page: %d, figure %q missing", task, resp.StatusCode, want)
			}
		}
		if _, body := c.get("/progress"); !strings.Contains(body, "实时数据：完成公平竞争审查的政策措施") {
			t.Error("the cockpit does not show the figures")
		}
		// A supervisor sets figures on another task; an unknown key changes nothing.
		tok := c.csrf("/progress/tasks/21")
		if resp, _ := c.postForm("/progress/tasks/21/figures", url.Values{"csrf_token": {tok}, "metric": {"fees.cases", "no.such"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bad figures: %d", resp.StatusCode)
		}
		if _, body := c.get("/progress/tasks/21"); strings.Contains(body, "fig-h") {
			t.Error("an unknown metric was saved")
		}
		c.postForm("/progress/tasks/21/figures", url.Values{"csrf_token": {tok}, "metric": {"fees.cases"}})
		if _, body := c.get("/progress/tasks/21"); !strings.Contains(body, "涉企收费投诉举报与违规案件") {
			t.Error("the figure set on task 21 is not shown")
		}
		if resp, _ := f.as(t, "demo-reporter-samr").postForm("/progress/tasks/21/figures", url.Values{"csrf_token": {tok}, "metric": {"fees.cases"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("reporter sets figures: %d", resp.StatusCode)
		}
		for _, p := range []string{"/fair-reviews", "/fair-oversight", "/business-starts", "/fee-cases", "/ad-campaigns", "/fees"} {
			if resp, body := c.get(p); resp.StatusCode != 200 || !strings.Contains(body, "演示") {
				t.Errorf("%s: %d or no demo rows", p, resp.StatusCode)
			}
		}
	})
}

// TestComplaintCreditCodeOnEnterprisePage registers a fee complaint naming
// the charging unit's credit code from the form: a wrong check character
// is refused and writes nothing; the right one links the complaint to the
// enterprise's page, shown to the staff in scope and not to the public.
func TestComplaintCreditCodeOnEnterprisePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.as(t, "demo-supervisor")
		tok := c.csrf("/fee-cases")
		first17 := "91630100MA7QFEE1X"
		good := first17 + string(creditcode.Check(first17))
		bad := first17 + map[bool]string{true: "1", false: "0"}[good[17] == '0']
		form := func(ref, code string) url.Values {
			return url.Values{"csrf_token": {tok}, "dept_id": {strconv.FormatInt(deptID(t, f, "qh-samr"), 10)}, "kind": {"complaint"}, "ref_no": {ref}, "party": {"某检测服务公司"},
				"credit_code": {code}, "charge": {"加急检测费"}, "amount": {"300"}, "field": {"中介机构"}, "received_on": {"2025-05-06"}}
		}
		for name, tc := range map[string]struct {
			ref, code string
			want      int
		}{"bad check character": {"投-坏", bad, 0}, "good": {"投-好", good, 1}} {
			if resp, _ := c.postForm("/fee-cases", form(tc.ref, tc.code)); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
			var n int
			db.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM fee_cases WHERE ref_no = $1 AND enterprise_id IS NOT NULL`, tc.ref).Scan(&n)
			if n != tc.want {
				t.Errorf("%s: %d linked cases, want %d", name, n, tc.want)
			}
		}
		for name, tc := range map[string]struct {
			c    *client
			sees bool
		}{"supervisor": {c, true}, "public": {f.client(t), false}} {
			resp, body := tc.c.get("/enterprises/" + good)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, "投-好") != tc.sees || strings.Contains(body, "公平竞争举报与涉企收费投诉") != tc.sees {
				t.Errorf("%s: %d, sees the complaint: %v", name, resp.StatusCode, !tc.sees)
			}
		}
		if _, body := c.get("/fee-cases"); !strings.Contains(body, `href="/enterprises/`+good+`"`) {
			t.Error("the fee case list does not link the enterprise")
		}
	})
}
