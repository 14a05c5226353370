package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			return audit.Append(ctx, db, tx, audit.Actor{ID: int64(i), Name: "张三", IP: "127.0.0.1"}, audit.Entry{
				Entity: "plan", EntityID: fmt.Sprint(i), Action: "update",
				Before: map[string]any{"标题": "旧", "n": i}, After: map[string]any{"n": i + 1, "标题": "新<b>"},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tamper runs q with the append-only triggers out of the way, as someone
// with direct database access could.
func tamper(t *testing.T, db *store.DB, q string) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if db.Dialect() == store.Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, q, `ALTER TABLE audit_log ENABLE TRIGGER USER`}
	} else {
		stmts = []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`, q}
	}
	for _, s := range stmts {
		if _, err := db.Writer().ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name    string
		tamper  string
		wantSeq int64 // 0: chain intact
	}{
		{"intact", "", 0},
		{"content edited", `UPDATE audit_log SET actor = '李四' WHERE seq = 3`, 3},
		{"after edited", `UPDATE audit_log SET after = '{"n":99}' WHERE seq = 4`, 4},
		{"row deleted", `DELETE FROM audit_log WHERE seq = 2`, 2},
		{"rehashed without relinking", `UPDATE audit_log SET hash = 'x' WHERE seq = 1`, 1},
		{"tail truncated is not a break", `DELETE FROM audit_log WHERE seq = 5`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				appendN(t, db, 5)
				if c.tamper != "" {
					tamper(t, db, c.tamper)
				}
				n, err := audit.Verify(context.Background(), db)
				var broken *audit.BrokenLinkError
				if c.wantSeq == 0 {
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					if n < 4 {
						t.Fatalf("verified %d records", n)
					}
					return
				}
				if !errors.As(err, &broken) {
					t.Fatalf("Verify = %d, %v; want broken link at %d", n, err, c.wantSeq)
				}
				if broken.Seq != c.wantSeq {
					t.Fatalf("broken at %d (%s), want %d", broken.Seq, broken.Reason, c.wantSeq)
				}
			})
		})
	}
}

func TestAppendRollsBackWithTheChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := audit.Append(ctx, db, tx, audit.System, audit.Entry{Entity: "plan", EntityID: "1", Action: "create", After: 1}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d audit rows survived a rolled-back transaction", n)
		}
	})
}

func TestCanonicalSortsKeys(t *testing.T) {
	a, _ := audit.Canonical(map[string]any{"b": 1, "a": "<x>"})
	if string(a) != `{"a":"<x>","b":1}` {
		t.Fatalf("got %s", a)
	}
}

// TestConcurrentAppendsKeepOneChain: writers racing on PostgreSQL (many
// connections) must still form a single unbroken chain.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const writers, each = 8, 10
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			go func(w int) {
				for i := 0; i < each; i++ {
					err := db.Tx(ctx, func(tx *sql.Tx) error {
						return audit.Append(ctx, db, tx, audit.Actor{Name: fmt.Sprint("w", w)}, audit.Entry{Entity: "x", EntityID: fmt.Sprint(i), Action: "update", After: i})
					})
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}(w)
		}
		for w := 0; w < writers; w++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(ctx, db)
		if err != nil || n != writers*each {
			t.Fatalf("verified %d of %d records: %v", n, writers*each, err)
		}
	})
}
