package standards_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkStandards loads SIDI_BENCH_RECORDS generated records (default
// 100000) into a fresh database of each engine, then times Search and the
// LIKE scan for every query of the mix:
//
//	SIDI_BENCH_RECORDS=1000000 go test -run '^$' -bench Standards -benchtime 20x -timeout 2h ./internal/standards/
//
// The parent benchmark reports the load rate and the index size; each
// search/… and like/… sub-benchmark reports its p95 besides ns/op.
func BenchmarkStandards(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("SIDI_BENCH_RECORDS")); err == nil && v > 0 {
		n = v
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			svc := standards.NewService(db)
			rep, err := svc.RunBench(ctx, standards.BenchOptions{Records: n, Seed: 1, Rounds: 1, LikeRounds: 1}, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d records loaded in %s (%.0f records/s); index %s, documents %s",
				d, n, rep.LoadTime.Round(time.Second), rep.LoadRate, standards.MiB(rep.Index.Index), standards.MiB(rep.Index.Docs))
			for _, q := range standards.BenchQueries(standards.NewGen(1), rep.Standards) {
				name := q.Class + "/" + strings.ReplaceAll(q.Q, " ", "_")
				b.Run("search/"+name, func(b *testing.B) {
					var ds []time.Duration
					for b.Loop() {
						t := time.Now()
						var err error
						if q.Class == "声明" {
							_, err = svc.SearchDeclarations(ctx, standards.DeclParams{Q: q.Q})
						} else {
							_, err = svc.Search(ctx, standards.Params{Q: q.Q})
						}
						if err != nil {
							b.Fatal(err)
						}
						ds = append(ds, time.Since(t))
					}
					b.ReportMetric(float64(standards.Summarize(ds).P95)/1e6, "p95-ms")
				})
				b.Run("like/"+name, func(b *testing.B) {
					for b.Loop() {
						if _, err := svc.LikeScan(ctx, q); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// TestBench runs the whole benchmark small on both engines: the report must
// be complete and consistent, the indexed search must agree with the LIKE
// scan on title words, and a database with real data must be refused.
func TestBench(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := standards.NewService(db)
		rep, err := svc.RunBench(ctx, standards.BenchOptions{Records: 3000, Seed: 7, Batch: 700, Rounds: 2, LikeRounds: 1}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var n, decls, ents, indexed int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM standards WHERE note = $1`, standards.BenchNote).Scan(&n)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM declarations WHERE note = $1`, standards.BenchNote).Scan(&decls)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM enterprises WHERE note = $1`, standards.BenchNote).Scan(&ents)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM search_docs WHERE kind = 'declaration'`).Scan(&indexed)
		if n != 2400 || decls != 600 || indexed != 600 || ents != 600/standards.DeclsPerEnterprise || rep.Records != 3000 || rep.LoadRate <= 0 {
			t.Fatalf("loaded %d standards, %d declarations (%d indexed) of %d enterprises; report %+v", n, decls, indexed, ents, rep)
		}
		if rep.Index.Index <= 0 || rep.Index.Docs <= 0 {
			t.Errorf("index size %+v", rep.Index)
		}
		if len(rep.Queries) != len(standards.BenchQueries(standards.NewGen(7), 2400)) || rep.All.N != 2*len(rep.Queries) {
			t.Errorf("%d queries, %d timings", len(rep.Queries), rep.All.N)
		}
		for _, q := range rep.Queries {
			if q.Total == 0 {
				t.Errorf("%s %q finds nothing", q.Class, q.Q)
			}
			// Every record the scan finds for a Han-only query is found by
			// the search too (which also reads tags and relations, so it
			// may find more); the scan of titles finds no more than the full one.
			if q.Class != "标准号" && hanOnly(q.Q) && !q.More && q.Total < q.LikeHit {
				t.Errorf("%q: search total %d < LIKE rows %d", q.Q, q.Total, q.LikeHit)
			}
			if hanOnly(q.Q) && q.TitleLikeHit > q.LikeHit {
				t.Errorf("%q: the title scan finds %d, the full scan %d", q.Q, q.TitleLikeHit, q.LikeHit)
			}
			if q.Search.P50 <= 0 || q.Like.P50 <= 0 || q.Speedup <= 0 || q.TitleLike.P50 <= 0 || q.TitleSpeedup <= 0 {
				t.Errorf("%q: timings %+v", q.Q, q)
			}
		}
		// The same records after a second run: the first ones are cleared.
		if _, err := svc.RunBench(ctx, standards.BenchOptions{Records: 1500, Seed: 7, Rounds: 1, LikeRounds: 1}, io.Discard); err != nil {
			t.Fatal(err)
		}
		db.Reader().QueryRow(`SELECT COUNT(*) FROM standards`).Scan(&n)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM declarations`).Scan(&decls)
		if n != 1200 || decls != 300 {
			t.Errorf("after a second run: %d standards and %d declarations, want 1200 and 300", n, decls)
		}
		// One real record makes the database off limits, and nothing is cleared.
		if _, err := svc.Create(ctx, admin, standards.Input{Code: "DB63/T 1-2020", Title: "真实标准", Issued: "2020-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RunBench(ctx, standards.BenchOptions{Records: 10}, io.Discard); !errors.Is(err, standards.ErrNotBenchData) {
			t.Errorf("bench over real data: %v", err)
		}
		if err := standards.ClearBench(ctx, db); !errors.Is(err, standards.ErrNotBenchData) {
			t.Errorf("clear over real data: %v", err)
		}
		db.Reader().QueryRow(`SELECT COUNT(*) FROM standards`).Scan(&n)
		if n != 1201 {
			t.Errorf("records after refusal: %d", n)
		}
		// Loading is for administrators only.
		if err := svc.BulkLoad(ctx, auth.Principal{UserID: 9, Login: "x", Roles: []auth.Role{auth.RoleSupervisor}}, standards.NewGen(1), 0, 1, 1, nil); err == nil {
			t.Error("a supervisor may bulk load")
		}
	})
}

var _ = fmt.Sprint

// hanOnly reports whether q is Han characters and spaces only.
func hanOnly(q string) bool {
	for _, r := range q {
		if r != ' ' && !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return strings.TrimSpace(q) != ""
}
