package inspect_test

import (
	"bytes"
	"context"
	"testing"

	"sidi/internal/auth"

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

// BenchmarkDrawRun draws over 200,000 entities and 3,000 inspectors.
func BenchmarkDrawRun(b *testing.B) {
	var ents, ins bytes.Buffer
	inspect.WriteEntities(&ents, 200_000, false)
	inspect.WriteInspectors(&ins, 3000, 200_000, false)
	db := storetest.Open(b, store.SQLite)
	s := inspect.NewService(db)
	items := "事项编码,事项名称,检查对象,法律依据,检查方式,类别\nK,名,对象,依据,现场,重点\n"
	for _, f := range []struct {
		body []byte
		imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	}{{ents.Bytes(), s.ImportEntities}, {ins.Bytes(), s.ImportInspectors}, {[]byte(items), s.ImportItems}} {
		if _, err := f.imp(ctx, admin, kit.BytesSource("f.csv", f.body), kit.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	task := inspect.Task{Name: "b", Items: []string{"K"}, Scope: inspect.Scope{RegionPrefix: "63"}, Ratios: map[string]inspect.Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Run(ctx, admin, task, inspect.RunOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
