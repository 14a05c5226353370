// Package store opens Sidi's database (embedded SQLite by default,
// PostgreSQL in production), applies the embedded migrations and runs
// transactions. It owns the few places where the two SQL dialects differ.
//
// It must never import a domain package: domains import store.
package store
