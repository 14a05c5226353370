package store_test

import (
	"context"
	"database/sql"
	"fmt"
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
