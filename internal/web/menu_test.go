package web_test

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

var (
	navRe      = regexp.MustCompile(`(?s)<nav class="sidemenu"[^>]*>(.*?)</nav>`)
	menuHrefRe = regexp.MustCompile(`href="([^"]+)"`)
)

// menuLinks are the links of the left menu on a page.
func menuLinks(t *testing.T, page string) []string {
	t.Helper()
	m := navRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page without the left menu")
	}
	var out []string
	for _, h := range menuHrefRe.FindAllStringSubmatch(m[1], -1) {
		out = append(out, h[1])
	}
	return out
}

// pageLinks are the in-site page links of a page body (not files, the
// API, static assets or other pages of the same list).
func pageLinks(body string) []string {
	var out []string
	for _, h := range pageHrefRe.FindAllStringSubmatch(body, -1) {
		link := strings.ReplaceAll(h[1], "&amp;", "&")
		if strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/api/") || strings.Contains(link, "format=") || strings.Contains(link, "page=") {
			continue
		}
		out = append(out, link)
	}
	return out
}

// wantMenu is each role's menu, in order: the hand-written layout's menu
// before it came from the route table, plus the declarations for everyone,
// the enterprise directory, declaring for enterprises and the standards
// editors' pages for editors.
var wantMenu = func() map[string][]string {
	public := []string{"/plan", "/departments", "/standards", "/declarations", "/enterprises", "/bases", "/training", "/leaders", "/pilots", "/projects", "/brands", "/trademarks", "/gi-products", "/certifications", "/patents", "/ipm-certs", "/public/progress", "/equipment/regions"}
	with := func(more ...string) []string { return append(slices.Clone(public), more...) }
	work := []string{"/my", "/progress", "/reports", "/bulletins", "/plan/versions", "/plan/import"}
	// The standards editors' pages follow the plan's.
	editors := []string{"/standards/manage", "/declarations/enterprises", "/leaders/manage"}
	adminWork := append([]string{"/my", "/declarations/new"}, work[1:]...)
	equip := []string{"/equipment", "/equipment/due"}
	return map[string][]string{
		anonymous:  public,
		admin:      with(append(append(append(adminWork, editors...), equip...), "/admin/users", "/admin/departments", "/admin/roles", "/admin/audit", "/admin/logins")...),
		supervisor: with(append(append(append(slices.Clone(work), editors...), equip...), "/admin/audit", "/admin/logins")...),
		reporter:   with(work[:3]...),
		approver:   with(work[:3]...),
		inspector:  with(append([]string{"/my"}, equip...)...),
		enterprise: with(append([]string{"/my", "/declarations/new"}, equip...)...),
	}
}()

var pageHrefRe = regexp.MustCompile(`href="(/[^"#]*)"`)

// wantPillar is the menu group each page belongs in, as the plan's feature
// table divides the work (MISSION.md): the plan and its progress, the four
// pillars, system management. Pages added later must at least name one of
// the pillars (TestMenuMatchesAccess fails on 其他).
var wantPillar = func() map[string]string {
	out := map[string]string{}
	for pillar, pages := range map[string][]string{
		web.PillarPlan:        {"/plan", "/plans", "/departments", "/public/progress", "/my", "/progress", "/reports", "/bulletins", "/plan/versions", "/plan/import"},
		web.PillarStandards:   {"/standards", "/declarations", "/bases", "/training", "/leaders", "/pilots", "/projects", "/standards/manage", "/declarations/new", "/declarations/enterprises", "/leaders/manage"},
		web.PillarBrands:      {"/brands", "/trademarks", "/gi-products", "/certifications", "/patents", "/ipm-certs", "/ip-decisions", "/ip-outlets", "/ip-cases", "/ip-assists", "/ip-operations"},
		web.PillarEnvironment: {"/enterprises", "/fees", "/draws", "/inspect", "/fair-reviews", "/fair-oversight", "/business-starts", "/fee-cases", "/ad-campaigns", "/inspect/risk", "/inspect/cross-region", "/inspect/cross-region/inbox"},
		web.PillarQuality:     {"/equipment/regions", "/equipment", "/equipment/due", "/alarms", "/hazards", "/metrology", "/quality-certs", "/metrology/instruments", "/quality-certs/manage", "/quality-awards", "/quality-zones", "/service-quality", "/quality-awards/manage", "/sampling", "/sampling-notices", "/eval-models"},
		web.PillarAdmin:       {"/admin/users", "/admin/departments", "/admin/roles", "/admin/audit", "/admin/logins", "/import"},
	} {
		for _, p := range pages {
			out[p] = pillar
		}
	}
	return out
}()

var (
	menuGroupRe   = regexp.MustCompile(`(?s)<details class="menu-group"( open)?>\s*<summary>([^<]*)</summary>(.*?)</details>`)
	menuCurrentRe = regexp.MustCompile(`aria-current="page"`)
)

