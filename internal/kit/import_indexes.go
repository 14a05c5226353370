package kit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/store"
)

// DeferIndexes, for a first load into table while it is empty (it
// refuses otherwise), drops the table's indexes inside tx — all but its
// primary key and the indexes behind constraints, the unique ones too:
// the load's validation finds the file's repeated keys, and building a
// unique index finds any other — and returns the function that creates
// them again from their stored definitions, to be called in the same
// transaction before it commits. An index is then built once over the
// loaded rows instead of maintained row by row; were the transaction
// rolled back, the indexes are back as they were. table is a name from the
// code, never user input.
func DeferIndexes(ctx context.Context, d store.Dialect, tx *sql.Tx, table string) (build func() error, err error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+table+` LIMIT 1) x`).Scan(&n); err != nil {
		return nil, fmt.Errorf("import %s: %w", table, err)
	}
	if n > 0 {
		return nil, fileError("导入期间已有其他用户写入记录，请重新导入")
	}
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL`
	if d == store.Postgres {
		q = `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			WHERE t.relname = $1 AND pg_table_is_visible(t.oid) AND NOT x.indisprimary
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`
	}
	type index struct{ name, def string }
	var idx []index
	err = store.EachRow(ctx, tx, q, []any{table}, func(r *sql.Rows) error {
		var i index
		err := r.Scan(&i.name, &i.def)
		idx = append(idx, i)
		return err
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

// CheckLastID verifies, inside tx after a bulk insert on SQLite that left
// the ids to the engine, that the table's largest id is want, the last of
// the ids reserved with store.NewIDs: SQLite gives a row without an id the
// one after the largest, so the rows got the ids reserved, in order. (An
// explicit INTEGER PRIMARY KEY value makes SQLite keep a statement journal
// for every multi-row INSERT: 15 % of a first load's CPU.)
func CheckLastID(ctx context.Context, tx *sql.Tx, table string, want int64) error {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return fmt.Errorf("import %s: ids: %w", table, err)
	}
	if last != want {
		return fmt.Errorf("import %s: the last id is %d, want %d", table, last, want)
	}
	return nil
}
