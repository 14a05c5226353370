package kit

import (
	"context"
	"database/sql"

	"sidi/internal/store"
)

// ExportRows writes the header of cols and one row per record query reads
// through q (scan reads a record, row gives its cells in cols order).
func ExportRows[T any](ctx context.Context, q store.Querier, w TableWriter, cols []Column, query string, scan func(interface{ Scan(...any) error }) (T, error), row func(T) []string) error {
	if err := w.Write(Header(cols)); err != nil {
		return err
	}
	return store.EachRow(ctx, q, query, nil, func(r *sql.Rows) error {
		x, err := scan(r)
		if err != nil {
			return err
		}
		return w.Write(row(x))
	})
}
