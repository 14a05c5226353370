package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/demo"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func init() {
	expectedAccess["GET /plans"] = everyone
	expectedAccess["GET /api/v1/plans"] = everyone
	// The list of plans is the last public entry (menu order 140).
	for who, m := range wantMenu {
		wantMenu[who] = append(slices.Clone(m), "/plans")
	}
}

const titleB = "国务院办公厅关于逐步推行免费学前教育的意见"

// importPlanB imports a second real document (the parser corpus's 036)
// through the import page as a new plan with the code cn-preschool, gives
// its tasks to the provincial market regulator on the review (the text
// names no lead), approves it and opens its reporting periods.
func importPlanB(t *testing.T, f *fixture, c *client) *plan.PlanView {
	t.Helper()
	ctx := context.Background()
	src, err := os.ReadFile("../plan/testdata/corpus/036.txt")
	if err != nil {
		t.Fatal(err)
	}
	tok := c.csrf("/plan/import")
	if _, page := c.get("/plan/import"); !strings.Contains(page, `<option value="`+demo.PlanCode+`"`) {
		t.Fatal("the import form does not offer a new version of the existing plan")
	}
	resp, body := c.postForm("/plan/import", url.Values{"text": {string(src)}, "target": {"new"}, "plan": {"cn-preschool"}, "csrf_token": {tok}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import B: %d %s", resp.StatusCode, body)
	}
	vs, err := f.plan.Versions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var draft *plan.Version
	for _, v := range vs {
		if v.PlanCode == "cn-preschool" {
			draft = v
		}
	}
	if draft == nil || draft.Status != plan.StatusDraft {
		t.Fatalf("no draft of cn-preschool: %+v", vs)
	}
	if _, err := f.plan.UpdateDraft(ctx, auth.CLI("test"), draft.ID, leadsToSAMR(draft.Document)); err != nil {
		t.Fatal(err)
	}
	tok = c.csrf("/plan/versions/" + itoa(draft.ID))
	if resp, body := c.postForm("/plan/versions/"+itoa(draft.ID)+"/approve", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve B: %d %s", resp.StatusCode, body)
	}
	pv, err := f.plan.CurrentByCode(ctx, "cn-preschool")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.prog.EnsurePeriods(ctx, auth.CLI("test"), pv.ID, 2027); err != nil {
		t.Fatal(err)
	}
	return pv
}

// TestPlansSideBySidePages: a second plan imported beside the seed plan has
// its own pages, tasks, indicators, periods and reports, chosen with
// ?plan=CODE everywhere; the bare URLs stay on the first plan; the home
// page and /plans list both; a hostile or unknown code is a clean 404; a
// new version of the first plan supersedes only it and its old version
// stays readable.
func TestPlansSideBySidePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		sup := f.client(t)
		sup.login("demo-supervisor", auth.DemoPassword)
		pa, err := f.plan.Current(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		pb := importPlanB(t, f, sup)
		public := f.client(t)
		pages := []struct {
			path     string
			status   int
			want, no []string
		}{
			{"/plan", 200, []string{pa.Title, "现行第 1 版"}, []string{"<h1>" + titleB}},
			{"/plan?plan=cn-preschool", 200, []string{"<h1>" + titleB, `href="/plan/tasks/1?plan=cn-preschool"`}, []string{"<h1>" + pa.Title}},
			{"/plan?plan=" + demo.PlanCode, 200, []string{"<h1>" + pa.Title}, nil},
			{"/", 200, []string{"本平台跟踪的工作方案", titleB, `href="/plan?plan=cn-preschool"`, pa.Title}, nil},
			{"/plans", 200, []string{titleB, pa.Title, "cn-preschool", demo.PlanCode, "总体进展"}, nil},
			{"/plan/tasks/2?plan=cn-preschool", 200, []string{`href="/plan?plan=cn-preschool"`}, []string{"<h1>" + pa.Tasks()[1].Title}},
			{"/plan/tasks/3?plan=cn-preschool", 404, nil, nil},
			{"/plan/tasks/3", 200, []string{pa.Tasks()[2].Title}, nil},
			{"/plan?plan=nope", 404, []string{"没有代码为"}, nil},
			{"/plan?plan=" + url.QueryEscape("<script>alert(1)</script>"), 404, nil, []string{"<script>alert"}},
			{"/public/progress?plan=cn-preschool", 200, []string{`/api/v1/indicators?plan=cn-preschool`}, nil},
			{"/api/v1/plan?plan=cn-preschool", 200, []string{`"code":"cn-preschool"`}, []string{`"code":"` + demo.PlanCode}},
			{"/api/v1/plan?plan=..%2F..", 404, []string{`"not_found"`}, nil},
			{"/api/v1/plans", 200, []string{`"cn-preschool"`, `"` + demo.PlanCode + `"`}, nil},
		}
		for _, p := range pages {
			resp, body := public.get(p.path)
			if resp.StatusCode != p.status {
				t.Errorf("GET %s: %d, want %d", p.path, resp.StatusCode, p.status)
			}
			for _, w := range p.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", p.path, w)
				}
			}
			for _, n := range p.no {
				if strings.Contains(body, n) {
					t.Errorf("GET %s contains %q", p.path, n)
				}
			}
		}
		// Each plan has its own indicators.
		count := func(path string) int {
			_, body := public.get(path)
			var b indicatorsBody
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return len(b.Indicators)
		}
		if a, b := count("/api/v1/indicators"), count("/api/v1/indicators?plan=cn-preschool"); a != 18 || b != len(targetsOf(pb)) {
			t.Errorf("indicators: A %d, B %d", a, b)
		}

		// A report in plan B, by the department B gives the task to.
		periods, err := f.prog.Periods(ctx, pb.ID)
		if err != nil || len(periods) == 0 {
			t.Fatalf("periods of B: %v %v", periods, err)
		}
		code := periods[0].Code
		rep := f.client(t)
		rep.login("demo-reporter-samr", auth.DemoPassword)
		resp, page := rep.get("/reports/new?plan=cn-preschool&period=" + code + "&task=1")
		if resp.StatusCode != 200 || !strings.Contains(page, `action="/reports?plan=cn-preschool"`) {
			t.Fatalf("B report form: %d", resp.StatusCode)
		}
		tok := csrfRe.FindStringSubmatch(page)[1]
		resp, _ = rep.postForm("/reports?plan=cn-preschool", url.Values{"csrf_token": {tok}, "period": {code}, "task": {"1"}, "narrative": {"乙方案一季度进展。"}, "progress": {"10"}})
		m := reportIDRe.FindStringSubmatch(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("B report: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		link := regexp.MustCompile(`href="/reports/` + m[1] + `"`)
		if _, page := rep.get("/reports?plan=cn-preschool"); !link.MatchString(page) {
			t.Error("plan B's report list lacks its report")
		}
		if _, page := rep.get("/reports"); link.MatchString(page) {
			t.Error("plan A's report list shows plan B's report")
		}
		inA, err := f.prog.Reports(ctx, auth.CLI("test"), progress.ReportFilter{PlanID: pa.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range inA {
			if itoa(r.ID) == m[1] {
				t.Error("plan B's report is in plan A")
			}
		}
		if _, page := rep.get("/reports/" + m[1]); !strings.Contains(page, `href="/reports?plan=cn-preschool"`) {
			t.Error("plan B's report page does not link back into plan B")
		}
		// The desk of plan A points to the work waiting in plan B.
		if _, page := rep.get("/my"); !strings.Contains(page, "其他工作方案中也有待办") || !strings.Contains(page, `href="/my?plan=cn-preschool"`) {
			t.Error("the reporter's desk in plan A does not point to the reports to fill in plan B")
		}
		// A department plan B does not name cannot open its form.
		drc := f.client(t)
		drc.login("demo-reporter-drc", auth.DemoPassword)
		if resp, _ := drc.get("/reports/new?plan=cn-preschool&period=" + code + "&task=1"); resp.StatusCode == 200 {
			t.Error("DRC opens a report form for a plan B task it is not responsible for")
		}
		if _, page := drc.get("/my"); strings.Contains(page, "其他工作方案中也有待办") {
			t.Error("DRC's desk lists work in plan B, which does not name it")
		}
		if resp, _ := drc.get("/reports/" + m[1]); resp.StatusCode != http.StatusNotFound {
			t.Errorf("DRC opens SAMR's plan B report: %d", resp.StatusCode)
		}
		// Plan B's bulletins are its own periods' (none closed yet), not A's.
		if _, page := sup.get("/bulletins?plan=cn-preschool"); !strings.Contains(page, "尚无已截止的报送周期") || strings.Contains(page, `href="/bulletins/2022Q1`) {
			t.Error("plan B's bulletin list shows periods that are not B's closed ones")
		}
		if _, page := sup.get("/bulletins"); !strings.Contains(page, `href="/bulletins/2022Q1"`) {
			t.Error("plan A's bulletin list lacks its first period")
		}
		if resp, page := sup.get("/bulletins/" + code + "?plan=cn-preschool"); resp.StatusCode != 200 || !strings.Contains(page, titleB) {
			t.Errorf("plan B's bulletin: %d", resp.StatusCode)
		}
		// The cockpit of B offers A's.
		if _, page := sup.get("/progress?plan=cn-preschool"); !strings.Contains(page, `<nav class="plan-tabs"`) || !strings.Contains(page, `href="/progress"`) {
			t.Error("B's cockpit does not offer A's")
		}

		// A new version of A through the import page supersedes only A.
		amended := strings.Replace(readSeed(t), "成功注册马德里国际商标 20件以上", "成功注册马德里国际商标30件以上", 1)
		tok = sup.csrf("/plan/import")
		resp, body := sup.postForm("/plan/import", url.Values{"text": {amended}, "target": {demo.PlanCode}, "csrf_token": {tok}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import A v2: %d %s", resp.StatusCode, body)
		}
		vpath := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		tok = sup.csrf(vpath)
		if resp, _ := sup.postForm(vpath+"/approve", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve A v2: %d", resp.StatusCode)
		}
		sums, err := f.plan.Summaries(ctx, true)
		if err != nil || len(sums) != 2 || sums[0].Current != 2 || sums[1].Current != 1 {
			t.Fatalf("after A v2: %+v %v", sums, err)
		}
		for _, p := range []struct{ path, want string }{
			{"/plan", "现行第 2 版"},
			{"/plan?version=1", "已被替代的第 1 版"},
			{"/plan?version=1", "版本历史"},
			{"/plan", "30件"},
			{"/plan?plan=cn-preschool", "现行第 1 版"},
		} {
			if resp, page := public.get(p.path); resp.StatusCode != 200 || !strings.Contains(page, p.want) {
				t.Errorf("GET %s: %d, lacks %q", p.path, resp.StatusCode, p.want)
			}
		}
		if _, page := public.get("/plan?version=1"); strings.Contains(page, "30件") {
			t.Error("version 1 shows version 2's target")
		}
		if resp, _ := public.get("/plan?version=3"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a version that does not exist: %d", resp.StatusCode)
		}
		if resp, _ := public.get("/plan?plan=cn-preschool&version=2"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("version 2 of B (A has one): %d", resp.StatusCode)
		}
		// A new version of a plan that does not exist is refused on the form.
		tok = sup.csrf("/plan/import")
		if resp, page := sup.postForm("/plan/import", url.Values{"text": {amended}, "target": {"nope"}, "csrf_token": {tok}}); resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "没有代码为") {
			t.Errorf("import into an unknown plan: %d", resp.StatusCode)
		}
	})
}

// leadsToSAMR is the reviewer's correction of plan B: the text names no
// lead, so each task is given to the provincial market regulator.
func leadsToSAMR(doc *plan.Document) *plan.Document {
	for pi := range doc.Pillars {
		for ti := range doc.Pillars[pi].Tasks {
			tk := &doc.Pillars[pi].Tasks[ti]
			tk.Clauses = []plan.Clause{{Lead: []string{"省市场监管局"}}}
			tk.SyncOwners()
		}
	}
	return doc
}

// addPlanB imports, corrects and approves plan B through the service.
func addPlanB(t *testing.T, f *fixture) *plan.PlanView {
	t.Helper()
	ctx := context.Background()
	p := auth.CLI("test")
	src, err := os.ReadFile("../plan/testdata/corpus/036.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.plan.ImportWith(ctx, p, "036.txt", src, plan.ImportOptions{Plan: "cn-preschool", NewPlan: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.plan.UpdateDraft(ctx, p, res.Version.ID, leadsToSAMR(res.Version.Document)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.plan.Approve(ctx, p, res.Version.ID); err != nil {
		t.Fatal(err)
	}
	pv, err := f.plan.CurrentByCode(ctx, "cn-preschool")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.prog.EnsurePeriods(ctx, p, pv.ID, 2027); err != nil {
		t.Fatal(err)
	}
	return pv
}

// addPlanBVersion2 approves a second version of plan B (the same text
// imported again as a new version), so its first one is a replaced version.
func addPlanBVersion2(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	p := auth.CLI("test")
	src, err := os.ReadFile("../plan/testdata/corpus/036.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.plan.ImportWith(ctx, p, "036-v2.txt", append(src, "\n"...), plan.ImportOptions{Plan: "cn-preschool"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.plan.UpdateDraft(ctx, p, res.Version.ID, leadsToSAMR(res.Version.Document)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.plan.Approve(ctx, p, res.Version.ID); err != nil {
		t.Fatal(err)
	}
}

func targetsOf(pv *plan.PlanView) []plan.TargetView {
	var out []plan.TargetView
	for _, t := range pv.Tasks() {
		out = append(out, t.Targets...)
	}
	return out
}
