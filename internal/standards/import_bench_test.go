package standards

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkImport imports a generated file of 20,000 standards into an
// empty registry, then again (every row unchanged); see docs/PERFORMANCE.md
// and `sidi bench-import` for the figures against sqlite3 .import.
func BenchmarkImport(b *testing.B) {
	var file bytes.Buffer
	if err := NewGen(1).WriteImportCSV(&file, 20000, "2026-01-01"); err != nil {
		b.Fatal(err)
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			ctx := context.Background()
			s := NewService(db)
			for b.Loop() {
				for _, want := range []string{"created", "unchanged"} {
					rep, err := s.ImportFile(ctx, auth.CLI("bench"), kit.BytesSource("b.csv", file.Bytes()), kit.ImportOptions{})
					if err != nil || (want == "created" && rep.Created != 20000) || (want == "unchanged" && rep.Unchanged != 20000) {
						b.Fatalf("%s: %+v %v", want, rep, err)
					}
				}
				b.StopTimer()
				for _, q := range []string{`DELETE FROM standard_tags`, `DELETE FROM standard_relations`, `DELETE FROM standards`} {
					db.Writer().Exec(q)
				}
				b.StartTimer()
			}
		})
	}
}

var firstLoadRows = flag.Int("rows", 100_000, "standards BenchmarkFirstLoad generates")

// BenchmarkFirstLoad imports a generated file of 100,000 standards (-args
// -rows N) into an empty registry on each engine: the first import of
// `sidi import standards`, for profiling. -args -two-pass takes the batch
// path instead.
func BenchmarkFirstLoad(b *testing.B) {
	var file bytes.Buffer
	if err := NewGen(1).WriteImportCSV(&file, *firstLoadRows, "2026-01-01"); err != nil {
		b.Fatal(err)
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, d)
				s := NewService(db)
				b.StartTimer()
				rep, err := s.ImportFile(context.Background(), auth.CLI("bench"), kit.BytesSource("b.csv", file.Bytes()), kit.ImportOptions{TwoPass: *benchTwoPass})
				if err != nil || rep.Created != *firstLoadRows {
					b.Fatalf("%+v %v", rep, err)
				}
			}
		})
	}
}

var benchTwoPass = flag.Bool("two-pass", false, "BenchmarkFirstLoad imports in two passes")

// BenchmarkSearchBatch writes the search documents of 20,000 generated
// standards in batches of 5,000 (search.Batch, what an import's batch
// writes after the standards rows), into an empty index each time: with
// Insert's multi-row INSERTs and with InsertConn (COPY on PostgreSQL).
func BenchmarkSearchBatch(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, mode := range []string{"insert", "copy"} {
			b.Run(string(d)+"/"+mode, func(b *testing.B) {
				db := storetest.Open(b, d)
				ctx := context.Background()
				s := NewService(db)
				g := NewGen(1)
				var docs []search.Doc
				for i := range 20000 {
					r, errs := s.validate(g.Standard(i))
					if len(errs) > 0 {
						b.Fatal(errs)
					}
					docs = append(docs, searchDoc(int64(i+1), r))
				}
				var analyse, write time.Duration
				for b.Loop() {
					for lo := 0; lo < len(docs); lo += 5000 {
						t0 := time.Now()
						bt := search.NewBatch(d, docs[lo:lo+5000])
						t1 := time.Now()
						analyse += t1.Sub(t0)
						err := search.Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
							if mode == "insert" {
								conn = nil
							}
							return bt.InsertConn(ctx, db, tx, conn)
						})
						if err != nil {
							b.Fatal(err)
						}
						write += time.Since(t1)
					}
					b.StopTimer()
					if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.RemoveKind(ctx, db, tx, SearchKind) }); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.ReportMetric(analyse.Seconds()/float64(b.N), "analyse-s/op")
				b.ReportMetric(write.Seconds()/float64(b.N), "write-s/op")
			})
		}
	}
}

var heapRows = flag.String("heap-rows", "100000,1000000", "file sizes of BenchmarkFirstLoadHeap, comma-separated")

// BenchmarkFirstLoadHeap measures the Go heap of a first load (SQLite) of
// generated files of each size of -args -heap-rows (default 100,000 and
// 1,000,000 rows), read from disk as `sidi import standards` reads them:
// heap-peak-MB is the peak of HeapInuse sampled every 50 ms, the garbage
// collected before (what `sidi bench-import` prints as "Go heap in use
// peak"). Memory flat in the file size: the 1M peak within ~1.3× of the
// 100k one.
//
//	go test -run '^$' -bench FirstLoadHeap -benchtime 1x ./internal/standards/
func BenchmarkFirstLoadHeap(b *testing.B) {
	for _, f := range strings.Split(*heapRows, ",") {
		rows, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("-heap-rows: %v", err)
		}
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "standards.csv")
			fh, err := os.Create(path)
			if err == nil {
				err = NewGen(1).WriteImportCSV(fh, rows, "2026-01-01")
				if cerr := fh.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, store.SQLite)
				s := NewService(db)
				runtime.GC()
				stop, done := make(chan struct{}), make(chan uint64)
				go func() {
					var m runtime.MemStats
					var top uint64
					tick := time.NewTicker(50 * time.Millisecond)
					defer tick.Stop()
					for {
						runtime.ReadMemStats(&m)
						top = max(top, m.HeapInuse)
						select {
						case <-stop:
							done <- top
							return
						case <-tick.C:
						}
					}
				}()
				b.StartTimer()
				rep, err := s.ImportFile(context.Background(), auth.CLI("bench"), kit.FileSource(path), kit.ImportOptions{})
				b.StopTimer()
				close(stop)
				peak = max(peak, <-done)
				if err != nil || rep.Created != rows {
					b.Fatalf("%+v %v", rep, err)
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "heap-peak-MB")
		})
	}
}
