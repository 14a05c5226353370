package standards

import (
	"bytes"
	"context"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/kit"
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
