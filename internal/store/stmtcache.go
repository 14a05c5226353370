package store

import (
	"context"
	"database/sql"
	"sync"
)

// A bulk load's multi-row INSERTs repeat a few statement texts (a full
// statement and a shorter last one per table), and SQLite parses a text
// anew on every execution: at 100,000 standards that was about 0.7
// CPU-seconds of the load. WithStatements gives a context whose bulk
// inserts (InsertRows on SQLite, InsertShared) prepare each text once per
// transaction and reuse it. Only texts up to the cache's limits are
// prepared: database/sql keeps what a transaction prepared until it ends,
// and a first load is one transaction (52 MB of text once, when every
// execution prepared its own).
func WithStatements(ctx context.Context) context.Context {
	if _, ok := ctx.Value(stmtKey{}).(*stmtCache); ok {
		return ctx
	}
	return context.WithValue(ctx, stmtKey{}, &stmtCache{})
}

type stmtKey struct{}

// Limits of one transaction's cache: at most this many statements and
// this many bytes of their text; past them a text is executed unprepared.
const (
	stmtCacheEntries = 64
	stmtCacheBytes   = 4 << 20
)

type stmtCache struct {
	mu    sync.Mutex
	tx    *sql.Tx // the transaction whose statements stmts holds
	stmts map[string]*sql.Stmt
	bytes int
}

// execBulk executes text with args in tx, through ctx's statement cache
// when it has one.
func execBulk(ctx context.Context, tx *sql.Tx, text string, args []any) error {
	c, _ := ctx.Value(stmtKey{}).(*stmtCache)
	if c == nil {
		_, err := tx.ExecContext(ctx, text, args...)
		return err
	}
	st, err := c.get(ctx, tx, text)
	if err != nil {
		return err
	}
	if st == nil {
		_, err = tx.ExecContext(ctx, text, args...)
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// get is tx's prepared statement for text, prepared now if the cache
// has room; nil (and no error) when it has none. A statement of an
// earlier transaction is never returned: database/sql closed it when that
// transaction ended, so the cache starts again for a new one.
func (c *stmtCache) get(ctx context.Context, tx *sql.Tx, text string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tx != tx {
		c.tx, c.stmts, c.bytes = tx, map[string]*sql.Stmt{}, 0
	}
	if st := c.stmts[text]; st != nil {
		return st, nil
	}
	if len(c.stmts) >= stmtCacheEntries || c.bytes+len(text) > stmtCacheBytes {
		return nil, nil
	}
	st, err := tx.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.stmts[text] = st
	c.bytes += len(text)
	return st, nil
}
