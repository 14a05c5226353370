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
	"sidi/internal/ip/protect"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the IP protection routes (ipprotect_pages.go): the
// market-supervision handlers; the service narrows that to the cases of
// their department scope. Decisions and outlets are public.
var ipHandlers = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /ip-cases":                    ipHandlers,
		"POST /ip-cases":                   ipHandlers,
		"GET /ip-cases/{id}":               ipHandlers,
		"POST /ip-cases/{id}/step":         ipHandlers,
		"GET /ip-assists":                  ipHandlers,
		"POST /ip-assists":                 ipHandlers,
		"POST /ip-assists/{id}/close":      ipHandlers,
		"GET /ip-operations":               ipHandlers,
		"GET /ip-decisions":                everyone,
		"GET /ip-outlets":                  everyone,
		"GET /api/v1/ip-cases":             ipHandlers,
		"POST /api/v1/ip-cases":            ipHandlers,
		"GET /api/v1/ip-cases/{id}":        ipHandlers,
		"POST /api/v1/ip-cases/{id}/step":  ipHandlers,
		"GET /api/v1/ip-assists":           ipHandlers,
		"GET /api/v1/ip-operations/totals": ipHandlers,
		"GET /api/v1/ip-decisions":         everyone,
		"GET /api/v1/ip-outlets":           everyone,
	} {
		expectedAccess[k] = v
	}
	// The menu: the two public lists follow the patents pages; the work
	// pages follow 隐患整改.
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/ipm-certs") + 1
		m = slices.Insert(m, i, "/ip-decisions", "/ip-outlets")
		if slices.Contains(ipHandlers, who) {
			j := slices.Index(m, "/hazards") + 1
			m = slices.Insert(m, j, "/ip-cases", "/ip-assists", "/ip-operations")
		}
		wantMenu[who] = m
	}
}

