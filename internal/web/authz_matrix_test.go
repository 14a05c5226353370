package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who is calling, as the matrix names them.
const (
	anonymous  = "anonymous"
	admin      = "admin"
	supervisor = "supervisor"
	reporter   = "reporter"
	approver   = "approver"
	inspector  = "inspector"
	enterprise = "enterprise"
)

var callers = []string{anonymous, admin, supervisor, reporter, approver, inspector, enterprise}

// callerLogin is the demo account each caller signs in as (the reporter and
// approver are those of 青海省发展和改革委员会, with data scope own).
var callerLogin = map[string]string{
	admin: "demo-admin", supervisor: "demo-supervisor", reporter: "demo-reporter-drc",
	approver: "demo-approver-drc", inspector: "demo-inspector", enterprise: "demo-enterprise",
}

// Who may call what.
var (
	everyone      = []string{anonymous, admin, supervisor, reporter, approver, inspector, enterprise}
	loggedIn      = []string{admin, supervisor, reporter, approver, inspector, enterprise}
	editorsOnly   = []string{admin, supervisor}
	adminsOnly    = []string{admin}
	progressStaff = []string{admin, supervisor, reporter, approver}
	reportWriters = []string{reporter, approver}
	approversOnly = []string{approver}
	declarants    = []string{admin, enterprise}
	// The special-equipment register: the market-supervision staff (the
	// matrix's inspector is 省市场监管局's) and, for its own equipment, the
	// enterprise; the reporter and approver of 省发展改革委 are refused.
	equipmentReaders = []string{admin, supervisor, inspector, enterprise}
	equipmentKeepers = []string{admin, supervisor, inspector}
)

