package kit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sidi/internal/store"
)

// LoadTx runs a first load's fn in one transaction on the writer's
// connection, as search.Tx does, with SQLite set for one large
// transaction: the commit syncs the write-ahead log itself
// (synchronous FULL: the rows are durable when LoadTx returns) instead of
// leaving it to the automatic checkpoint, which is off for the load
// (wal_autocheckpoint 0) — copying the load's pages into the database file
// runs afterwards as a passive checkpoint in the background, off the
// import's path (the writer connection is busy meanwhile). The
// connection's settings are restored before it is released. (PRAGMA
// threads is not set: SQLite's sorter uses no helper thread while
// temp_store is MEMORY, as BulkCache sets it.)
func LoadTx(ctx context.Context, db *store.DB, fn func(tx *sql.Tx, conn *sql.Conn) error) (err error) {
	start := time.Now()
	conn, err := db.Writer().Conn(ctx)
	if err != nil {
		db.Observer().WriteWait(time.Since(start))
		return fmt.Errorf("import: connection: %w", err)
	}
	lite := db.Dialect() == store.SQLite
	var reset []string
	defer func() {
		for _, q := range reset {
			conn.ExecContext(context.WithoutCancel(ctx), q)
		}
		conn.Close()
		if err == nil && lite {
			go db.Writer().ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}()
	if lite {
		for _, p := range []struct {
			name string
			val  int
		}{{"synchronous", 2}, {"wal_autocheckpoint", 0}} {
			var was int
			if err := conn.QueryRowContext(ctx, `PRAGMA `+p.name).Scan(&was); err != nil {
				return fmt.Errorf("import: pragma %s: %w", p.name, err)
			}
			reset = append(reset, fmt.Sprintf(`PRAGMA %s = %d`, p.name, was))
			if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA %s = %d`, p.name, p.val)); err != nil {
				return fmt.Errorf("import: pragma %s: %w", p.name, err)
			}
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	db.Observer().WriteWait(time.Since(start))
	if err != nil {
		return fmt.Errorf("import: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx, conn); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("import: commit: %w", err)
	}
	return nil
}
