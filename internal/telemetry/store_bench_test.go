package telemetry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkStoreWrite measures one committed batch of 512 five-point
// messages: go test -bench StoreWrite ./internal/telemetry/
func BenchmarkStoreWrite(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			s := NewStore(db)
			base := time.Now().Add(-time.Hour)
			k := 0
			b.ResetTimer()
			for range b.N {
				msgs := make([]Message, 512)
				for i := range msgs {
					msgs[i] = Message{Device: Device{Code: fmt.Sprintf("D%03d", k%50)}, At: base.Add(time.Duration(k) * time.Millisecond), Received: base, Points: BenchPoints(k)}
					k++
				}
				if _, err := s.Write(context.Background(), msgs, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(512*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkLayoutRowPerPoint is the layout not chosen, for comparison with
// BenchmarkStoreWrite: one row per point (device, timestamp, point name,
// value, unit), the same 512 five-point messages per transaction, as
// multi-row inserts of 200 rows.
func BenchmarkLayoutRowPerPoint(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			ctx := context.Background()
			pg := d == store.Postgres
			if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE bench_points (equipment_code TEXT NOT NULL, at_ms BIGINT NOT NULL, point TEXT NOT NULL, v DOUBLE PRECISION NOT NULL, unit TEXT NOT NULL, PRIMARY KEY (equipment_code, at_ms, point))`); err != nil {
				b.Fatal(err)
			}
			base := time.Now().Add(-time.Hour)
			k := 0
			b.ResetTimer()
			for range b.N {
				var rows [][]any
				for range 512 {
					for _, p := range BenchPoints(k) {
						rows = append(rows, []any{fmt.Sprintf("D%03d", k%50), base.Add(time.Duration(k) * time.Millisecond).UnixMilli(), p.Name, p.Value, p.Unit})
					}
					k++
				}
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					for start := 0; start < len(rows); start += 200 {
						chunk := rows[start:min(start+200, len(rows))]
						q := `INSERT INTO bench_points VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?,?,?,?),", len(chunk)), ",") + ` ON CONFLICT DO NOTHING`
						var args []any
						for _, r := range chunk {
							args = append(args, r...)
						}
						if _, err := tx.ExecContext(ctx, rebind(q, pg), args...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(512*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
