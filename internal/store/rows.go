package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Querier is what reads need: a database handle or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// EachRow runs query and calls fn for every row, closing the rows after.
func EachRow(ctx context.Context, q Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("store: scan: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: rows: %w", err)
	}
	return nil
}
