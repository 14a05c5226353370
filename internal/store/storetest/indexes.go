package storetest

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// IndexNames are the names of table's indexes, sorted: those created by
// CREATE INDEX on SQLite (not a constraint's automatic ones), every index
// of the table in the current schema on PostgreSQL.
func IndexNames(t testing.TB, db *store.DB, table string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	if db.Dialect() == store.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`
	}
	var out []string
	err := store.EachRow(context.Background(), db.Reader(), q, []any{table}, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		out = append(out, n)
		return err
	})
	if err != nil {
		t.Fatalf("indexes of %s: %v", table, err)
	}
	slices.Sort(out)
	return out
}

// VerifiedWithIndexes checks what a bulk load leaves in each of dbs: an
// audit chain that verifies, and exactly the indexes want on table.
func VerifiedWithIndexes(t testing.TB, table string, want []string, dbs ...*store.DB) {
	t.Helper()
	for _, d := range dbs {
		if _, err := audit.Verify(context.Background(), d); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
		if got := IndexNames(t, d, table); !slices.Equal(got, want) {
			t.Fatalf("indexes of %s after the load %v, before %v", table, got, want)
		}
	}
}
