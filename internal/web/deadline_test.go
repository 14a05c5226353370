package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// slowSQL counts to a billion: minutes of work on either engine.
const slowSQL = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c`

// TestPublicDeadline: a public GET whose query runs past the deadline is
// stopped on both engines and answers 503 with a message in Chinese, on a
// page and in the API; a page rendered without what timed out is not
// cached; routes behind a login keep no deadline.
func TestPublicDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const limit = 300 * time.Millisecond
		s := New(Deps{DB: db, PublicTimeout: limit})
		var runs atomic.Int32
		slow := func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
			runs.Add(1)
			var n int64
			return db.Reader().QueryRowContext(r.Context(), slowSQL).Scan(&n)
		}
		// Like a page that leaves out a part it could not read.
		lenient := func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
			runs.Add(1)
			var n int64
			_ = db.Reader().QueryRowContext(r.Context(), slowSQL).Scan(&n)
			return writeJSON(w, http.StatusOK, map[string]int64{"n": n})
		}
		for _, rt := range []Route{
			{Method: "GET", Pattern: "/slow", Public: true, Handle: slow},
			{Method: "GET", Pattern: "/api/v1/slow", Public: true, API: true, Handle: slow},
			{Method: "GET", Pattern: "/cached", Public: true, Cache: true, Handle: lenient},
		} {
			s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
		}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		get := func(path string) (*http.Response, string, time.Duration) {
			t.Helper()
			t0 := time.Now()
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b), time.Since(t0)
		}
		const msg = "查询超时，请缩小检索范围后重试"
		resp, body, took := get("/slow")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, msg) || took > 2*time.Second {
			t.Errorf("page: %d in %s: %.300s", resp.StatusCode, took, body)
		}
		resp, body, took = get("/api/v1/slow")
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != http.StatusServiceUnavailable ||
			e.Error.Code != "timeout" || e.Error.Message != msg || took > 2*time.Second || resp.Header.Get("Retry-After") == "" {
			t.Errorf("API: %d in %s: %s", resp.StatusCode, took, body)
		}
		runs.Store(0)
		for i := 0; i < 2; i++ {
			if resp, body, took := get("/cached"); resp.StatusCode != http.StatusOK || took > 2*time.Second {
				t.Errorf("cached page: %d in %s: %s", resp.StatusCode, took, body)
			}
		}
		if n := runs.Load(); n != 2 {
			t.Errorf("a page rendered after the deadline was served from the cache (%d runs of 2)", n)
		}
		// The statement itself was stopped. On SQLite the driver call only
		// returns when the statement does (the times above); PostgreSQL
		// must have cancelled it on the server.
		if db.Dialect() == store.Postgres {
			deadline := time.Now().Add(2 * time.Second)
			for {
				var n int
				if err := db.Reader().QueryRowContext(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'WITH RECURSIVE c(x)%'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d slow statements still running on the server", n)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		// Routes behind a login have no deadline of their own.
		req := httptest.NewRequest("GET", "/x", nil)
		if r2, cancel := s.publicDeadline(req, Route{Method: "GET", Pattern: "/x"}); r2 != req {
			t.Error("a staff route got a deadline")
		} else {
			cancel()
		}
		if err := timeoutError(req, errors.New("boom")); errors.Is(err, errTimeout) {
			t.Error("an error without a deadline became a timeout")
		}
	})
}
