package sampling_test

import (
	"bytes"
	"testing"

	"sidi/internal/kit"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkImport imports 100,000 generated batches into a fresh SQLite
// store per iteration (`sidi bench-sampling` compares the rate with the
// sqlite3 shell's .import in the same run).
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	if err := (&sampling.Gen{Seed: 1, Today: today, FromYear: 2021, Prefix: "B", Enterprises: 2000}).WriteCSV(&buf, 100000); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite)
		s, _ := setup(b, db)
		b.StartTimer()
		rep, err := s.Import(ctx, admin, kit.BytesSource("b.csv", buf.Bytes()), kit.ImportOptions{})
		if err != nil || rep.Created != 100000 {
			b.Fatal(rep, err)
		}
	}
}