// expectedAccess is the authorization policy, route by route. Every route of
// the table must appear here: a route added without an entry fails the test.
var expectedAccess = map[string][]string{
	// Public pages and sign-in.
	"GET /{$}":                 everyone,
	"GET /healthz":             everyone,
	"GET /login":               everyone,
	"POST /login":              everyone,
	"POST /logout":             loggedIn,
	"GET /account/password":    loggedIn,
	"POST /account/password":   loggedIn,
	"GET /plan":                everyone,
	"GET /plan/tasks/{number}": everyone,
	"GET /departments":         everyone,
	"GET /departments/{id}":    everyone,

	// Plan review.
	"GET /plan/versions":               editorsOnly,
	"GET /plan/import":                 editorsOnly,
	"POST /plan/import":                editorsOnly,
	"GET /plan/versions/{id}":          editorsOnly,
	"POST /plan/versions/{id}":         editorsOnly,
	"POST /plan/versions/{id}/approve": editorsOnly,
	"POST /plan/versions/{id}/discard": editorsOnly,

	// Plan API.
	"GET /api/v1/openapi.json":                everyone,
	"GET /api/v1/plan":                        everyone,
	"GET /api/v1/plan/tasks/{number}":         everyone,
	"GET /api/v1/departments":                 everyone,
	"GET /api/v1/departments/{id}":            everyone,
	"GET /api/v1/plan/versions":               editorsOnly,
	"POST /api/v1/plan/versions":              editorsOnly,
	"GET /api/v1/plan/versions/{id}":          editorsOnly,
	"PUT /api/v1/plan/versions/{id}/document": editorsOnly,
	"POST /api/v1/plan/versions/{id}/approve": editorsOnly,
	"POST /api/v1/plan/versions/{id}/discard": editorsOnly,

	// System management (系统管理).
	"GET /admin/users":                     adminsOnly,
	"GET /admin/users/new":                 adminsOnly,
	"POST /admin/users":                    adminsOnly,
	"GET /admin/users/{id}":                adminsOnly,
	"POST /admin/users/{id}":               adminsOnly,
	"POST /admin/users/{id}/password":      adminsOnly,
	"POST /admin/users/{id}/unlock":        adminsOnly,
	"GET /admin/departments":               adminsOnly,
	"POST /admin/departments":              adminsOnly,
	"GET /admin/departments/{id}":          adminsOnly,
	"POST /admin/departments/{id}":         adminsOnly,
	"POST /admin/departments/{id}/aliases": adminsOnly,
	"POST /admin/departments/{id}/rename":  adminsOnly,
	"GET /admin/roles":                     adminsOnly,
	"GET /admin/audit":                     editorsOnly,
	"GET /admin/logins":                    editorsOnly,
	"GET /api/v1/admin/users":              adminsOnly,
	"POST /api/v1/admin/users":             adminsOnly,
	"GET /api/v1/admin/audit":              editorsOnly,
	"GET /api/v1/admin/logins":             editorsOnly,

	// Personal tokens and sessions.
	"GET /account/tokens":                loggedIn,
	"POST /account/tokens":               loggedIn,
	"POST /account/tokens/{id}/revoke":   loggedIn,
	"POST /account/logout-all":           loggedIn,
	"GET /api/v1/account/tokens":         loggedIn,
	"POST /api/v1/account/tokens":        loggedIn,
	"DELETE /api/v1/account/tokens/{id}": loggedIn,

	// Progress reporting, indicators and bulletins.
	"GET /my":                                loggedIn,
	"GET /progress":                          progressStaff,
	"GET /progress/tasks/{number}":           progressStaff,
	"GET /progress/final":                    progressStaff,
	"POST /progress/tasks/{number}/override": editorsOnly,
	"POST /progress/tasks/{number}/figures":  editorsOnly,
	"GET /progress/bindings":                 editorsOnly,
	"POST /progress/bindings":                editorsOnly,
	"GET /progress/settings":                 editorsOnly,
	"POST /progress/settings":                editorsOnly,
	"GET /reports":                           progressStaff,
	"GET /reports/new":                       reportWriters,
	"POST /reports":                          reportWriters,
	"GET /reports/template":                  reportWriters,
	"POST /reports/upload":                   reportWriters,
	"GET /reports/{id}":                      progressStaff,
	"POST /reports/{id}":                     reportWriters,
	"POST /reports/{id}/evidence":            reportWriters,
	"GET /reports/{id}/evidence/{sha}":       progressStaff,
	"POST /reports/{id}/submit":              approversOnly,
	"POST /reports/{id}/approve":             editorsOnly,
	"POST /reports/{id}/return":              editorsOnly,
	"POST /reports/{id}/send-back":           approversOnly,
	"GET /bulletins":                         editorsOnly,
	"GET /bulletins/{period}":                editorsOnly,
	"GET /bulletins/{period}/xlsx":           editorsOnly,
	"POST /bulletins/{period}":               editorsOnly,
	"POST /bulletins/{period}/issue":         editorsOnly,
	"GET /bulletin-docs/{id}":                editorsOnly,
	"GET /bulletin-docs/{id}/html":           editorsOnly,
	"GET /bulletin-docs/{id}/xlsx":           editorsOnly,
	"GET /public/progress":                   everyone,
	"GET /api/v1/indicators":                 everyone,
	"GET /api/v1/progress":                   everyone,
	"GET /api/v1/todo":                       loggedIn,
	"GET /api/v1/reports":                    progressStaff,
	"POST /api/v1/reports":                   reportWriters,
	"GET /api/v1/reports/{id}":               progressStaff,
	"POST /api/v1/reports/{id}/submit":       approversOnly,
	"POST /api/v1/reports/{id}/approve":      editorsOnly,
	"POST /api/v1/reports/{id}/return":       editorsOnly,
	"POST /api/v1/reports/{id}/send-back":    approversOnly,
	"GET /api/v1/bulletins/{period}":         editorsOnly,
	"GET /api/v1/bulletin-docs":              editorsOnly,

	// Standards platform.
	"GET /standards":                      everyone,
	"GET /standards/{id}":                 everyone,
	"GET /standards/manage":               editorsOnly,
	"POST /standards/new":                 editorsOnly,
	"POST /standards/{id}/advance":        editorsOnly,
	"POST /standards/import":              editorsOnly,
	"GET /api/v1/standards":               everyone,
	"GET /api/v1/standards/{id}":          everyone,
	"GET /api/v1/standards/code":          everyone,
	"GET /api/v1/standards/deliverables":  everyone,
	"POST /api/v1/standards":              editorsOnly,
	"PUT /api/v1/standards/{id}":          editorsOnly,
	"POST /api/v1/standards/{id}/advance": editorsOnly,
	"POST /api/v1/standards/import":       editorsOnly,
	"GET /api/v1/standards/cycle-times":   editorsOnly,

	// Enterprise self-declarations (the service also checks that an
	// enterprise user acts for an enterprise linked to the account).
	"GET /declarations":                                everyone,
	"GET /declarations/new":                            declarants,
	"POST /declarations/new":                           declarants,
	"GET /declarations/enterprises":                    editorsOnly,
	"POST /declarations/enterprises":                   editorsOnly,
	"POST /declarations/enterprises/{id}/users":        editorsOnly,
	"GET /declarations/import/template":                editorsOnly,
	"GET /declarations/{id}":                           everyone,
	"POST /declarations/{id}/update":                   declarants,
	"POST /declarations/{id}/review":                   declarants,
	"POST /declarations/{id}/withdraw":                 declarants,
	"GET /api/v1/declarations":                         everyone,
	"POST /api/v1/declarations":                        declarants,
	"GET /api/v1/declarations/reminders":               []string{admin, supervisor, enterprise},
	"GET /api/v1/declarations/enterprises":             []string{admin, supervisor, enterprise},
	"POST /api/v1/declarations/enterprises":            editorsOnly,
	"POST /api/v1/declarations/enterprises/{id}/users": editorsOnly,
	"POST /api/v1/declarations/import":                 editorsOnly,
	"GET /api/v1/declarations/{id}":                    everyone,
	"PUT /api/v1/declarations/{id}":                    declarants,
	"POST /api/v1/declarations/{id}/review":            declarants,
	"POST /api/v1/declarations/{id}/withdraw":          declarants,

	// 企业标准“领跑者”, release announcements and the standard edit form
	// (leaders_routes.go).
	"GET /leaders":                               everyone,
	"GET /leaders/schemes/{id}":                  everyone,
	"GET /leaders/manage":                        editorsOnly,
	"POST /leaders/schemes":                      editorsOnly,
	"POST /leaders/schemes/{id}/rank":            editorsOnly,
	"POST /leaders/schemes/{id}/notice":          editorsOnly,
	"POST /leaders/schemes/{id}/removals":        editorsOnly,
	"POST /leaders/schemes/{id}/publish":         editorsOnly,
	"GET /api/v1/leaders":                        everyone,
	"GET /api/v1/leaders/schemes":                everyone,
	"POST /api/v1/leaders/schemes":               editorsOnly,
	"GET /api/v1/leaders/schemes/{id}":           everyone,
	"POST /api/v1/leaders/schemes/{id}/rank":     editorsOnly,
	"POST /api/v1/leaders/schemes/{id}/notice":   editorsOnly,
	"POST /api/v1/leaders/schemes/{id}/removals": editorsOnly,
	"POST /api/v1/leaders/schemes/{id}/publish":  editorsOnly,
	"GET /standards/announcements":               everyone,
	"POST /standards/announcements":              editorsOnly,
	"GET /standards/announcements/{id}":          everyone,
	"GET /api/v1/standards/announcements":        everyone,
	"POST /api/v1/standards/announcements":       editorsOnly,
	"GET /api/v1/standards/announcements/{id}":   everyone,
	"GET /standards/manage/{id}":                 editorsOnly,
	"POST /standards/{id}":                       editorsOnly,

	// Standardized production bases and training records (bases_routes.go):
	// the route admits staff who may keep them; the services narrow that to
	// the responsible departments of tasks 5 and 6 within the caller's scope
	// (bases_test.go checks the 省发展改革委 reporter is refused for bases).
	// The matrix's reporter and approver are that department's, so the
	// pages that need a responsible department refuse them here (403); the
	// API answers an empty body as invalid before it knows the record.
	"GET /bases":                           everyone,
	"GET /bases/new":                       editorsOnly,
	"POST /bases":                          editorsOnly,
	"GET /bases/{id}":                      everyone,
	"GET /bases/{id}/edit":                 progressStaff,
	"POST /bases/{id}":                     editorsOnly,
	"POST /bases/{id}/advance":             editorsOnly,
	"GET /api/v1/bases":                    everyone,
	"POST /api/v1/bases":                   progressStaff,
	"GET /api/v1/bases/{id}":               everyone,
	"PUT /api/v1/bases/{id}":               progressStaff,
	"POST /api/v1/bases/{id}/advance":      progressStaff,
	"GET /training":                        everyone,
	"GET /training/new":                    progressStaff,
	"POST /training":                       progressStaff,
	"GET /training/{id}":                   everyone,
	"GET /training/{id}/edit":              progressStaff,
	"POST /training/{id}":                  progressStaff,
	"POST /training/{id}/attendees":        progressStaff,
	"GET /api/v1/training":                 everyone,
	"POST /api/v1/training":                progressStaff,
	"GET /api/v1/training/{id}":            everyone,
	"PUT /api/v1/training/{id}":            progressStaff,
	"GET /api/v1/training/{id}/attendees":  progressStaff,
	"POST /api/v1/training/{id}/attendees": progressStaff,

	// Special equipment (equipment_pages.go): the public sees the counts
	// per prefecture only.
	"GET /equipment":                            equipmentReaders,
	"GET /equipment/due":                        equipmentReaders,
	"GET /equipment/regions":                    everyone,
	"GET /equipment/new":                        equipmentKeepers,
	"GET /equipment/import":                     equipmentKeepers,
	"POST /equipment":                           equipmentKeepers,
	"GET /equipment/{code}":                     equipmentReaders,
	"GET /equipment/{code}/edit":                equipmentKeepers,
	"POST /equipment/{code}":                    equipmentKeepers,
	"POST /equipment/{code}/inspections":        equipmentKeepers,
	"POST /equipment/{code}/secret":             equipmentKeepers,
	"GET /api/v1/equipment":                     equipmentReaders,
	"GET /api/v1/equipment/regions":             everyone,
	"POST /api/v1/equipment":                    equipmentKeepers,
	"GET /api/v1/equipment/{code}":              equipmentReaders,
	"POST /api/v1/equipment/{code}/inspections": equipmentKeepers,
	"POST /api/v1/equipment/{code}/secret":      equipmentKeepers,
	"GET /equipment/{code}/telemetry/charts":    equipmentReaders,
	"GET /api/v1/equipment/{code}/telemetry":    equipmentReaders,

	// Trademarks: a public register; imports go through `sidi import`.
	"GET /trademarks":                everyone,
	"GET /trademarks/{regno}":        everyone,
	"GET /api/v1/trademarks":         everyone,
	"GET /api/v1/trademarks/{regno}": everyone,

	// GI protected products and agri-product certificates: public.
	"GET /gi-products":                 everyone,
	"GET /gi-products/{id}":            everyone,
	"GET /api/v1/gi-products":          everyone,
	"GET /api/v1/gi-products/{id}":     everyone,
	"GET /certifications":              everyone,
	"GET /certifications/{id}":         everyone,
	"GET /api/v1/certifications":       everyone,
	"GET /api/v1/certifications/{id}":  everyone,
	"GET /patents":                     everyone,
	"GET /patents/{id}":                everyone,
	"GET /ipm-certs":                   everyone,
	"GET /api/v1/patents":              everyone,
	"GET /api/v1/patents/per-10k":      everyone,
	"GET /api/v1/patents/{id}":         everyone,
	"GET /api/v1/ipm-certs":            everyone,
	"GET /brands":                      everyone,
	"GET /brands/{id}":                 everyone,
	"GET /brands/{id}/documents/{sha}": everyone,
	"GET /api/v1/brands":               everyone,
	"GET /api/v1/brands/{id}":          everyone,

	// Standardization pilots and S&T projects: pages and reads are public;
	// writes go to editors and department staff (the service checks each
	// department's scope and answers 404 outside it).
	"GET /pilots":                              everyone,
	"POST /pilots":                             progressStaff,
	"GET /pilots/{id}":                         everyone,
	"POST /pilots/{id}":                        progressStaff,
	"POST /pilots/{id}/advance":                progressStaff,
	"POST /pilots/{id}/milestones":             progressStaff,
	"POST /pilots/{id}/milestones/done":        progressStaff,
	"POST /pilots/{id}/standards":              progressStaff,
	"GET /api/v1/pilots":                       everyone,
	"POST /api/v1/pilots":                      progressStaff,
	"GET /api/v1/pilots/{id}":                  everyone,
	"PUT /api/v1/pilots/{id}":                  progressStaff,
	"POST /api/v1/pilots/{id}/advance":         progressStaff,
	"POST /api/v1/pilots/{id}/milestones":      progressStaff,
	"POST /api/v1/pilots/{id}/milestones/done": progressStaff,
	"POST /api/v1/pilots/{id}/standards":       progressStaff,
	"GET /projects":                            everyone,
	"POST /projects":                           progressStaff,
	"POST /projects/rewards":                   progressStaff,
	"GET /projects/{id}":                       everyone,
	"POST /projects/{id}":                      progressStaff,
	"POST /projects/{id}/standards":            progressStaff,
	"GET /api/v1/projects":                     everyone,
	"POST /api/v1/projects":                    progressStaff,
	"GET /api/v1/projects/rewards":             everyone,
	"POST /api/v1/projects/rewards":            progressStaff,
	"GET /api/v1/projects/{id}":                everyone,
	"PUT /api/v1/projects/{id}":                progressStaff,
	"POST /api/v1/projects/{id}/standards":     progressStaff,

	// Corrections of rewards and milestones: the same writers as above.
	"POST /pilots/{id}/milestones/{mid}":               progressStaff,
	"POST /pilots/{id}/milestones/{mid}/delete":        progressStaff,
	"PUT /api/v1/pilots/{id}/milestones/{mid}":         progressStaff,
	"POST /api/v1/pilots/{id}/milestones/{mid}/delete": progressStaff,
	"POST /projects/rewards/{id}/edit":                 progressStaff,
	"POST /projects/rewards/{id}/withdraw":             progressStaff,
	"GET /api/v1/projects/rewards/{id}":                everyone,
	"PUT /api/v1/projects/rewards/{id}":                progressStaff,
	"POST /api/v1/projects/rewards/{id}/withdraw":      progressStaff,

	// The enterprise directory: the list and each enterprise's page are
	// public; the page itself leaves out the sections outside the caller's
	// scope (enterprise_test.go).
	"GET /enterprises":        everyone,
	"GET /enterprises/{code}": everyone,
}

