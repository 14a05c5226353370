package bizenv

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// benchStarts is a file of n generated handling records.
func benchStarts(n int) []byte {
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(StartColumns()), ",") + "\n")
	prefs := org.Prefectures()
	t0 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		sub := t0.Add(time.Duration(i) * 7 * time.Minute)
		reg := sub.Add(time.Duration(60+i%300) * time.Minute)
		end := reg.Add(time.Duration(30+i%900) * time.Minute)
		fmt.Fprintf(&b, "B-%08d,基准企业%08d有限公司,,有限责任公司,%s,%s,%s,%s,%s,%s,,,%s\n", i, i, prefs[i%len(prefs)].Code,
			sub.Format(timeLayout), end.Format(timeLayout), reg.Format(timeLayout), reg.Add(40*time.Minute).Format(timeLayout), reg.Add(90*time.Minute).Format(timeLayout), end.Format(timeLayout))
	}
	return []byte(b.String())
}

const benchRows = 20000

// BenchmarkReadStarts is the baseline: reading and parsing the file only.
func BenchmarkReadStarts(b *testing.B) {
	data := benchStarts(benchRows)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		n := 0
		_, err := kit.ReadTable("b.csv", strings.NewReader(string(data)), kit.TableSpec{Columns: StartColumns(), Formulas: true}, func(r kit.Row) error {
			if _, errs := ParseStart(r); len(errs) > 0 {
				return errs
			}
			n++
			return nil
		})
		if err != nil || n != benchRows {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkImportStarts imports the same file into a fresh SQLite database
// (validation pass, write pass with stages and one audit entry a batch).
func BenchmarkImportStarts(b *testing.B) {
	data := benchStarts(benchRows)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite)
		s := NewService(db)
		b.StartTimer()
		rep, err := s.ImportStarts(context.Background(), auth.CLI("bench"), kit.BytesSource("b.csv", data), kit.ImportOptions{})
		if err != nil || rep.Created != benchRows {
			b.Fatal(rep, err)
		}
	}
}

// BenchmarkStartStats computes the median and p90 by prefecture and month
// over the imported records.
func BenchmarkStartStats(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	s := NewService(db)
	ctx := context.Background()
	if err := s.EnsureLimits(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.ImportStarts(ctx, auth.CLI("bench"), kit.BytesSource("b.csv", benchStarts(benchRows)), kit.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := s.Stats(ctx, auth.CLI("bench"), StartFilter{})
		if err != nil || len(st) == 0 {
			b.Fatal(err)
		}
	}
}
