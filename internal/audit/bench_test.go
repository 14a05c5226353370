package audit_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// BenchmarkLoginLog compares one chained login log entry (head read, HMAC,
// insert; advisory lock on PostgreSQL) with the plain insert it replaced,
// each in its own transaction as a login writes it.
func BenchmarkLoginLog(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, chained := range []bool{false, true} {
			name := string(d) + "/plain"
			if chained {
				name = string(d) + "/chained"
			}
			b.Run(name, func(b *testing.B) {
				db := storetest.Open(b, d)
				ctx := context.Background()
				if !chained {
					// The plain insert of before migration 0011.
					if d == store.Postgres {
						db.Writer().Exec(`DROP TRIGGER login_log_append_next ON login_log`)
					} else {
						db.Writer().Exec(`DROP TRIGGER login_log_append_next`)
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						if chained {
							return audit.AppendLogin(ctx, db, tx, time.Now(), "zhang", 0, "10.0.0.1", "Mozilla/5.0", "success", "")
						}
						_, err := tx.ExecContext(ctx, `INSERT INTO login_log(at, login, user_id, ip, user_agent, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
							time.Now(), "zhang", nil, "10.0.0.1", "Mozilla/5.0", "success", "")
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
