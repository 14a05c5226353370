package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sidi/internal/cli"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// cmdBench measures the public plan page under concurrent load against a
// static file served by the same server in the same run, so the figure
// means something on a noisy machine.
func cmdBench() *Command {
	return &Command{
		Name: "bench", Usage: "[--data DIR | --db URL] [--duration 10s] [--clients 16]",
		Short: "性能测试：公开页面并发负载与指标重算 load-test the public pages and indicator recomputation",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("bench", e)
			dur := fs.Duration("duration", 10*time.Second, "每项测试时长 per target")
			clients := fs.Int("clients", 16, "并发客户端数 concurrent clients")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *dur <= 0 || *dur > 10*time.Minute || *clients < 1 || *clients > 512 {
				return usageError{Msg: "--duration 须在 0–10m 之间，--clients 须在 1–512 之间"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			if err := seedDemo(ctx, &Env{Stdout: io.Discard, Stderr: e.Stderr}, a); err != nil {
				return err
			}
			pv, err := a.Plan.Current(ctx, 0)
			if err != nil {
				return err
			}
			// Indicator recomputation: every target, task and pillar.
			asOf := time.Date(2025, 7, 11, 0, 0, 0, 0, time.UTC)
			var evals []time.Duration
			for i := 0; i < 50; i++ {
				t0 := time.Now()
				if _, err := a.Progress.Recompute(ctx, pv.ID, asOf); err != nil {
					return err
				}
				evals = append(evals, time.Since(t0))
			}
			fmt.Fprintf(e.Stdout, "evaluate all indicators (%s, 50 runs): p50 %s  p95 %s  max %s\n", a.DB.Dialect(), q(evals, .5), q(evals, .95), q(evals, 1))

			timed := &timingHandler{next: a.server(serveOptions{}).Handler()}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: timed}
			go srv.Serve(ln)
			defer srv.Close()
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(e.Stdout, "load: %d clients, %s per target, %s\n", *clients, *dur, base)
			results := map[string]loadResult{}
			// "?fresh=N" makes every request a cache miss: the cost of a real render.
			for _, path := range []string{"/static/sidi.css", "/plan", "/plan?fresh", "/public/progress", "/public/progress?fresh", "/api/v1/indicators"} {
				timed.reset()
				r, err := load(ctx, base+path, *clients, *dur)
				if err != nil {
					return err
				}
				r.server = timed.snapshot()
				results[path] = r
				fmt.Fprintf(e.Stdout, "%-22s %8.0f req/s  server p50 %-10s p95 %-10s p99 %-10s  errors %d\n", path, r.rps, q(r.server, .5), q(r.server, .95), q(r.server, .99), r.errors)
			}
			st := results["/static/sidi.css"].rps
			for _, p := range []string{"/plan", "/plan?fresh", "/public/progress", "/public/progress?fresh", "/api/v1/indicators"} {
				fmt.Fprintf(e.Stdout, "%-22s %.1f%% of the static file's requests per second\n", p, results[p].rps/st*100)
			}
			return nil
		},
	}
}

type loadResult struct {
	rps    float64
	errors int
	server []time.Duration
}

func load(ctx context.Context, url string, clients int, dur time.Duration) (loadResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	deadline := time.Now().Add(dur)
	var mu sync.Mutex
	var n, errs int
	var seq atomic.Int64
	fresh := strings.HasSuffix(url, "?fresh")
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				u := url
				if fresh {
					u += "=" + strconv.FormatInt(seq.Add(1), 10)
				}
				resp, err := hc.Get(u)
				ok := err == nil && resp.StatusCode == 200
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				n++
				if !ok {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	return loadResult{rps: float64(n) / time.Since(start).Seconds(), errors: errs}, ctx.Err()
}

// timingHandler records how long the server spends on each request.
type timingHandler struct {
	next http.Handler
	mu   sync.Mutex
	durs []time.Duration
}

func (t *timingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t0 := time.Now()
	t.next.ServeHTTP(w, r)
	d := time.Since(t0)
	t.mu.Lock()
	t.durs = append(t.durs, d)
	t.mu.Unlock()
}

func (t *timingHandler) reset() { t.mu.Lock(); t.durs = nil; t.mu.Unlock() }

func (t *timingHandler) snapshot() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Duration(nil), t.durs...)
}

// q is the p-quantile of ds.
func q(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p * float64(len(s)-1))
	return s[i].Round(10 * time.Microsecond)
}
