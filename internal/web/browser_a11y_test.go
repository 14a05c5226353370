package web_test

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// axeScript is axe-core as npm installs it from testdata/axe/package-lock.json
// (scripts/test.sh runs `npm ci` there when node_modules is missing).
const axeScript = "testdata/axe/node_modules/axe-core/axe.min.js"

// axeRun checks the whole document against WCAG 2.0/2.1 levels A and AA and
// returns the violations with the selectors of every offending node.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))`

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// loadAxe reads axe.min.js. Outside CI a missing install skips the test with
// the command that fixes it; in CI it fails.
func loadAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(axeScript)
	if errors.Is(err, fs.ErrNotExist) {
		msg := "axe-core not installed: run `npm ci --no-audit --no-fund` in internal/web/testdata/axe (scripts/test.sh does)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(b)
}

// TestBrowserAccessibility opens every page a person uses, each as the demo
// account that uses it, injects axe-core and fails on any WCAG 2.1 A/AA
// violation (GB/T 37668 follows WCAG 2.0 AA). One engine is enough for markup.
//
//	account              pages
//	(anonymous)          / · /plan · /plan/tasks/1 · /departments · /departments/{id} · /public/progress
//	                     /standards · /standards?q=牦牛 · /standards/{id} · /standards/announcements(/{id})
//	                     /declarations(/{id}) · /leaders · /leaders/schemes/{id} · /pilots(/{id})
//	                     /projects(/{id}) · /bases(/{id}) · /training(/{id}) · /login
//	                     /enterprises(/{code}) · /equipment/regions · /trademarks(?prefecture=qh&class=29) · /trademarks/{regno}
//	                     /gi-products(?…)(/{id}) · /certifications(?kind=green)(/{id}) · /brands(?q=枸杞)(/{id})
//	                     /patents(?prefecture&category)(/{id}) · /ipm-certs
//	                     /quality-awards(?year&sidi) · /quality-zones(?special=1) · /service-quality(?prefecture&year)
//	                     /metrology(?prefecture=632800&valid=1) · /quality-certs(?kind=organic&valid=1)
//	                     /ip-decisions · /ip-outlets(?prefecture=632800) · /sampling-notices(?year=2025) · /fees(?list&charge)
//	                     /ip-decisions · /ip-outlets(?prefecture=632800) · /draws · /draws/{id}(?page=2)
//	demo-supervisor      /my · /progress · /progress?period=2025Q2 · /progress/tasks/1 · /progress/settings
//	                     /progress/bindings · /reports · /reports/{id} · /bulletins · /bulletins/2025Q2
//	                     /plan/versions · /plan/import · /standards/manage · /standards/manage/{id}
//	                     /bulletin-docs/{id} · /progress/final
//	                     /declarations/enterprises · /enterprises/{code} · /leaders/manage · /bases/{id}/edit
//	                     /training/{id}/edit · /alarms · /alarm-rules · /hazards(/{id}) · /special-equipment/regions/632800
//	                     /ip-cases(?status=open&warning=1) · /ip-cases/{id} · /ip-assists · /ip-operations
//	                     /quality-awards/manage · /quality-awards/applications/{id}
//	                     /metrology/instruments(?due=overdue) · /quality-certs/manage
//	                     /import/certificates · /import/measurement-standards · /import/instruments · /import/instrument-types
//	                     /eval-models(/{id}) · /eval-models/{id}/scores · /eval-models/{id}/sensitivity
//	                     /eval-models/{id}/enterprises/{code}
//	                     /sampling(?outcome&key) · /sampling/batches/{id} · /sampling/new · /sampling/plans
//	                     /fair-reviews(/{id}) · /fair-oversight · /business-starts(?…) · /fee-cases
//	                     /ad-campaigns(/{id}) · /progress/tasks/15 (live figures)
//	                     /ip-cases(?status=open&warning=1) · /ip-cases/{id} · /ip-assists · /ip-operations · /inspect · /draws/{id}
//	                     /inspect/risk(?q=测试) · /inspect/risk/changes · /inspect/cross-region(/inbox)
//	demo-reporter-samr   /my · /reports/new?period=…&task=… · /bases/new · /training/new
//	demo-enterprise      /my · /declarations/new
//	demo-inspector       /equipment · /equipment/due · /equipment/{code} · /equipment/{code}/edit · /equipment/new
//	                     /import · /import/equipment · /import/sampling_batches
//	demo-admin           /admin/users · /admin/users?dept=… · /admin/users/{id} · /admin/users/new
//	                     /admin/departments · /admin/departments/{id} · /admin/roles · /admin/audit
//	                     /admin/logins · /account/tokens · /account/password
//
// SIDI_A11Y_ONLY=/sampling,/ip- checks only the paths containing one of
// the listed parts (a register's own pages while it is built).
func TestBrowserAccessibility(t *testing.T) {
	axe := loadAxe(t)
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	f.seedDemo(t, auth.CLI("test"))
	addPlanB(t, f)         // a second plan: the plan switcher and the list of plans
	addPlanBVersion2(t, f) // its first version, replaced, stays readable
	first := func(query string) string { return f.firstID(t, query) }
	var (
		std       = first(`SELECT MIN(id) FROM standards`)
		ann       = first(`SELECT MIN(id) FROM standard_announcements`)
		decl      = first(`SELECT MIN(declaration_id) FROM leader_entries`)
		scheme    = first(`SELECT MIN(id) FROM leader_schemes`)
		pilot     = first(`SELECT MIN(id) FROM pilots`)
		project   = first(`SELECT MIN(id) FROM sci_projects`)
		base      = first(`SELECT MIN(id) FROM bases`)
		session   = first(`SELECT MIN(id) FROM training_sessions`)
		report    = first(`SELECT MIN(id) FROM reports`)
		user      = first(`SELECT id FROM users WHERE login = 'demo-reporter-samr'`)
		userDept  = first(`SELECT dept_id FROM users WHERE login = 'demo-reporter-samr'`)
		ent       = firstCreditCode(t, f)
		giProduct = first(`SELECT MIN(id) FROM gi_products`)
		cert      = first(`SELECT MIN(id) FROM agri_certs`)
		patentID  = first(`SELECT MIN(id) FROM patents`)
		brand     = first(`SELECT MIN(id) FROM brands WHERE kind = 'regional'`)
		hazard    = first(`SELECT MIN(id) FROM hazards`)
		ipCase    = first(`SELECT MIN(id) FROM ip_cases WHERE status = 'penalized'`)
		qaApp     = first(`SELECT MIN(id) FROM quality_award_applications WHERE app_no = 'DEMO-ZLJ-2024-05'`)
		evalV1    = first(`SELECT MIN(id) FROM eval_models`)
		evalV2    = first(`SELECT MAX(id) FROM eval_models`)
		evalEnt   = first(`SELECT MIN(enterprise_id) FROM eval_values`)
		batch     = first(`SELECT MIN(batch_id) FROM sampling_disposals`)
		measure   = first(`SELECT MIN(id) FROM fair_measures WHERE conclusion = 'exception'`)
		campaign  = first(`SELECT MIN(id) FROM ad_campaigns`)
	)
	var evalCode string
	if err := f.db.Reader().QueryRowContext(context.Background(), `SELECT credit_code FROM enterprises WHERE id = $1`, evalEnt).Scan(&evalCode); err != nil {
		t.Fatal(err)
	}
	// An issued bulletin (its record page; the stored document itself is
	// the printable bulletin already checked as a draft).
	pv, err := f.plan.Current(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := f.prog.IssueBulletin(context.Background(), auth.Principal{Login: "cli:test", Roles: []auth.Role{auth.RoleAdmin}}, pv.ID, progress.IssueInput{Period: "2025Q2"}, web.BulletinDocument)
	if err != nil {
		t.Fatal(err)
	}
	// The reporter's desk links the report forms still to be filled in.
	reporter := f.client(t)
	reporter.login("demo-reporter-samr", auth.DemoPassword)
	_, desk := reporter.get("/my")
	newReport := regexp.MustCompile(`href="(/reports/new\?[^"]+)"`).FindStringSubmatch(desk)
	if newReport == nil {
		t.Fatal("the reporter's desk links no report form to fill in")
	}
	// The outcome of an upload with rows skipped (its errors table and
	// rejects link), as the supervisor's browser reopens it.
	bad, err := os.ReadFile("../environment/bizenv/testdata/starts_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	sup := f.client(t)
	sup.login("demo-supervisor", auth.DemoPassword)
	resp, _ := sup.upload("/import/business_starts", sup.csrf("/import/business_starts"), "skip", "开办.csv", bad)
	outcome := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || outcome == "" {
		t.Fatalf("upload for the outcome page: %d", resp.StatusCode)
	}
	pages := []struct {
		as    string // demo account, "" for a member of the public
		paths []string
	}{
		{"", []string{"/", "/plan", "/plan/tasks/1", "/plans", "/plan?plan=cn-preschool", "/plan/tasks/1?plan=cn-preschool", "/plan?plan=cn-preschool&version=1", "/departments", "/departments/" + userDept, "/public/progress",
			"/standards", "/standards?q=%E7%89%A6%E7%89%9B", "/standards/" + std, "/standards/announcements", "/standards/announcements/" + ann,
			"/declarations", "/declarations/" + decl, "/leaders", "/leaders/schemes/" + scheme, "/pilots", "/pilots/" + pilot,
			"/projects", "/projects/" + project, "/bases", "/bases/" + base, "/training", "/training/" + session, "/login",
			"/enterprises", "/enterprises/" + ent, "/equipment/regions", "/trademarks", "/trademarks?prefecture=qh&class=29", "/trademarks/90000001",
			"/gi-products", "/gi-products?prefecture=632800&valid=1", "/gi-products/" + giProduct, "/certifications", "/certifications?kind=green", "/certifications/" + cert,
			"/brands", "/brands?q=%E6%9E%B8%E6%9D%9E", "/brands/" + brand,
			"/patents", "/patents?prefecture=632800&category=strategic", "/patents/" + patentID, "/ipm-certs", "/ip-decisions", "/ip-outlets", "/ip-outlets?prefecture=632800",
			"/quality-awards", "/quality-awards?year=2024&sidi=1", "/quality-zones", "/quality-zones?special=1", "/service-quality", "/service-quality?prefecture=630100&year=2024",
			"/metrology", "/metrology?prefecture=632800&valid=1", "/quality-certs", "/quality-certs?kind=organic&valid=1",
			"/sampling-notices", "/sampling-notices?year=2025",
			"/fees", "/fees?list=fund&charge=%E4%BC%9A%E5%91%98%E8%AF%84%E6%AF%94%E8%BE%BE%E6%A0%87%E8%B4%B9",
			"/draws", "/draws/1", "/draws/1?page=2"}},
		{"demo-supervisor", []string{"/my", "/progress", "/progress?plan=cn-preschool", "/progress?period=2025Q2", "/progress/tasks/1", "/progress/settings",
			"/progress/bindings", "/reports", "/reports/" + report, "/bulletins", "/bulletins/2025Q2", fmt.Sprint("/bulletin-docs/", issued.ID), "/progress/final",
			"/plan/versions", "/plan/import", "/standards/manage", "/standards/manage/" + std,
			"/declarations/enterprises", "/enterprises/" + ent, "/leaders/manage", "/bases/" + base + "/edit", "/training/" + session + "/edit",
			"/alarms", "/alarm-rules", "/hazards", "/hazards/" + hazard, "/special-equipment/regions/632800",
			"/ip-cases", "/ip-cases?status=open&warning=1", "/ip-cases/" + ipCase, "/ip-assists", "/ip-operations",
			"/quality-awards/manage", "/quality-awards/applications/" + qaApp,
			"/metrology/instruments", "/metrology/instruments?due=overdue", "/quality-certs/manage",
			"/import/certificates", "/import/measurement-standards", "/import/instruments", "/import/instrument-types",
			"/eval-models", "/eval-models/" + evalV1, "/eval-models/" + evalV2, "/eval-models/" + evalV1 + "/scores",
			"/eval-models/" + evalV1 + "/sensitivity", "/eval-models/" + evalV1 + "/enterprises/" + evalCode,
			"/sampling", "/sampling?outcome=failed_all&key=pv", "/sampling/batches/" + batch, "/sampling/new", "/sampling/plans",
			"/fair-reviews", "/fair-reviews/" + measure, "/fair-oversight", "/business-starts", "/business-starts?prefecture=632800&from=2025-01",
			"/fee-cases", "/ad-campaigns", "/ad-campaigns/" + campaign, "/progress/tasks/15",
			"/inspect", "/draws/1", "/inspect/risk", "/inspect/risk?q=%E6%B5%8B%E8%AF%95", "/inspect/risk/changes", "/inspect/cross-region", "/inspect/cross-region/inbox",
			"/import", "/import/trademarks", "/import/business_starts", "/import/declarations", outcome}},
		{"demo-reporter-samr", []string{"/my", html.UnescapeString(newReport[1]), "/bases/new", "/training/new"}},
		{"demo-enterprise", []string{"/my", "/declarations/new"}},
		{"demo-inspector", []string{"/equipment", "/equipment/due", "/equipment/" + equipment.DemoGolmudBoiler, "/equipment/" + equipment.DemoGolmudBoiler + "/edit", "/equipment/new", "/import", "/import/equipment", "/import/sampling_batches"}},
		{"demo-admin", []string{"/admin/users", "/admin/users?dept=" + userDept, "/admin/users/" + user, "/admin/users/new",
			"/admin/departments", "/admin/departments/" + userDept, "/admin/roles", "/admin/audit", "/admin/logins",
			"/account/tokens", "/account/password"}},
	}

	// SIDI_A11Y_ONLY=/fees,/fair- checks only the paths containing one of
	// the comma-separated parts (a register's own pages while it is built).
	if only := os.Getenv("SIDI_A11Y_ONLY"); only != "" {
		for i := range pages {
			pages[i].paths = slices.DeleteFunc(pages[i].paths, func(p string) bool {
				for _, part := range strings.Split(only, ",") {
					if part != "" && strings.Contains(p, part) {
						return false
					}
				}
				return true
			})
		}
	}
	// Wide tables scroll sideways only on narrow screens, so every page is
	// checked on a desktop and at the 320 px width of WCAG 1.4.10 (reflow).
	viewports := []struct {
		name          string
		width, height int64
	}{{"1280px", 1280, 900}, {"320px", 320, 720}}
	// About 60 s on two idle cores; past 4 minutes with three other test
	// runs on the same two cores, so room for a busy machine.
	ctx := newBrowserFor(t, 8*time.Minute)
	start, checked := time.Now(), 0
	for _, group := range pages {
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
			return err
		})); err != nil {
			t.Fatalf("clear cookies: %v", err)
		}
		if group.as != "" {
			if err := chromedp.Do(ctx,
				signIn(f.srv.URL+"/login?next=/my", group.as, `form[action="/logout"]`),
			); err != nil {
				t.Fatalf("log in as %s: %v", group.as, err)
			}
		}
		who := group.as
		if who == "" {
			who = "public"
		}
		for _, path := range group.paths {
			status, err := chromedp.RunResponse(ctx, chromedp.Navigate(f.srv.URL+path))
			if err != nil {
				t.Errorf("%s %s: %v", who, path, err)
				continue
			}
			if status == nil || status.Status != http.StatusOK {
				t.Errorf("%s %s: status %v, want 200", who, path, status)
				continue
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
				t.Fatalf("%s %s: inject axe-core: %v", who, path, err)
			}
			if checked == 0 {
				// The page's CSP (script-src 'self') blocks a script the page
				// itself adds inline, while axe, evaluated through the DevTools
				// protocol, runs regardless.
				blocked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
					const s = document.createElement('script');
					s.textContent = 'window.sidiInline = true';
					document.head.appendChild(s);
					return window.sidiInline === undefined && typeof axe === 'object';
				})()`))
				if err != nil || !blocked {
					t.Fatalf("%s: want inline script blocked by the CSP and axe loaded (%v)", path, err)
				}
			}
			checked++
			for _, vp := range viewports {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height)); err != nil {
					t.Fatalf("viewport %s: %v", vp.name, err)
				}
				vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s %s (%s): axe.run: %v", who, path, vp.name, err)
				}
				if path == "/progress" || path == "/admin/users" {
					screenshot(t, ctx, "a11y"+strings.ReplaceAll(path, "/", "-")+"-"+vp.name)
				}
				for _, v := range vs {
					t.Errorf("%s %s (%s): %s (%s) %s — %d node(s): %s", who, path, vp.name, v.ID, v.Impact, v.Help, len(v.Nodes), strings.Join(v.Nodes, " | "))
				}
				// A phone never scrolls the page sideways: wide tables scroll
				// inside their own (focusable) region.
				over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
				if err != nil {
					t.Fatalf("%s %s (%s): page width: %v", who, path, vp.name, err)
				}
				if over > 1 {
					// Name the widest elements that stick out, to show where to look.
					culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
						const w = document.documentElement.clientWidth, out = [];
						for (const el of document.querySelectorAll('body *')) {
							const r = el.getBoundingClientRect();
							if (r.right > w + 1 && !el.closest('.table-wrap')) {
								out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right - w) + 'px');
							}
						}
						return out.slice(0, 5);
					})()`))
					t.Errorf("%s %s (%s): the page scrolls sideways by %d px: %s", who, path, vp.name, over, strings.Join(culprits, ", "))
				}
			}
		}
	}
	t.Logf("axe-core checked %d pages in %v", checked, time.Since(start).Round(time.Millisecond))
	if checked == 0 {
		t.Fatal("no page checked")
	}

	// The department tree's toggles sit beside the links (not around them)
	// and still open a branch; the admin is still signed in.
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(f.srv.URL+"/admin/users"),
		chromedp.Click(chromedp.CSS(`.dept-tree li.branch > details:not([open]) > summary`), chromedp.NodeVisible),
	); err != nil {
		t.Fatalf("click a closed branch's toggle in the department tree: %v", err)
	}
	opened, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(() => {
		const d = document.querySelector('.dept-tree li.branch details li.branch > details[open]');
		const a = d && d.querySelector('a');
		return a && a.getBoundingClientRect().height > 0 ? d.parentElement.querySelector(':scope > a').textContent : '';
	})()`))
	if err != nil || opened == "" {
		t.Errorf("clicking a department's toggle did not open its branch (%v)", err)
	}
}
