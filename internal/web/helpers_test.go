package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/demo"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/services"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/web"
)

// fixture is a running Sidi with the real plan approved and demo accounts.
type fixture struct {
	db   *store.DB
	srv  *httptest.Server
	web  *web.Server
	plan *plan.Service
	auth *auth.Service
	prog *progress.Service
	// set is every domain service, as the command line builds them.
	set *services.Set
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	set, err := services.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := auth.CLI("test")
	res, err := set.Plan.Import(ctx, p, demo.PlanSource, demo.PlanText, demo.PlanCode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Plan.Approve(ctx, p, res.Version.ID); err != nil {
		t.Fatal(err)
	}
	set.Auth.DemoLogins = true // as sidi demo runs it
	if _, err := set.Auth.EnsureDemoAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := set.Progress.EnsurePeriods(ctx, p, res.Version.PlanID, 2025); err != nil {
		t.Fatal(err)
	}
	w := web.New(set.WebDeps())
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return &fixture{db: db, srv: srv, web: w, plan: set.Plan, auth: set.Auth, prog: set.Progress, set: set}
}

// client is a browser-like HTTP client with cookies that does not follow
// redirects, so tests see them.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (f *fixture) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.srv.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil, nil) }

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf fetches a page and returns the CSRF token embedded in its forms.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

func (c *client) postForm(path string, form url.Values) (*http.Response, string) {
	return c.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func (c *client) login(loginName, password string) {
	c.t.Helper()
	tok := c.csrf("/login")
	resp, body := c.postForm("/login", url.Values{"login": {loginName}, "password": {password}, "csrf_token": {tok}, "next": {"/plan"}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d: %s", loginName, resp.StatusCode, body)
	}
}

func demoPassword(t *testing.T, f *fixture, login string) string {
	t.Helper()
	accs, err := f.auth.EnsureDemoAccounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		if a.Login == login {
			return a.Password
		}
	}
	t.Fatalf("no demo account %s", login)
	return ""
}

func readSeed(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../demo/plan-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// landing follows a redirect and returns the page it lands on, which shows
// the status message the redirect carried (in the signed flash cookie).
func (c *client) landing(resp *http.Response) string {
	c.t.Helper()
	_, body := c.get(resp.Header.Get("Location"))
	return body
}

// seedDemo adds everything sidi demo adds beyond the plan and the accounts
// (every module's demo records, reports, and the demo enterprise account's
// link), recorded as p.
func (f *fixture) seedDemo(t *testing.T, p auth.Principal) {
	t.Helper()
	bg := context.Background()
	pv, err := f.plan.Current(bg, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.set.SeedDemo(bg, p, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.prog.SeedDemo(bg, p, pv.ID); err != nil {
		t.Fatalf("demo reports: %v", err)
	}
	if _, err := standards.LinkDemoUser(bg, f.set.Standards, p, "demo-enterprise"); err != nil {
		t.Fatal(err)
	}
}

// firstID runs a query returning one id and gives it as text.
func (f *fixture) firstID(t *testing.T, query string) string {
	t.Helper()
	var id int64
	if err := f.db.Reader().QueryRowContext(context.Background(), query).Scan(&id); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return strconv.FormatInt(id, 10)
}
