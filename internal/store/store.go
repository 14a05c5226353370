package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Config chooses the engine: URL (postgres://…) wins over DataDir.
type Config struct {
	DataDir string // embedded SQLite lives in DataDir/sidi.db; the audit key and checkpoints live here on both engines
	URL     string // postgres://… or postgresql://…
	// AuditKey signs the audit and login chains (AuditKeySize bytes). When
	// nil it is read from DataDir/audit.key, created on first use.
	AuditKey []byte
}

// Describe says where the data lives, for log lines and the CLI.
func (c Config) Describe() string {
	if c.URL != "" {
		return "PostgreSQL " + redactURL(c.URL)
	}
	return "SQLite " + filepath.Join(c.DataDir, "sidi.db")
}

// DB is an open database. On SQLite, writes go through one connection so
// they never fight over the file lock, and reads use a separate pool; on
// PostgreSQL both are the same pool.
type DB struct {
	dialect  Dialect
	write    *sql.DB
	read     *sql.DB
	dataDir  string // "" when a PostgreSQL database was opened without one
	auditKey []byte // nil only without a data directory and without Config.AuditKey
	obs      Observer
	locals   sync.Map // Local's values
}

// Local returns the value db keeps under key, made by create the first
// time it is asked for: a cache of one database's rows (a search token's
// id) lives and dies with the DB value instead of a package variable
// keyed by it. key is a value of a type of the caller's own, as with
// context keys. Safe for concurrent use; create may run more than once
// when callers race, and one result is kept.
func (db *DB) Local(key any, create func() any) any {
	if v, ok := db.locals.Load(key); ok {
		return v
	}
	v, _ := db.locals.LoadOrStore(key, create())
	return v
}

// Open opens the database described by cfg and applies pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens without applying migrations (for `sidi migrate --status`).
func OpenNoMigrate(ctx context.Context, cfg Config) (*DB, error) { return open(ctx, cfg) }

func open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL != "" && !strings.HasPrefix(cfg.URL, "postgres://") && !strings.HasPrefix(cfg.URL, "postgresql://") {
		return nil, fmt.Errorf("store: unsupported database URL %q: want postgres://… (数据库地址须以 postgres:// 开头)", redactURL(cfg.URL))
	}
	dir := cfg.DataDir
	if dir == "" && cfg.URL == "" {
		dir = "sidi-data"
	}
	key := cfg.AuditKey
	if key != nil && len(key) != AuditKeySize {
		return nil, fmt.Errorf("store: audit key has %d bytes, want %d (审计密钥长度不对)", len(key), AuditKeySize)
	}
	if key == nil && dir != "" {
		var err error
		if key, err = LoadAuditKey(dir); err != nil {
			return nil, err
		}
	}
	db, err := openEngine(ctx, cfg, dir)
	if err != nil {
		return nil, err
	}
	db.dataDir, db.auditKey = dir, key
	return db, nil
}

func openEngine(ctx context.Context, cfg Config, dir string) (*DB, error) {
	if cfg.URL != "" {
		pool, err := sql.Open("pgx", cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect to %s: %w", redactURL(cfg.URL), err)
		}
		return &DB{dialect: Postgres, write: pool, read: pool}, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	path := filepath.Join(dir, "sidi.db")
	// temp_store(MEMORY): statement journals of multi-row inserts stay in
	// memory (a third of the CPU of a bulk import went to writing them to a
	// temporary file; docs/PERFORMANCE.md, 双随机 section).
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{dialect: SQLite, write: w, read: r}, nil
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// DataDir is the directory holding the audit key and checkpoints ("" when
// a PostgreSQL database was opened without one).
func (db *DB) DataDir() string { return db.dataDir }

// AuditKey is the key that signs the audit and login chains; nil when the
// database was opened without a data directory or a key.
func (db *DB) AuditKey() []byte { return db.auditKey }

// Reader is the pool for queries that do not write.
func (db *DB) Reader() *sql.DB { return db.read }

// Writer is the pool (one connection on SQLite) for writes.
func (db *DB) Writer() *sql.DB { return db.write }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so a failed service call leaves nothing half-written.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	tx, err := db.write.BeginTx(ctx, nil)
	db.Observer().WriteWait(time.Since(start))
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
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
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// errHeld ends HoldWrites' transaction (rolled back: it wrote nothing).
var errHeld = errors.New("store: writes held")

// HoldWrites runs fn while no other writer can commit to tables, so that
// reads on several Reader connections inside fn all see one state of the
// database. SQLite holds its write lock (an immediate transaction: every
// table); PostgreSQL locks the named tables in SHARE mode (readers go on,
// writers wait). The transaction writes nothing and is rolled back; fn
// must not write itself (on SQLite the writer is the one connection held).
func (db *DB) HoldWrites(ctx context.Context, tables []string, fn func() error) error {
	var fnErr error
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if db.dialect == Postgres && len(tables) > 0 {
			for _, t := range tables {
				if !sqlIdent.MatchString(t) {
					return fmt.Errorf("store: hold writes: bad table name %q", t)
				}
			}
			if _, err := tx.ExecContext(ctx, `LOCK TABLE `+strings.Join(tables, ", ")+` IN SHARE MODE`); err != nil {
				return fmt.Errorf("store: hold writes: %w", err)
			}
		}
		fnErr = fn()
		return errHeld
	})
	if fnErr != nil {
		return fnErr
	}
	if errors.Is(err, errHeld) {
		return nil
	}
	return err
}

// LockChain serialises writers of a hash chain (the audit log) inside tx.
// SQLite already has a single writer; PostgreSQL takes a transaction-scoped
// advisory lock so two transactions never link to the same predecessor.
func (db *DB) LockChain(ctx context.Context, tx *sql.Tx, key int64) error {
	if db.dialect != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		return fmt.Errorf("store: lock chain %d: %w", key, err)
	}
	return nil
}

func redactURL(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return u
	}
	creds := u[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return u[:scheme+3] + creds[:i] + ":***" + u[at:]
	}
	return u
}
