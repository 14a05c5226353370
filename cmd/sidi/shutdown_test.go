package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildSidi builds the command into dir and returns the binary's path.
func buildSidi(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sidi")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runningServer is a `sidi serve` child process.
type runningServer struct {
	cmd  *exec.Cmd
	addr string // host:port
	// metrics is the URL of the separate metrics listener ("" : none).
	metrics string
	done    chan struct{}
	err     error // Wait's result, once done is closed
	stderr  *strings.Builder
}

func startServe(t *testing.T, bin, data string, args ...string) *runningServer {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &runningServer{cmd: cmd, done: make(chan struct{}), stderr: &strings.Builder{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/`)
	for s.addr == "" && sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		switch {
		case m == nil:
		case strings.Contains(sc.Text(), "/metrics"):
			s.metrics = m[0] + "metrics"
		default:
			s.addr = m[1]
		}
	}
	go func() {
		io.Copy(io.Discard, stdout)
		s.err = cmd.Wait()
		close(s.done)
	}()
	if s.addr == "" {
		t.Fatalf("the server printed no URL")
	}
	return s
}

// slowRequest sends the headers of a POST and part of its body, so the
// handler is running and waits for the rest.
func slowRequest(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rest := "&password=x&csrf_token=y"
	if _, err := io.WriteString(c, "POST /login HTTP/1.1\r\nHost: sidi\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Connection: close\r\nContent-Length: 22\r\n\r\nlogin=slow"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is reading the body
	return c, rest[:12]
}

// exitWithin waits for the server to exit and returns its exit code.
func (s *runningServer) exitWithin(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("the server did not exit within %s\n%s", d, s.stderr)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	return 0
}

// TestShutdown runs the built server and stops it with SIGTERM: a request
// in flight finishes, the listener refuses new connections, the process
// exits 0 and the database is closed cleanly (the WAL checkpointed, the
// audit chain verifies); at the deadline a request still running is
// cancelled; a second signal exits at once.
func TestShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server: skipped with -short")
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("sends SIGTERM")
	}
	dir := t.TempDir()
	bin := buildSidi(t, dir)

	t.Run("in-flight request completes", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		s := startServe(t, bin, data, "--shutdown-timeout", "20s")
		c, rest := slowRequest(t, s.addr)
		start := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if nc, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			nc.Close()
			t.Error("the server still accepts connections after SIGTERM")
		}
		select {
		case <-s.done:
			t.Fatalf("the server exited with a request in flight\n%s", s.stderr)
		default:
		}
		if _, err := io.WriteString(c, rest); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("the request in flight got no answer: %v\n%s", err, s.stderr)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("the request in flight: %d", resp.StatusCode)
		}
		if code := s.exitWithin(t, 10*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0\n%s", code, s.stderr)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("stopping took %s", d)
		}
		// Closed cleanly: SQLite checkpointed and removed the WAL, and
		// the stop checkpoint of the audit chain verifies.
		if fi, err := os.Stat(filepath.Join(data, "sidi.db-wal")); err == nil && fi.Size() > 0 {
			t.Errorf("the WAL holds %d bytes after a clean stop", fi.Size())
		}
		if out, err := exec.Command(bin, "audit", "verify", "--data", data).CombinedOutput(); err != nil {
			t.Errorf("audit verify after the stop: %v\n%s", err, out)
		}
	})

	t.Run("deadline cancels the request", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		s := startServe(t, bin, data, "--shutdown-timeout", "1s", "--log-format", "json")
		c, _ := slowRequest(t, s.addr)
		start := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := s.exitWithin(t, 8*time.Second); code != 0 {
			t.Errorf("exit code %d, want 0\n%s", code, s.stderr)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("stopped after %s, before the 1s deadline", d)
		}
		if !strings.Contains(s.stderr.String(), "shutdown deadline passed") {
			t.Errorf("no log line about the cancelled requests:\n%s", s.stderr)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadAll(c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("the cancelled request's connection: %v", err)
		}
		if out, err := exec.Command(bin, "audit", "verify", "--data", data).CombinedOutput(); err != nil {
			t.Errorf("audit verify after the stop: %v\n%s", err, out)
		}
	})

	t.Run("metrics listener", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		s := startServe(t, bin, data, "--metrics-addr", "127.0.0.1:0")
		if s.metrics == "" {
			t.Fatal("no metrics URL printed")
		}
		if resp, err := http.Get("http://" + s.addr + "/login"); err == nil {
			resp.Body.Close()
		}
		// The server records a request after its answer is written, so the
		// client can ask /metrics before the count lands: poll briefly.
		var body []byte
		for deadline := time.Now().Add(5 * time.Second); ; {
			resp, err := http.Get(s.metrics)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `route="/login"`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, want := range []string{`sidi_http_requests_total{code="200",method="GET",route="/login"} 1`, "sidi_db_pool_open_connections", "process_resident_memory_bytes"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("the metrics listener lacks %s", want)
			}
		}
		// No token configured: the main listener hides /metrics.
		if resp, err := http.Get("http://" + s.addr + "/metrics"); err != nil {
			t.Error(err)
		} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics on the main listener without a token: %d, want 404", resp.StatusCode)
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		if code := s.exitWithin(t, 10*time.Second); code != 0 {
			t.Errorf("exit code %d\n%s", code, s.stderr)
		}
	})

	t.Run("second signal exits at once", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		s := startServe(t, bin, data, "--shutdown-timeout", "60s")
		slowRequest(t, s.addr)
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		select {
		case <-s.done:
			t.Fatalf("exited on the first signal with a request in flight\n%s", s.stderr)
		default:
		}
		start := time.Now()
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := s.exitWithin(t, 3*time.Second); code != 1 {
			t.Errorf("exit code %d after a second signal, want 1", code)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the second signal took %s to stop the process", d)
		}
	})
}

// TestServeFlagsRefused checks that invalid operational flags are refused
// before anything is opened.
func TestServeFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"--log-format", "xml"},
		{"--log-level", "loud"},
		{"--shutdown-timeout", "0s"},
		{"--shutdown-timeout", "ten"},
		{"--metrics-addr", "nonsense"},
		{"--metrics-addr", "127.0.0.1:http"},
	} {
		var out, errb strings.Builder
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		data := filepath.Join(t.TempDir(), "data")
		if code := run(t.Context(), e, append([]string{"serve", "--data", data}, args...)); code == 0 {
			t.Errorf("serve %v: exit 0, want a refusal\n%s", args, errb.String())
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("serve %v opened the database before refusing", args)
		}
	}
	var out, errb strings.Builder
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "SIDI_METRICS_TOKEN" {
			return "short"
		}
		return ""
	}}
	if code := run(t.Context(), e, []string{"serve", "--data", filepath.Join(t.TempDir(), "d")}); code != 2 {
		t.Errorf("a short metrics token: exit %d, want 2", code)
	}
}
