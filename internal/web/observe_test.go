package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// metricValue finds the value of one exposition line "name{labels} value".
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in the scrape", series)
	return 0
}

func TestMetricsAndAccessLog(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	var logs syncBuffer
	d := f.web.Deps
	d.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	const metricsToken = "metrics-secret-0123456789"
	d.MetricsToken = metricsToken
	srv := httptest.NewServer(web.New(d).Handler())
	t.Cleanup(srv.Close)
	c := f.client(t)
	c.base = srv.URL

	// Without a token configured, /metrics on the main listener is hidden.
	if resp, _ := f.client(t).get("/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without a configured token: %d, want 404", resp.StatusCode)
	}
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": metricsToken}} {
		if resp, _ := c.do("GET", "/metrics", nil, h); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics with %v: %d, want 401", h, resp.StatusCode)
		}
	}

	// Traffic: a wrong password, a right one, a page, a bearer token that
	// is not valid, a client's request id and a malformed one.
	password := demoPassword(t, f, "demo-admin")
	tok := c.csrf("/login")
	if resp, _ := c.postForm("/login", url.Values{"login": {"demo-admin"}, "password": {"wrong-Password-123"}, "csrf_token": {tok}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a wrong password signed in")
	}
	c.login("demo-admin", password)
	resp, _ := c.do("GET", "/plan", nil, map[string]string{"X-Request-ID": "client-req.42_x"})
	if got := resp.Header.Get("X-Request-ID"); got != "client-req.42_x" {
		t.Errorf("X-Request-ID = %q, want the client's", got)
	}
	resp, _ = c.do("GET", "/plan", nil, map[string]string{"X-Request-ID": "bad id<script>"})
	if got := resp.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, "<") {
		t.Errorf("X-Request-ID = %q for a malformed one, want a fresh id", got)
	}
	const bearer = "sidi_bogus_bearer_token_ABCDEF123456"
	anon := f.client(t)
	anon.base = srv.URL
	if resp, _ := anon.do("GET", "/api/v1/plan", nil, map[string]string{"Authorization": "Bearer " + bearer}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bogus bearer: %d, want 401", resp.StatusCode)
	}
	csv := "标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 2290—2024,牦牛奶粉加工技术规范,现行,2024-03-01,2024-04-01\nDB63/T 1000-2023,枸杞干果,现行,2023-05-01,2023-06-01\n"
	if _, err := f.set.Standards.Import(context.Background(), auth.CLI("test"), "s.csv", []byte(csv), nil); err != nil {
		t.Fatal(err)
	}

	resp, body := c.do("GET", "/metrics", nil, map[string]string{"Authorization": "Bearer " + metricsToken})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics with the token: %d", resp.StatusCode)
	}
	for series, want := range map[string]float64{
		`sidi_http_requests_total{code="200",method="GET",route="/plan"}`:      2,
		`sidi_http_requests_total{code="303",method="POST",route="/login"}`:    1,
		`sidi_http_requests_total{code="401",method="GET",route="/metrics"}`:   3,
		`sidi_http_request_duration_seconds_count{method="GET",route="/plan"}`: 2,
		`sidi_login_attempts_total{outcome="success"}`:                         1,
		`sidi_login_attempts_total{outcome="bad_credentials"}`:                 1,
		`sidi_import_rows_total{kind="standards"}`:                             2,
		`sidi_db_pool_max_open_connections{pool="writer"}`:                     1,
		`sidi_db_pool_max_open_connections{pool="reader"}`:                     8,
	} {
		if got := metricValue(t, body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, series := range []string{"sidi_audit_appends_total", "sidi_db_write_wait_seconds_count", `sidi_db_pool_wait_count_total{pool="writer"}`, "go_goroutines"} {
		if got := metricValue(t, body, series); series != `sidi_db_pool_wait_count_total{pool="writer"}` && got <= 0 {
			t.Errorf("%s = %v, want > 0", series, got)
		}
	}
	if regexp.MustCompile(`route="/plan/[0-9]`).MatchString(body) {
		t.Error("a raw path became a route label")
	}

	// The access log: one JSON line per request, fields present, no secret.
	out := logs.String()
	for _, secret := range []string{password, "wrong-Password-123", bearer, metricsToken, tok} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret %q", secret)
		}
	}
	var sawClientID, sawUser bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		if line["msg"] != "request" {
			continue
		}
		for _, k := range []string{"request_id", "method", "route", "path", "status", "duration_ms", "bytes", "user_id", "ip"} {
			if _, ok := line[k]; !ok {
				t.Errorf("access line without %s: %s", k, sc.Text())
			}
		}
		if line["request_id"] == "client-req.42_x" {
			sawClientID = true
			if line["route"] != "/plan" || line["status"] != float64(200) {
				t.Errorf("access line: %s", sc.Text())
			}
			if uid, _ := line["user_id"].(float64); uid > 0 {
				sawUser = true
			}
		}
	}
	if !sawClientID || !sawUser {
		t.Errorf("no access line with the client's request id and the user id (id %v, user %v):\n%s", sawClientID, sawUser, out)
	}
}
