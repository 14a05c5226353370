package inspect_test

import (
	"bytes"
	"testing"

	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkImportEntities imports 100,000 generated entities into SQLite.
func BenchmarkImportEntities(b *testing.B) {
	var buf bytes.Buffer
	inspect.WriteEntities(&buf, 100_000, false)
	for i := 0; i < b.N; i++ {
		db := storetest.Open(b, store.SQLite)
		s := inspect.NewService(db)
		if _, err := s.ImportEntities(ctx, admin, kit.BytesSource("e.csv", buf.Bytes()), kit.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
