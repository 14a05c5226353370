package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one embedded, ordered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations of a dialect in order. Files are
// named NNNN_name.sql; the numbers must run 1, 2, 3… without gaps, so two
// branches that both add "0005" collide loudly instead of silently.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: rest, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migrations of %s: want version %d, found %d (%s)", d, i+1, m.Version, m.Name)
		}
	}
	return ms, nil
}

// Version returns the highest applied migration (0 on an empty database).
func (db *DB) Version(ctx context.Context) (int, error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, err
	}
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	// A server role without CREATE on the schema must be able to open a
	// migrated database, so look before creating.
	if _, err := db.write.ExecContext(ctx, `SELECT 1 FROM schema_migrations WHERE 1 = 0`); err == nil {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction.
// A database newer than this binary is refused rather than written to.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateTo(ctx, 0) }

// MigrateTo applies the pending migrations up to and including version
// (every one when version is 0). Tests use it to build a database as an
// earlier release left it, fill it the way that release did, and then run
// the newer migrations over it.
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	if version < 0 || version > len(ms) {
		return fmt.Errorf("store: migrate to %d: this binary has migrations 1 to %d", version, len(ms))
	}
	target := ms
	if version > 0 {
		target = ms[:version]
	}
	if db.dialect == Postgres {
		// Two processes starting at once must not both apply migration N.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7216001)`); err != nil {
			return fmt.Errorf("store: migrate lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7216001)`)
	}
	cur, err := db.Version(ctx)
	if err != nil {
		return err
	}
	if cur > len(ms) {
		return fmt.Errorf("store: database schema version %d is newer than this binary (%d); upgrade sidi (数据库版本高于程序版本，请升级程序)", cur, len(ms))
	}
	if cur >= len(target) {
		return nil
	}
	for _, m := range target[cur:] {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", m.Version, err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: record migration %d: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: commit migration %d: %w", m.Version, err)
		}
	}
	return nil
}
