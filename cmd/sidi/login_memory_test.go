package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loginMemoryLimit is the most the server may hold, resident, under the
// login burst of TestLoginBurstMemory.
const loginMemoryLimit = 600 << 20

// TestLoginBurstMemory builds sidi, serves a demo database from a separate
// process and sends it 400 simultaneous bad logins: half from one address,
// half from 200 different loopback addresses (127.0.1.x), all at names that
// must be checked with argon2 (64 MiB each). The server's peak resident
// memory (VmHWM) must stay under 600 MB, and every attempt must be answered
// 401 or 429, never 5xx.
//
// SIDI_MEMTEST_BIN runs the test against another sidi binary (e.g. an
// older build, to compare).
func TestLoginBurstMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server: skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads peak memory from /proc and binds 127.0.1.x: Linux only")
	}
	dir := t.TempDir()
	bin := os.Getenv("SIDI_MEMTEST_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "sidi")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	sidi := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sidi %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sidi("", "demo", "--no-serve", "--data", data)
	sidi("Root#Pass2025\n", "user", "add", "--login", "real.user", "--name", "真实用户", "--dept", "qh-samr", "--role", "reporter", "--data", data)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	srv.Stderr = io.Discard
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	base := ""
	lines := bufio.NewScanner(stdout)
	urlRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	for base == "" && lines.Scan() {
		base = urlRe.FindString(lines.Text())
	}
	if base == "" {
		t.Fatal("the server did not say where it listens")
	}
	go io.Copy(io.Discard, stdout)
	before := procStatus(t, srv.Process.Pid, "VmRSS")

	const n = 400
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < n; i++ {
		from, login := "127.0.0.1", fmt.Sprintf("ghost%03d", i)
		switch {
		case i%4 == 0:
			login = "real.user" // a known account, wrong password
		case i >= n/2:
			from = fmt.Sprintf("127.0.1.%d", i-n/2+1) // one address each
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := loginFrom(ctx, base, from, login, start)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	time.Sleep(200 * time.Millisecond) // let every request dial first
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	peak := procStatus(t, srv.Process.Pid, "VmHWM")
	t.Logf("400 simultaneous logins in %v: statuses %v; server resident memory %d MB before, peak %d MB",
		took.Round(time.Millisecond), statuses, before>>20, peak>>20)
	for status, count := range statuses {
		if status != http.StatusUnauthorized && status != http.StatusTooManyRequests {
			t.Errorf("%d answers with status %d", count, status)
		}
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Error("no attempt was turned away with 429: the limiter's queue was never full")
	}
	if peak >= loginMemoryLimit {
		t.Errorf("peak resident memory %d MB, want under %d MB", peak>>20, loginMemoryLimit>>20)
	}
}

// loginFrom posts one bad login from the local address from once start is
// closed, and returns the status (0: no answer).
func loginFrom(ctx context.Context, base, from, login string, start <-chan struct{}) int {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 30 * time.Second}
	hc := &http.Client{
		Transport:     &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       60 * time.Second,
	}
	csrf := strings.Repeat("x", 40)
	form := url.Values{"login": {login}, "password": {"Wrong#Pass1"}, "csrf_token": {csrf}}.Encode()
	// Connect first, so that the requests arrive together.
	conn, err := dialer.DialContext(ctx, "tcp", strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/"))
	if err != nil {
		return 0
	}
	hc.Transport.(*http.Transport).DialContext = func(context.Context, string, string) (net.Conn, error) { return conn, nil }
	<-start
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "sidi_csrf", Value: csrf})
	resp, err := hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// procStatus reads a memory figure (in bytes) of a process from
// /proc/PID/status, e.g. VmHWM, its peak resident set.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
