package store

import (
	"context"
	"fmt"
)

// BulkCacheKiB is the page cache the SQLite writer gets during a bulk
// import: a million rows put their index pages (a unique number, a date, an
// owner) in random order, and the default 2 MB cache would send most of
// those inserts to the disk.
const BulkCacheKiB = 256 << 10

// BulkCache enlarges the SQLite writer's page cache to BulkCacheKiB for a
// bulk import and returns what puts it back (nothing to do on PostgreSQL).
func (db *DB) BulkCache(ctx context.Context) (func(), error) {
	if db.Dialect() != SQLite {
		return func() {}, nil
	}
	var before int64
	if err := db.Writer().QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&before); err != nil {
		return nil, fmt.Errorf("store: cache size: %w", err)
	}
	if _, err := db.Writer().ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, BulkCacheKiB)); err != nil {
		return nil, fmt.Errorf("store: cache size: %w", err)
	}
	return func() {
		db.Writer().ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, before))
	}, nil
}