// checkMenuGroups checks the groups of the left menu on a page: each link
// sits in its pillar's group, each group appears once, and the open groups
// are the one holding the current page (every group, for a visitor).
func checkMenuGroups(t *testing.T, who, href, page string) {
	t.Helper()
	nav := navRe.FindStringSubmatch(page)
	if nav == nil {
		t.Fatalf("%s: page without the left menu", href)
	}
	seen := map[string]bool{}
	for _, g := range menuGroupRe.FindAllStringSubmatch(nav[1], -1) {
		open, label, body := g[1] != "", g[2], g[3]
		if seen[label] {
			t.Errorf("%s on %s: menu group %s twice", who, href, label)
		}
		seen[label] = true
		if !slices.Contains(web.MenuPillars(), label) {
			t.Errorf("%s on %s: menu group %q is not a pillar (a route or its module names none): %s", who, href, label, body)
		}
		for _, l := range menuHrefRe.FindAllStringSubmatch(body, -1) {
			if want, ok := wantPillar[l[1]]; ok && want != label {
				t.Errorf("%s on %s: %s is under %s, want %s", who, href, l[1], label, want)
			}
		}
		if wantOpen := who == anonymous || menuCurrentRe.MatchString(body); open != wantOpen {
			t.Errorf("%s on %s: group %s open=%v, want %v", who, href, label, open, wantOpen)
		}
	}
	if len(seen) == 0 {
		t.Errorf("%s on %s: no menu groups", who, href)
	}
}

// TestMenuMatchesAccess walks the left menu as every role: every link in
// it opens (200), every menu page the role may open is in it, and no link
// on a menu page leads the role to a page that refuses them.
func TestMenuMatchesAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		var menuPages []string
		for _, rt := range f.web.Routes() {
			if rt.Menu.Label != "" {
				if rt.Method != http.MethodGet {
					t.Errorf("%s %s: only GET pages may be in the menu", rt.Method, rt.Pattern)
				}
				menuPages = append(menuPages, rt.Pattern)
			}
		}
		if len(menuPages) < 15 {
			t.Fatalf("only %d menu pages in the route table", len(menuPages))
		}
		for _, who := range callers {
			t.Run(who, func(t *testing.T) {
				k := &caller{t: t, f: f, who: who}
				k.start()
				_, page := k.c.get("/plan")
				links := menuLinks(t, page)
				if want := inMenuOrder(wantMenu[who], f.web.Routes()); !slices.Equal(links, want) {
					t.Errorf("menu of %s:\n got %v\nwant %v", who, links, want)
				}
				seen := map[string]bool{}
				checkMenuGroups(t, who, "/plan", page)
				for _, href := range links {
					resp, body := k.c.get(href)
					if resp.StatusCode != http.StatusOK {
						t.Errorf("menu link %s answers %d for %s", href, resp.StatusCode, who)
						continue
					}
					checkMenuGroups(t, who, href, body)
					for _, link := range pageLinks(body) {
						if seen[link] {
							continue
						}
						seen[link] = true
						if resp, _ := k.c.get(link); denied(resp) {
							t.Errorf("%s links %s to %s, which refuses them (%d)", href, who, link, resp.StatusCode)
						}
					}
				}
				for _, p := range menuPages {
					resp, _ := k.c.get(p)
					if resp.StatusCode == http.StatusOK && !slices.Contains(links, p) {
						t.Errorf("%s opens %s but its menu lacks it (menu: %s)", who, p, strings.Join(links, " "))
					}
				}
			})
		}
	})
}

// inMenuOrder puts the expected menu pages in the order the route table
// declares (pillar as wantPillar expects it, then public before work
// before administration, then Order): wantMenu says who sees which pages,
// and the registers' test files add their pages to it without knowing
// each other's places. A page missing from the table goes last.
func inMenuOrder(want []string, routes []web.Route) []string {
	pillars := web.MenuPillars()
	groups := []string{web.MenuPublic, web.MenuWork, web.MenuAdmin}
	key := map[string][3]int{}
	for _, rt := range routes {
		if rt.Menu.Label != "" && rt.Method == http.MethodGet {
			pillar := rt.Menu.Pillar
			if p, ok := wantPillar[rt.Pattern]; ok {
				pillar = p
			}
			key[rt.Pattern] = [3]int{slices.Index(pillars, pillar), slices.Index(groups, rt.Menu.Group), rt.Menu.Order}
		}
	}
	out := slices.Clone(want)
	slices.SortStableFunc(out, func(a, b string) int {
		ka, oka := key[a]
		kb, okb := key[b]
		if !oka {
			ka = [3]int{len(pillars)}
		}
		if !okb {
			kb = [3]int{len(pillars)}
		}
		return cmp.Or(ka[0]-kb[0], ka[1]-kb[1], ka[2]-kb[2])
	})
	return out
}
