package store

import "time"

// Observer receives the measurements of the services working over a DB
// (the metrics of internal/obs). Its methods are called concurrently and
// must not block. A DB without one uses a no-op.
type Observer interface {
	// WriteWait is how long a write transaction waited for the writer
	// (the single SQLite connection, or a pool connection on PostgreSQL).
	WriteWait(d time.Duration)
	// AuditAppend counts one record appended to the audit chain.
	AuditAppend()
	// ImportRows counts n rows of an import of the given kind that succeeded.
	ImportRows(kind string, n int)
	// LoginAttempt counts one login attempt by outcome.
	LoginAttempt(outcome string)
}

type nopObserver struct{}

func (nopObserver) WriteWait(time.Duration) {}
func (nopObserver) AuditAppend()            {}
func (nopObserver) ImportRows(string, int)  {}
func (nopObserver) LoginAttempt(string)     {}

// SetObserver installs o (nil: none). Call it before the DB is shared.
func (db *DB) SetObserver(o Observer) { db.obs = o }

// Observer is the installed observer, never nil.
func (db *DB) Observer() Observer {
	if db.obs == nil {
		return nopObserver{}
	}
	return db.obs
}