// TestIPCaseScopeAndPublicDecisions drives the case workflow through the
// web forms: the 省市场监管局 inspector (scope own) handles its own case,
// cannot see one of 海西州, the public sees only the published decision,
// and forms without a CSRF token or with hostile values change nothing.
func TestIPCaseScopeAndPublicDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.set.Protect
		cli := auth.CLI("test")
		other, err := svc.CreateCase(ctx, cli, protect.NewCase{CaseNo: "海西-1", Kind: protect.KindGI, DeptID: deptID(t, f, "632800"), Subject: "海西的秘密案由", Party: "海西当事人", DiscoveredOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		c := f.as(t, "demo-inspector")
		tok := c.csrf("/ip-cases")
		samr := fmt.Sprint(deptID(t, f, "qh-samr"))
		// No CSRF token: refused, nothing written.
		if resp, _ := c.postForm("/ip-cases", url.Values{"case_no": {"X-0"}, "kind": {"trademark"}, "dept_id": {samr}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"2025-01-01"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		for _, bad := range []url.Values{
			{"case_no": {"X-1"}, "kind": {"trademark"}, "dept_id": {fmt.Sprint(deptID(t, f, "632800"))}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"2025-01-01"}},
			{"case_no": {"X-2"}, "kind": {"<script>alert(1)</script>"}, "dept_id": {samr}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"2025-01-01"}},
			{"case_no": {"X-3"}, "kind": {"patent"}, "dept_id": {"1 OR 1=1"}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"2025-01-01"}},
			{"case_no": {strings.Repeat("号", 65)}, "kind": {"patent"}, "dept_id": {samr}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"2025-01-01"}},
			{"case_no": {"X-5"}, "kind": {"patent"}, "dept_id": {samr}, "subject": {"s"}, "party": {"p"}, "discovered_on": {"明天"}},
		} {
			bad.Set("csrf_token", tok)
			if resp, _ := c.postForm("/ip-cases", bad); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("hostile form %v: %d", bad, resp.StatusCode)
			}
		}
		if l, _ := svc.Cases(ctx, cli, protect.CaseFilter{}); len(l) != 1 {
			t.Fatalf("hostile forms wrote cases: %d", len(l))
		}
		resp, _ := c.postForm("/ip-cases", url.Values{"csrf_token": {tok}, "case_no": {"青市监知〔2025〕1号"}, "kind": {"trademark"}, "dept_id": {samr},
			"subject": {"内部案由：涉嫌销售假冒商标枸杞"}, "party": {"某商贸公司"}, "discovered_on": {"2025-01-02"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ip-cases/") {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		page := resp.Header.Get("Location")
		for _, st := range []url.Values{
			{"action": {"file"}, "on": {"2025-01-03"}},
			{"action": {"investigate"}, "on": {"2025-01-04"}},
			{"action": {"penalize"}, "on": {"2025-02-01"}, "decision_no": {"青市监罚〔2025〕1号"}, "violation": {"销售侵犯注册商标专用权的商品"}, "penalty": {"罚款"}, "fine": {"3000.5"}},
			{"action": {"publish"}},
		} {
			st.Set("csrf_token", tok)
			if resp, _ := c.postForm(page+"/step", st); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", st.Get("action"), resp.StatusCode)
			}
		}
		if resp, body := c.get(page); resp.StatusCode != 200 || !strings.Contains(body, "3,000.50") || !strings.Contains(body, "已公示") {
			t.Errorf("case page: %d", resp.StatusCode)
		}
		// Scope: 海西's case is not there for the 省市场监管局 inspector.
		otherPath := fmt.Sprintf("/ip-cases/%d", other.ID)
		if resp, _ := c.get(otherPath); resp.StatusCode != http.StatusNotFound {
			t.Errorf("海西 case page: %d", resp.StatusCode)
		}
		if resp, _ := c.postForm(otherPath+"/step", url.Values{"csrf_token": {tok}, "action": {"file"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("海西 case step: %d", resp.StatusCode)
		}
		if _, body := c.get("/ip-cases"); strings.Contains(body, "海西的秘密案由") {
			t.Error("the list shows 海西's case")
		}
		// The public: the decision, and nothing of the case file.
		pub := f.client(t)
		_, body := pub.get("/ip-decisions")
		if !strings.Contains(body, "青市监罚〔2025〕1号") || !strings.Contains(body, "3,000.50") {
			t.Error("the public decision is missing")
		}
		_, js := pub.get("/api/v1/ip-decisions")
		for _, secret := range []string{"内部案由", "青市监知", "海西", "dept"} {
			if strings.Contains(body, secret) || strings.Contains(js, secret) {
				t.Errorf("the public sees %q", secret)
			}
		}
		for _, p := range []string{page, "/ip-cases", "/api/v1/ip-cases", "/ip-assists"} {
			if resp, _ := pub.get(p); resp.StatusCode == http.StatusOK {
				t.Errorf("the public opens %s", p)
			}
		}
		// The API: hostile bodies are refused with 422 and write nothing.
		hx := fmt.Sprint(deptID(t, f, "632800"))
		for _, b := range []struct {
			path, body string
			want       int
		}{
			{"/api/v1/ip-cases", `{"case_no":"A-1","kind":"patent","dept_id":` + hx + `,"subject":"s","party":"p","discovered_on":"2025-01-01"}`, 422},
			{"/api/v1/ip-cases", `{"case_no":"A-2","kind":"patent","dept_id":` + samr + `,"subject":"s","party":"p","discovered_on":"2025-01-01","Demo":true}`, 422},
			{"/api/v1/ip-cases", `{"case_no":"A-3","kind":"patent","dept_id":"1;DROP TABLE ip_cases","subject":"s","party":"p","discovered_on":"2025-01-01"}`, 422},
			{"/api/v1/ip-cases", `{"case_no":"A-4","kind":"patent","dept_id":` + samr + `,"subject":"s","party":"p","party_code":"<script>","discovered_on":"2025-01-01"}`, 422},
			{"/api/v1/ip-cases", `[1,2,3]`, 422},
			{fmt.Sprintf("/api/v1/ip-cases/%d/step", other.ID), `{"action":"file"}`, 404},
			{"/api/v1/ip-cases", `{"case_no":"A-5","kind":"patent","dept_id":` + samr + `,"subject":"假冒专利","party":"p","discovered_on":"2025-01-01"}`, 201},
		} {
			if resp, body := c.send("POST", b.path, tok, "application/json", b.body); resp.StatusCode != b.want {
				t.Errorf("POST %s %s: %d %s, want %d", b.path, b.body, resp.StatusCode, body, b.want)
			}
		}
		if l, _ := svc.Cases(ctx, cli, protect.CaseFilter{}); len(l) != 3 {
			t.Errorf("the API wrote %d cases, want 3", len(l))
		}
		if resp, _ := pub.get("/api/v1/ip-outlets?prefecture=%27%20or%201%3D1"); resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("hostile prefecture: %d", resp.StatusCode)
		}
	})
}

