package store

import (
	"context"
	"database/sql"
	"fmt"
)

// BulkCacheKiB is the page cache the SQLite writer gets during a bulk
// import: a million rows put their index pages (a unique number, a date, an
// owner) in random order, and the default 2 MB cache would send most of
// those inserts to the disk.
const BulkCacheKiB = 256 << 10

// BulkCache enlarges the SQLite writer's page cache to BulkCacheKiB for a
// bulk import and keeps its temporary files in memory — the statement
// journal a multi-row INSERT into a table with unique keys writes would
// otherwise go to a temporary file page by page —, and returns what puts
// both back (nothing to do on PostgreSQL).
func (db *DB) BulkCache(ctx context.Context) (func(), error) {
	if db.Dialect() != SQLite {
		return func() {}, nil
	}
	var cache, temp int64
	if err := db.Writer().QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return nil, fmt.Errorf("store: cache size: %w", err)
	}
	if err := db.Writer().QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return nil, fmt.Errorf("store: temp store: %w", err)
	}
	if _, err := db.Writer().ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, BulkCacheKiB)); err != nil {
		return nil, fmt.Errorf("store: cache size: %w", err)
	}
	if _, err := db.Writer().ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return nil, fmt.Errorf("store: temp store: %w", err)
	}
	return func() {
		bg := context.WithoutCancel(ctx)
		db.Writer().ExecContext(bg, fmt.Sprintf(`PRAGMA cache_size = %d`, cache))
		db.Writer().ExecContext(bg, fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
	}, nil
}

// NewIDs reserves n ids of table (its "id" column) for rows a bulk import
// inserts with explicit ids inside tx: from the column's sequence on
// PostgreSQL, after the largest id on SQLite (one writer at a time).
// table is a name from the code, never user input.
func NewIDs(ctx context.Context, d Dialect, tx *sql.Tx, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if d == Postgres {
		err := EachRow(ctx, tx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, $1)`, []any{n}, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			ids = append(ids, id)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: ids: %w", table, err)
		}
		return ids, nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, fmt.Errorf("%s: ids: %w", table, err)
	}
	for i := range n {
		ids = append(ids, last+int64(i)+1)
	}
	return ids, nil
}
