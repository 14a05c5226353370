// Package storetest gives tests a fresh, migrated database on every engine
// that this machine offers: SQLite always, PostgreSQL when SIDI_TEST_POSTGRES
// names a server (each test gets its own schema, dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"sidi/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "SIDI_TEST_POSTGRES"

// Each runs fn as a subtest once per engine, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of dialect d, closed at cleanup.
// PostgreSQL tests are skipped, not failed, when no server is configured.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	cfg := Config(t, d)
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Config returns a configuration for a fresh, empty database of dialect d.
func Config(t testing.TB, d store.Dialect) store.Config {
	t.Helper()
	if d == store.SQLite {
		return store.Config{DataDir: t.TempDir()}
	}
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL not configured: set %s=postgres://… to run", EnvPostgres)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	// The audit key and checkpoints live in a data directory on both engines.
	return store.Config{URL: u.String(), DataDir: t.TempDir()}
}

// OpenAt returns a fresh database of dialect d migrated only up to version,
// as the release that shipped that migration left it, closed at cleanup.
// A test fills it the way that release did and then calls db.Migrate to
// check what the newer migrations make of it.
func OpenAt(t testing.TB, d store.Dialect, version int) *store.DB {
	t.Helper()
	db, err := store.OpenNoMigrate(context.Background(), Config(t, d))
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(context.Background(), version); err != nil {
		t.Fatalf("migrate %s to %d: %v", d, version, err)
	}
	return db
}
