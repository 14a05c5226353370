package kit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/store"
)

// DeferIndexes drops table's secondary indexes inside tx — not its primary
// key, nor any unique index or constraint, which keep refusing duplicates
// against the database — and returns the function that creates them again
// from their stored definitions, to be called in the same transaction
// before it commits. A first load into an empty table builds an index once
// over sorted data instead of maintaining it row by row; were the
// transaction rolled back, the indexes are back as they were. table is a
// name from the code, never user input.
func DeferIndexes(ctx context.Context, d store.Dialect, tx *sql.Tx, table string) (build func() error, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	if d == store.Postgres {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relname = $1 AND pg_table_is_visible(t.oid) AND NOT x.indisunique AND NOT x.indisprimary`
	}
	type index struct{ name, def string }
	var idx []index
	err = store.EachRow(ctx, tx, q, []any{table}, func(r *sql.Rows) error {
		var i index
		if err := r.Scan(&i.name, &i.def); err != nil {
			return err
		}
		if d == store.SQLite && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(i.def)), "CREATE UNIQUE") {
			return nil
		}
		idx = append(idx, i)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: indexes: %w", table, err)
	}
	for _, i := range idx {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteName(i.name)); err != nil {
			return nil, fmt.Errorf("import %s: drop index %s: %w", table, i.name, err)
		}
	}
	return func() error {
		for _, i := range idx {
			if _, err := tx.ExecContext(ctx, i.def); err != nil {
				return fmt.Errorf("import %s: create index %s: %w", table, i.name, err)
			}
		}
		return nil
	}, nil
}

// quoteName quotes an SQL identifier.
func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