// denied reports whether a response refuses the caller: 401, 403, or the
// redirect to the login page that a page sends an anonymous or expired
// visitor (a logout's redirect to /login is not a refusal).
func denied(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return true
	case http.StatusSeeOther, http.StatusFound:
		return strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")
	}
	return false
}

var pathParam = regexp.MustCompile(`([a-z-]+)/\{([a-z]+)\}`)

// concrete fills a route pattern's parameters with ids of existing things
// of the right kind, chosen by the segment before each parameter
// ("users/id", "tasks/number").
func concrete(pattern string, ids map[string]string) (string, error) {
	var missing []string
	path := pathParam.ReplaceAllStringFunc(strings.TrimSuffix(pattern, "{$}"), func(m string) string {
		sub := pathParam.FindStringSubmatch(m)
		key := sub[1] + "/" + sub[2]
		if v, ok := ids[key]; ok {
			return sub[1] + "/" + v
		}
		missing = append(missing, key)
		return m
	})
	if len(missing) > 0 || strings.Contains(path, "{") {
		return "", fmt.Errorf("no sample value for %v in %s: add one to the matrix test", missing, pattern)
	}
	return path, nil
}

// caller is one signed-in (or anonymous) browser walking the route table.
type caller struct {
	t    *testing.T
	f    *fixture
	who  string
	c    *client
	csrf string
}

