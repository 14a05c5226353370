package progress_test

import (
	"context"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkRecompute measures recomputing every target, task and pillar
// of the real plan over the demo's four years of quarterly reports (goal:
// ≤ 100 ms), and the cached path beside it.
func BenchmarkRecompute(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			e := newEnv(b, db, day("2026-01-20"))
			ctx := context.Background()
			if _, err := e.svc.SeedDemo(ctx, auth.CLI("bench"), e.planID); err != nil {
				b.Fatal(err)
			}
			asOf := day("2025-07-11")
			b.Run("uncached", func(b *testing.B) {
				for b.Loop() {
					if _, err := e.svc.Recompute(ctx, e.planID, asOf); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("cached", func(b *testing.B) {
				for b.Loop() {
					if _, err := e.svc.Evaluate(ctx, e.planID, asOf); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
