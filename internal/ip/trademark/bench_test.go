package trademark_test

import (
	"bytes"
	"flag"
	"testing"

	"sidi/internal/enterprise"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var benchRows = flag.Int("rows", 100_000, "marks BenchmarkImport generates")

// BenchmarkImport imports 100,000 generated marks (-args -rows N) into an
// empty SQLite register (the first-load path).
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	if err := trademark.NewGen(1).WriteCSV(&buf, *benchRows); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		db := storetest.Open(b, store.SQLite)
		s := trademark.NewService(db, enterprise.NewService(db))
		if _, err := s.Import(ctx, admin, kit.BytesSource("gen.csv", buf.Bytes()), kit.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