func (k *caller) start() {
	k.c = k.f.client(k.t)
	if k.who == anonymous {
		k.csrf = k.c.csrf("/login")
		return
	}
	k.c.login(callerLogin[k.who], demoPassword(k.t, k.f, callerLogin[k.who]))
	k.csrf = k.c.csrf("/account/password")
}

// restore brings the caller back to where it started after a request that
// may have signed it in, out, or onto a new session.
func (k *caller) restore() {
	if k.who == anonymous {
		k.start()
		return
	}
	resp, page := k.c.get("/account/password")
	if m := csrfRe.FindStringSubmatch(page); resp.StatusCode == 200 && m != nil {
		k.csrf = m[1]
		return
	}
	k.start()
}

// call sends one request: GETs as they are, unsafe methods with the
// session's CSRF token and an empty body (a sign-in gets real credentials,
// since an empty one is refused whoever asks).
func (k *caller) call(method, path string) *http.Response {
	if method == http.MethodGet {
		resp, _ := k.c.get(path)
		return resp
	}
	body := ""
	if method == http.MethodPost && path == "/login" {
		login := callerLogin[k.who]
		if login == "" {
			login = callerLogin[inspector]
		}
		body = url.Values{"login": {login}, "password": {demoPassword(k.t, k.f, login)}}.Encode()
	}
	resp, _ := k.c.send(method, path, k.csrf, "application/x-www-form-urlencoded", body)
	k.restore()
	return resp
}

func TestAuthorizationMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		routes := f.web.Routes()
		// The enterprise caller acts for a demo enterprise, as in `sidi demo`.
		if _, err := standards.SeedLeadersDemo(ctx, f.set.Standards, auth.CLI("test")); err != nil {
			t.Fatal(err)
		}
		if ok, err := standards.LinkDemoUser(ctx, f.set.Standards, auth.CLI("test"), "demo-enterprise"); err != nil || !ok {
			t.Fatalf("link demo-enterprise: %v %v", ok, err)
		}

		inTable := map[string]bool{}
		for _, rt := range routes {
			key := rt.Method + " " + rt.Pattern
			inTable[key] = true
			if _, ok := expectedAccess[key]; !ok {
				t.Errorf("%s (%s): new route without an authorization entry; add it to expectedAccess", key, rt.Name)
			}
		}
		for key := range expectedAccess {
			if !inTable[key] {
				t.Errorf("%s: authorization entry for a route that does not exist", key)
			}
		}

		versions, err := f.plan.Versions(ctx)
		if err != nil || len(versions) == 0 {
			t.Fatalf("plan versions: %v", err)
		}
		_, tok, err := f.auth.CreateToken(ctx, auth.Principal{UserID: userID(t, f, "demo-admin"), Login: "demo-admin", Roles: []auth.Role{auth.RoleAdmin}}, "矩阵测试", []auth.Role{auth.RoleAdmin}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{
			"tasks/number":      "1",
			"versions/id":       fmt.Sprint(versions[0].ID),
			"departments/id":    fmt.Sprint(deptID(t, f, "qh-samr")),
			"users/id":          fmt.Sprint(userID(t, f, "demo-reporter-samr")),
			"tokens/id":         fmt.Sprint(tok.ID),
			"reports/id":        "1",
			"evidence/sha":      strings.Repeat("0", 64),
			"bulletins/period":  "2025-06",
			"bulletin-docs/id":  "1",
			"standards/id":      "1",
			"declarations/id":   "1",
			"enterprises/id":    "1",
			"schemes/id":        "1",
			"announcements/id":  "1",
			"manage/id":         "1",
			"bases/id":          "1",
			"training/id":       "1",
			"pilots/id":         "1",
			"projects/id":       "1",
			"rewards/id":        "1",
			"milestones/mid":    "1",
			"enterprises/code":  firstCreditCode(t, f),
			"trademarks/regno":  "90000001",
			"gi-products/id":    "1",
			"certifications/id": "1",
			"patents/id":        "1",
			"brands/id":         "1",
			"documents/sha":     strings.Repeat("0", 64),
			"alarms/id":         "1",
			"hazards/id":        "1",
			"ip-cases/id":       "1",
			"ip-assists/id":     "1",
			"applications/id":   "1",
			"eval-models/id":    "1",
			"batches/id":        "1",
			"plans/id":          "1",
			"fair-reviews/id":   "1",
			"fair-oversight/id": "1",
			"fee-cases/id":      "1",
			"ad-campaigns/id":   "1",
			"draws/id":          "1",
			"cross-region/id":   "1",
			"regions/code":      "632800",
			"boilers/code":      equipment.DemoGolmudBoiler,
			"alarm-rules/id":    "1",
			"equipment/code":    equipment.DemoGolmudBoiler,
			"import/kind":       "trademarks",
			"export/kind":       "trademarks",
			"rejects/id":        "0",
		}

		for _, who := range callers {
			k := &caller{t: t, f: f, who: who}
			k.start()
			for _, rt := range routes {
				key := rt.Method + " " + rt.Pattern
				want, ok := expectedAccess[key]
				if !ok {
					continue
				}
				path, err := concrete(rt.Pattern, ids)
				if err != nil {
					t.Error(err)
					continue
				}
				resp := k.call(rt.Method, path)
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s as %s: %d; a route must answer any caller without a server error", rt.Method, path, who, resp.StatusCode)
				}
				allowed := !denied(resp)
				if allowed != contains(want, who) {
					verdict := "allowed"
					if !allowed {
						verdict = "denied"
					}
					t.Errorf("%s %s as %s: %s (%d %s), expected the opposite", rt.Method, path, who, verdict, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			for kind, want := range importKindAccess {
				for _, method := range []string{http.MethodGet, http.MethodPost} {
					resp := k.call(method, "/import/"+kind)
					if allowed := !denied(resp); allowed != contains(want, who) || resp.StatusCode >= 500 {
						t.Errorf("%s /import/%s as %s: %d %s; allowed %v, want %v", method, kind, who, resp.StatusCode, resp.Header.Get("Location"), allowed, contains(want, who))
					}
				}
			}
			for old, kindPage := range movedImports {
				resp := k.call(http.MethodGet, old)
				if want := importKindAccess[strings.TrimPrefix(kindPage, "/import/")]; contains(want, who) &&
					(resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != kindPage) {
					t.Errorf("GET %s as %s: %d %s, want a redirect to %s", old, who, resp.StatusCode, resp.Header.Get("Location"), kindPage)
				}
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDataScope checks that ids of other departments lead nowhere: the
// reporter of 省发展改革委 (data scope own) cannot read or change an account
// of 省市场监管局 by guessing its id, nor anyone's tokens.
func TestDataScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		samrUser := userID(t, f, "demo-reporter-samr")
		before, err := f.auth.GetUser(ctx, auth.CLI("test"), samrUser)
		if err != nil {
			t.Fatal(err)
		}
		_, adminTok, err := f.auth.CreateToken(ctx, auth.Principal{UserID: userID(t, f, "demo-admin"), Login: "demo-admin", Roles: []auth.Role{auth.RoleAdmin}}, "管理员脚本", []auth.Role{auth.RoleAdmin}, 0)
		if err != nil {
			t.Fatal(err)
		}
		c := f.as(t, "demo-reporter-drc")
		tok := c.csrf("/account/tokens")
		edit := url.Values{"csrf_token": {tok}, "name": {"被改名"}, "dept": {fmt.Sprint(deptID(t, f, "qh-drc"))}, "roles": {"admin"}, "scope": {"all"}, "status": {"active"}}
		cases := []struct {
			method, path string
			form         url.Values
			want         []int
		}{
			{"GET", fmt.Sprintf("/admin/users/%d", samrUser), nil, []int{403, 404}},
			{"POST", fmt.Sprintf("/admin/users/%d", samrUser), edit, []int{403, 404}},
			{"POST", fmt.Sprintf("/admin/users/%d/password", samrUser), url.Values{"csrf_token": {tok}, "password": {"Taken#2025x"}, "password2": {"Taken#2025x"}}, []int{403, 404}},
			{"GET", "/admin/users", nil, []int{403}},
			{"GET", fmt.Sprintf("/admin/users?dept=%d", deptID(t, f, "qh-samr")), nil, []int{403}},
			{"GET", "/api/v1/admin/users", nil, []int{403}},
			{"GET", fmt.Sprintf("/admin/departments/%d", deptID(t, f, "qh-samr")), nil, []int{403}},
			{"POST", fmt.Sprintf("/account/tokens/%d/revoke", adminTok.ID), url.Values{"csrf_token": {tok}}, []int{404}},
			{"DELETE", fmt.Sprintf("/api/v1/account/tokens/%d", adminTok.ID), nil, []int{404}},
		}
		for _, tc := range cases {
			var resp *http.Response
			switch {
			case tc.method == "GET":
				resp, _ = c.get(tc.path)
			case tc.form != nil:
				resp, _ = c.postForm(tc.path, tc.form)
			default:
				resp, _ = c.send(tc.method, tc.path, tok, "", "")
			}
			ok := false
			for _, w := range tc.want {
				ok = ok || resp.StatusCode == w
			}
			if !ok {
				t.Errorf("%s %s as the 省发展改革委 reporter: %d, want one of %v", tc.method, tc.path, resp.StatusCode, tc.want)
			}
		}
		after, err := f.auth.GetUser(ctx, auth.CLI("test"), samrUser)
		if err != nil || fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("the 省市场监管局 account changed: %+v", after)
		}
		if ts, _ := f.auth.ListTokens(ctx, auth.Principal{UserID: userID(t, f, "demo-admin"), Login: "demo-admin"}); len(ts) != 1 || !ts[0].RevokedAt.IsZero() {
			t.Fatalf("the administrator's token was revoked by a reporter")
		}
		// The service layer scopes too: the same reporter, asking the
		// service directly, sees only accounts of its own department.
		p, _, err := f.auth.Authenticate(ctx, sessionToken(t, f, c), "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		us, _, err := f.auth.ListUsers(ctx, p, auth.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.DeptID != deptID(t, f, "qh-drc") {
				t.Errorf("the 省发展改革委 reporter sees %s of %s", u.Login, u.DeptName)
			}
		}
		if _, err := f.auth.GetUser(ctx, p, samrUser); err == nil {
			t.Error("the 省发展改革委 reporter reads a 省市场监管局 account through the service")
		}
		// A supervisor is province-wide: the audit log shows every department's changes.
		sup := f.as(t, "demo-supervisor")
		if _, page := sup.get("/admin/audit?entity=user&action=create_demo"); !strings.Contains(page, "共 9 条") {
			t.Error("the supervisor does not see the whole audit log")
		}
	})
}

// sessionToken is the session cookie of a signed-in client.
func sessionToken(t *testing.T, f *fixture, c *client) string {
	t.Helper()
	u, _ := url.Parse(f.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sidi_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// firstCreditCode is the credit code of the first enterprise.
func firstCreditCode(t *testing.T, f *fixture) string {
	t.Helper()
	var code string
	if err := f.db.Reader().QueryRow(`SELECT credit_code FROM enterprises ORDER BY id LIMIT 1`).Scan(&code); err != nil {
		t.Fatalf("first enterprise: %v", err)
	}
	return code
}
