package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sidi/internal/auth"
)

// syncBuffer is a bytes.Buffer safe to read while a server writes to it.
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

// startServer runs a serving command (serve or demo) in-process and returns
// its URL, what it printed so far (standard output and error), and a
// function that stops it and fails the test unless it exits 0.
func startServer(t *testing.T, args ...string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out syncBuffer
	errs := &out
	e := &Env{Stdout: &out, Stderr: errs, Getenv: func(string) string { return "" }, Ready: func(u string) { ready <- u }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, args) }()
	select {
	case u := <-ready:
		return u, errs, func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("%s exited %d: %s", args[0], code, out.String())
			}
		}
	case code := <-done:
		cancel()
		t.Fatalf("%s exited %d before serving: %s", args[0], code, out.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("%s did not start", args[0])
	}
	return "", nil, nil
}

// postLogin signs in through the login form and returns the status and body.
func postLogin(t *testing.T, base, login, password string) (int, string) {
	t.Helper()
	csrf := strings.Repeat("c", 40)
	form := url.Values{"login": {login}, "password": {password}, "csrf_token": {csrf}, "next": {"/"}}
	req, _ := http.NewRequest("POST", base+"login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "sidi_csrf", Value: csrf})
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDemoAccountsOnlyUnderDemo: a database filled by sidi demo, served by
// sidi serve, refuses the demo accounts and warns, naming the command that
// disables them; sidi demo itself still signs them in.
func TestDemoAccountsOnlyUnderDemo(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--no-serve", "--data", dir); code != 0 {
		t.Fatal(errs)
	}

	base, errs, stop := startServer(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	if code, body := postLogin(t, base, "demo-admin", auth.DemoPassword); code != http.StatusSeeOther {
		t.Fatalf("demo-admin under sidi demo: %d %s", code, body)
	}
	stop()

	base, errs, stop = startServer(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	if !strings.Contains(errs.String(), "9 个演示账号") || !strings.Contains(errs.String(), "sidi user remove-demo") {
		t.Errorf("serve does not warn about the demo accounts: %q", errs.String())
	}
	code, body := postLogin(t, base, "demo-admin", auth.DemoPassword)
	if code != http.StatusUnauthorized || !strings.Contains(body, "演示账号仅在 sidi demo 中可用") {
		t.Errorf("demo-admin under sidi serve: %d, want 401 with the demo notice", code)
	}
	stop()

	code, out, errOut := runCLI(t, "user", "remove-demo", "--data", dir)
	if code != 0 || !strings.Contains(out, "已停用 9 个演示账号") {
		t.Fatalf("remove-demo: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCLI(t, "user", "remove-demo", "--data", dir); code != 0 || !strings.Contains(out, "没有需要停用的演示账号") {
		t.Fatalf("second remove-demo: %d %s", code, out)
	}
	if _, list, _ := runCLI(t, "user", "list", "--data", dir); strings.Count(list, "停用") != 9 {
		t.Errorf("user list after remove-demo:\n%s", list)
	}
	if code, out, _ := runCLI(t, "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out, "审计链完好") {
		t.Fatalf("audit verify after remove-demo: %d %s", code, out)
	}
	_, errs, stop = startServer(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	stop()
	if strings.Contains(errs.String(), "演示账号") {
		t.Errorf("serve still warns after remove-demo: %q", errs.String())
	}
}