// TestIPAssistForms: the request forms refuse hostile values and requests
// of another department's scope, and record an outcome once.
func TestIPAssistForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := f.set.Protect
		cli := auth.CLI("test")
		hx, err := svc.CreateAssist(ctx, cli, protect.Assist{ReqNo: "HX-1", Kind: protect.AssistKind, DeptID: deptID(t, f, "632800"), Applicant: "甲", Matter: "海西的事项", ReceivedOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		c := f.as(t, "demo-inspector")
		tok := c.csrf("/ip-assists")
		samr := fmt.Sprint(deptID(t, f, "qh-samr"))
		for _, bad := range []url.Values{
			{"req_no": {"R-1"}, "kind": {"mediation"}, "dept_id": {samr}, "applicant": {"甲"}, "matter": {"m"}, "received_on": {"2025-01-01"}}, // no respondent
			{"req_no": {"R-2"}, "kind": {"assist"}, "dept_id": {fmt.Sprint(deptID(t, f, "632800"))}, "applicant": {"甲"}, "matter": {"m"}, "received_on": {"2025-01-01"}},
			{"req_no": {"R-3"}, "kind": {"assist'--"}, "dept_id": {samr}, "applicant": {"甲"}, "matter": {"m"}, "received_on": {"2025-01-01"}},
			{"req_no": {"R-4"}, "kind": {"assist"}, "dept_id": {samr}, "applicant": {"甲"}, "matter": {"m"}, "received_on": {"2025-01-01"}, "due_on": {"2024-01-01"}},
			{"req_no": {"R-5"}, "kind": {"assist"}, "dept_id": {samr}, "applicant": {strings.Repeat("申", 101)}, "matter": {"m"}, "received_on": {"2025-01-01"}},
		} {
			bad.Set("csrf_token", tok)
			if resp, _ := c.postForm("/ip-assists", bad); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("hostile form %v: %d", bad, resp.StatusCode)
			}
		}
		if resp, _ := c.postForm("/ip-assists", url.Values{"req_no": {"R-0"}, "kind": {"assist"}, "dept_id": {samr}, "applicant": {"甲"}, "matter": {"m"}, "received_on": {"2025-01-01"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		if resp, _ := c.postForm("/ip-assists", url.Values{"csrf_token": {tok}, "req_no": {"R-6"}, "kind": {"assist"}, "dept_id": {samr}, "applicant": {"甲"}, "matter": {"海外维权"}, "received_on": {"2025-01-01"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		l, _ := svc.Assists(ctx, cli, false)
		if len(l) != 2 {
			t.Fatalf("requests: %d, want 2", len(l))
		}
		if resp, _ := c.postForm(fmt.Sprintf("/ip-assists/%d/close", hx.ID), url.Values{"csrf_token": {tok}, "outcome": {"assisted"}, "outcome_note": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("close 海西's request: %d", resp.StatusCode)
		}
		if _, body := c.get("/ip-assists"); strings.Contains(body, "海西的事项") || !strings.Contains(body, "海外维权") {
			t.Error("the list is not the inspector's scope")
		}
	})
}
