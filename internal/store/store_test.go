package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestMigrationsAreContiguousAndParallel(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d: every change needs both", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %q, postgres %q", i+1, lite[i].Name, pg[i].Name)
		}
	}
}

func TestOpenMigrateIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		v, err := db.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := store.Migrations(db.Dialect())
		if v != len(ms) {
			t.Fatalf("version %d after open, want %d", v, len(ms))
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if v2, _ := db.Version(ctx); v2 != v {
			t.Fatalf("version moved from %d to %d on a no-op migrate", v, v2)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *sqlTx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plans(code, title, created_at) VALUES ($1, $2, CURRENT_TIMESTAMP)`, "x", "x"); err != nil {
				return err
			}
			return errBoom
		})
		if err != errBoom {
			t.Fatalf("Tx returned %v, want errBoom", err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back insert left %d rows", n)
		}
	})
}

func TestAuditLogRejectsUpdateAndDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.Writer().ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor, entity, entity_id, action, before, after, prev_hash, hash)
			VALUES (1, 'now', 'a', 'e', '1', 'create', '{}', '{}', '', 'h')`)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`UPDATE audit_log SET actor = 'b'`, `DELETE FROM audit_log`} {
			_, err := db.Writer().ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: got %v, want append-only error", q, err)
			}
		}
	})
}

func TestRejectsForeignURL(t *testing.T) {
	_, err := store.Open(context.Background(), store.Config{URL: "mysql://root@localhost/x"})
	if err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("got %v", err)
	}
}

// TestHoldWrites: while fn runs, a write to a held table waits (SQLite:
// any write) and readers inside fn do not see it; it goes in after fn
// returns. fn's error is returned; a bad table name is refused.
func TestHoldWrites(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		count := func() int {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM plans`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		written := make(chan error, 1)
		err := db.HoldWrites(ctx, []string{"plans"}, func() error {
			go func() {
				written <- db.Tx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO plans(code, title, created_at) VALUES ('held', 'held', CURRENT_TIMESTAMP)`)
					return err
				})
			}()
			select {
			case err := <-written:
				return fmt.Errorf("the write went in while held (err %v)", err)
			case <-time.After(300 * time.Millisecond):
			}
			if n := count(); n != before {
				return fmt.Errorf("a reader inside sees %d plans, %d before", n, before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-written; err != nil {
			t.Fatal(err)
		}
		if n := count(); n != before+1 {
			t.Fatalf("after: %d plans, want %d", n, before+1)
		}
		boom := errors.New("boom")
		if err := db.HoldWrites(ctx, []string{"plans"}, func() error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("fn's error: %v", err)
		}
		if db.Dialect() == store.Postgres {
			if err := db.HoldWrites(ctx, []string{"plans; DROP TABLE plans"}, func() error { return nil }); err == nil {
				t.Fatal("bad table name accepted")
			}
		}
	})
}

// TestLocal: a DB keeps one value per key, made once even when callers
// race, and two databases share none.
func TestLocal(t *testing.T) {
	type key struct{}
	type other struct{}
	a, b := storetest.Open(t, store.SQLite), storetest.Open(t, store.SQLite)
	made := 0
	var mu sync.Mutex
	create := func() any {
		mu.Lock()
		defer mu.Unlock()
		made++
		return new(int)
	}
	var wg sync.WaitGroup
	got := make([]any, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = a.Local(key{}, create)
		}()
	}
	wg.Wait()
	for i, v := range got {
		if v != got[0] {
			t.Fatalf("caller %d got another value than caller 0", i)
		}
	}
	if b.Local(key{}, create) == got[0] {
		t.Error("two databases share a value")
	}
	if a.Local(other{}, create) == got[0] {
		t.Error("two keys share a value")
	}
	if made < 3 {
		t.Errorf("create ran %d times, want at least 3", made)
	}
}
