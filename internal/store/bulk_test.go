package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestInsertSharedBindsSharedValuesOnce: every row gets its own values and
// the shared ones, whatever the rows per statement (a last, shorter
// statement included) and wherever the shared values stand in the row.
func TestInsertSharedBindsSharedValuesOnce(t *testing.T) {
	cases := []struct {
		name       string
		cols       []int // as InsertShared: -1 a row's value, k shared[k]
		n, perStmt int
	}{
		{"shared last", []int{-1, -1, 0, 0}, 7, 3},
		{"shared first", []int{0, -1, 1, -1}, 5, 5},
		{"one row a statement", []int{-1, 1, -1, 0}, 4, 1},
		{"fewer rows than a statement", []int{-1, -1, -1, 0}, 2, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, store.SQLite)
			shared := []any{"s0", "s1"}
			want := make([][]string, tc.n)
			err := db.Tx(ctx, func(tx *sqlTx) error {
				if _, err := tx.ExecContext(ctx, `CREATE TABLE t(i INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT)`); err != nil {
					return err
				}
				return store.InsertShared(ctx, tx, "test", `INSERT INTO t(a, b, c, d) VALUES `, tc.cols, shared, tc.perStmt, tc.n, func(i int, args []any) []any {
					for j, c := range tc.cols {
						v := fmt.Sprintf("r%d.%d", i, j)
						if c >= 0 {
							v = shared[c].(string)
						} else {
							args = append(args, v)
						}
						want[i] = append(want[i], v)
					}
					return args
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			err = store.EachRow(ctx, db.Reader(), `SELECT a, b, c, d FROM t ORDER BY i`, nil, func(r *sql.Rows) error {
				row := make([]string, 4)
				err := r.Scan(&row[0], &row[1], &row[2], &row[3])
				got = append(got, row)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("rows\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestBulkInsertKeepsNothingInTheTransaction: a first load writes all its
// batches in one transaction, and database/sql keeps every statement a
// transaction prepared, with its text, until the transaction ends. The
// bulk inserts must leave nothing there: after 300 calls writing 400 rows
// each in one transaction, the heap after a collection has grown by less
// than 300 KB (0.8–1 MB when they prepared their statements through the
// transaction).
func TestBulkInsertKeepsNothingInTheTransaction(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    store.Dialect
		ctx  context.Context
	}{
		{"sqlite", store.SQLite, context.Background()},
		{"sqlite statements cached", store.SQLite, store.WithStatements(context.Background())},
		{"postgres", store.Postgres, context.Background()},
		{"postgres statements cached", store.Postgres, store.WithStatements(context.Background())},
	} {
		d := tc.d
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			db := storetest.Open(t, d)
			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			var grew int64
			err := db.Tx(ctx, func(tx *sqlTx) error {
				if _, err := tx.ExecContext(ctx, `CREATE TABLE bulk_t(a TEXT, b TEXT, c TEXT, d TEXT)`); err != nil {
					return err
				}
				insert := func(k int) error {
					if d == store.Postgres || k%2 == 0 {
						return store.InsertRows(ctx, d, tx, "test", `INSERT INTO bulk_t(a, b, c, d) VALUES `, make([]string, 4), 400, func(i int) []any {
							return []any{"a", "b", "c", "d"}
						})
					}
					return store.InsertShared(ctx, tx, "test", `INSERT INTO bulk_t(a, b, c, d) VALUES `, []int{-1, -1, -1, 0}, []any{"d"}, 400, 400, func(i int, args []any) []any {
						return append(args, "a", "b", "c")
					})
				}
				for k := range 20 { // the driver's and pool's first allocations
					if err := insert(k); err != nil {
						return err
					}
				}
				before := heap()
				for k := range 300 {
					if err := insert(k); err != nil {
						return err
					}
				}
				grew = int64(heap()) - int64(before)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if grew > 300<<10 {
				t.Errorf("the heap grew by %d KB inside the transaction", grew>>10)
			}
		})
	}
}

// TestStatementsPreparedOncePerTransaction: with WithStatements a bulk
// insert prepares each statement text once in a transaction (a full
// statement and a shorter last one), starts again in the next transaction
// (whose statements database/sql did not close), stops preparing at its
// limits without losing a row, and a failing statement leaves the next
// transaction working.
func TestStatementsPreparedOncePerTransaction(t *testing.T) {
	ctx := store.WithStatements(context.Background())
	db := storetest.Open(t, store.SQLite)
	if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE once_t(a TEXT, b INTEGER UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	next := 0
	insert := func(tx *sql.Tx, n int) error {
		return store.InsertRows(ctx, store.SQLite, tx, "test", `INSERT INTO once_t(a, b) VALUES `, make([]string, 2), n, func(i int) []any {
			next++
			return []any{"x", next}
		})
	}
	count := func() int {
		var n int
		if err := db.Writer().QueryRowContext(ctx, `SELECT count(*) FROM once_t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := db.Tx(ctx, func(tx *sqlTx) error {
		for range 3 {
			if err := insert(tx, 250); err != nil { // 100, 100 and 50 rows a statement
				return err
			}
		}
		if got := store.CachedStatements(ctx); got != 2 {
			t.Errorf("first transaction: %d statements prepared, want 2", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sqlTx) error {
		if err := insert(tx, 30); err != nil {
			return err
		}
		if got := store.CachedStatements(ctx); got != 1 {
			t.Errorf("second transaction: %d statements prepared, want 1", got)
		}
		for n := 1; n <= 80; n++ { // 80 texts: past the cache's 64
			if err := insert(tx, n); err != nil {
				return err
			}
		}
		if got := store.CachedStatements(ctx); got != 64 {
			t.Errorf("after 81 texts: %d statements prepared, want the limit 64", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := count(), 750+30+80*81/2; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	next = 0 // b repeats: the statement fails, the transaction rolls back
	err = db.Tx(ctx, func(tx *sqlTx) error { return insert(tx, 30) })
	if err == nil {
		t.Fatal("a repeated b was inserted")
	}
	next = 1 << 20
	if err := db.Tx(ctx, func(tx *sqlTx) error { return insert(tx, 30) }); err != nil {
		t.Fatalf("the transaction after a failed one: %v", err)
	}
	if got, want := count(), 750+30+80*81/2+30; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
}
