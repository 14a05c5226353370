package kit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// KeyedTable is how an import writes one register's rows into one table:
// a row is matched on the table's key columns (the first Key of Cols, a
// UNIQUE constraint), inserted when new, updated when one of its columns
// differs and left alone otherwise, so the same file twice changes
// nothing. Each batch is one transaction with its one audit entry.
type KeyedTable[T any] struct {
	Kind     string   // import kind ("ip-outlets")
	Table    string   // SQL table
	KeyCol   string   // the file column a duplicate is reported on
	KeyLabel string   // its noun in the duplicate message ("网点")
	Key      int      // how many leading Cols form the key (0 means 1)
	Cols     []string // the columns written, key first
	Columns  []Column // the file's columns
	// Values are a record's values in Cols order (nil for SQL NULL).
	Values func(T) []any
	// Link, when set, runs in the batch's transaction before a row is
	// matched (finding or registering the enterprise it names, say) and
	// may change the record.
	Link func(ctx context.Context, tx *sql.Tx, v *T) error
}

func (g KeyedTable[T]) keyLen() int {
	if g.Key <= 0 {
		return 1
	}
	return g.Key
}

// KeyOf is the text of a record's key (duplicates inside a file).
func (g KeyedTable[T]) KeyOf(v T) string {
	vals := g.Values(v)[:g.keyLen()]
	parts := make([]string, len(vals))
	for i, x := range vals {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, " / ")
}

// Run imports src with parse; allowed is the caller's role check (its
// refusal stops the import before the file is read), by the audit actor,
// now the timestamp written to created_at and updated_at.
func (g KeyedTable[T]) Run(ctx context.Context, db *store.DB, by audit.Actor, allowed error, now string, src Source, opt ImportOptions, parse func(Row) (T, Errors)) (ImportReport, error) {
	if allowed != nil {
		return ImportReport{Kind: g.Kind, File: src.Name}, allowed
	}
	return RunImport(ctx, src, opt, Plan[T]{
		Kind: g.Kind, Spec: TableSpec{Columns: g.Columns, Formulas: true}, Parse: parse, Key: g.KeyOf,
		Duplicate: func(row int, v T, prev int) FieldError {
			return FieldError{Row: row, Column: g.KeyCol, Msg: fmt.Sprintf("%s %s 与第 %d 行重复", g.KeyLabel, g.KeyOf(v), prev)}
		},
		Write: func(ctx context.Context, batch []Item[T], file ImportReport) (BatchResult, error) {
			return g.write(ctx, db, by, now, batch, file)
		},
	})
}

func (g KeyedTable[T]) write(ctx context.Context, db *store.DB, by audit.Actor, now string, batch []Item[T], file ImportReport) (BatchResult, error) {
	linked := make([]T, len(batch))
	rows := make([]UpsertRow, len(batch))
	for i, it := range batch {
		linked[i] = it.Val
		rows[i] = UpsertRow{Row: it.Row, Audit: &linked[i], Values: func(tx *sql.Tx) ([]any, error) {
			if g.Link != nil {
				if err := g.Link(ctx, tx, &linked[i]); err != nil {
					return nil, err
				}
			}
			return g.Values(linked[i]), nil
		}}
	}
	return Upsert{Kind: g.Kind, Table: g.Table, Cols: g.Cols, Keys: g.keyLen()}.WriteBatch(ctx, db, by, now, file, rows)
}

// SameText compares stored columns read as text with a record's values
// column by column (a nil value matches SQL NULL only).
func SameText(got []sql.NullString, vals []any) bool {
	for i, v := range vals {
		if v == nil {
			if got[i].Valid {
				return false
			}
			continue
		}
		if !got[i].Valid || got[i].String != fmt.Sprint(v) {
			return false
		}
	}
	return true
}
