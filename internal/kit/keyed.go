package kit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// KeyedTable is how an import writes one register's rows into one table:
// a row is matched on the table's key columns (the first Key of Cols, a
// UNIQUE constraint or index), inserted when new, updated when one of its
// columns differs and left alone otherwise, so the same file twice changes
// nothing. Each batch is one transaction with its one audit entry (the
// bulk writes of Upsert), or, with FirstLoad into an empty table, the
// whole file is one transaction (Upsert.Load).
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
	// KeyText, when set, is the text of a record's key, as KeyOf gives it
	// from Values (a large register's duplicate check then boxes no
	// values).
	KeyText func(T) string
	// Link, when set, runs in the batch's transaction before the batch's
	// rows are matched, row by row in file order (finding or registering
	// the enterprise it names, say), and may change the record.
	Link func(ctx context.Context, tx *sql.Tx, v *T) error
	// NoCreatedAt: the table has updated_at but no created_at.
	NoCreatedAt bool
	// NoID: the table has no id column (Upsert.NoID).
	NoID bool
	// FirstLoad makes an import into the empty table a first load, read
	// once in one transaction (Plan.Load, Upsert.Load); for large
	// registers.
	FirstLoad bool
	// Digest audits the rows with a RowsDigest of their values (never
	// NULL) instead of their records as JSON: for large registers.
	Digest bool
	// Workers parse the rows in parallel (Plan.Workers; the parse function
	// must then keep no state).
	Workers int
}

func (g KeyedTable[T]) upsert() Upsert {
	return Upsert{Kind: g.Kind, Table: g.Table, Cols: g.Cols, Keys: g.Key, NoCreatedAt: g.NoCreatedAt, NoID: g.NoID}
}

// KeyOf is the text of a record's key (duplicates inside a file).
func (g KeyedTable[T]) KeyOf(v T) string {
	if g.KeyText != nil {
		return g.KeyText(v)
	}
	vals := g.Values(v)[:g.upsert().keys()]
	if len(vals) == 1 {
		return valueText(vals[0])
	}
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
	u := g.upsert()
	pl := Plan[T]{
		Kind: g.Kind, Spec: TableSpec{Columns: g.Columns, Formulas: true}, Parse: parse, Key: g.KeyOf, Workers: g.Workers,
		Duplicate: func(row int, v T, prev int) FieldError {
			return FieldError{Row: row, Column: g.KeyCol, Msg: fmt.Sprintf("%s %s 与第 %d 行重复", g.KeyLabel, g.KeyOf(v), prev)}
		},
		Write: func(ctx context.Context, batch []Item[T], file ImportReport) (BatchResult, error) {
			return u.WriteBatch(ctx, db, by, now, file, g.rows(ctx, batch))
		},
	}
	if g.FirstLoad && !opt.DryRun && !opt.TwoPass {
		// Into an empty table every row is new (the validation refuses
		// the file's repeated keys): one pass in one transaction, no
		// lookup, the secondary indexes built after the rows; a row
		// written meanwhile by someone else fails it on the unique key.
		empty, err := u.Empty(ctx, db)
		if err != nil {
			return ImportReport{Kind: g.Kind, File: src.Name}, err
		}
		if empty {
			pl.Load = func(ctx context.Context, load func(WriteFunc[T]) error) error {
				return u.Load(ctx, db, func(in Into) error {
					return load(func(ctx context.Context, batch []Item[T], file ImportReport) (BatchResult, error) {
						return u.Write(ctx, db, in, by, now, file, g.rows(ctx, batch))
					})
				})
			}
		}
	}
	return RunImport(ctx, src, opt, pl)
}

// rows are a batch as Upsert's rows: Link, then Values.
func (g KeyedTable[T]) rows(ctx context.Context, batch []Item[T]) []UpsertRow {
	linked := make([]T, len(batch))
	rows := make([]UpsertRow, len(batch))
	for i, it := range batch {
		linked[i] = it.Val
		rows[i] = UpsertRow{Row: it.Row, Values: func(tx *sql.Tx) ([]any, error) {
			if g.Link != nil {
				if err := g.Link(ctx, tx, &linked[i]); err != nil {
					return nil, err
				}
			}
			return g.Values(linked[i]), nil
		}}
		if !g.Digest {
			rows[i].Audit = &linked[i]
		}
	}
	return rows
}

// Export writes the table's rows through q as an import file: the header,
// then Cols as text (NULL as the empty string), in key order. For a table whose Cols
// are the file's Columns, in order.
func (g KeyedTable[T]) Export(ctx context.Context, q store.Querier, w TableWriter) error {
	if err := w.Write(Header(g.Columns)); err != nil {
		return err
	}
	sel := make([]string, len(g.Cols))
	for i, c := range g.Cols {
		sel[i] = "COALESCE(CAST(" + c + " AS TEXT), '')"
	}
	order := strings.Join(g.Cols[:g.upsert().keys()], ", ")
	return store.EachRow(ctx, q, `SELECT `+strings.Join(sel, ", ")+` FROM `+g.Table+` ORDER BY `+order, nil, func(r *sql.Rows) error {
		got := make([]string, len(g.Cols))
		dst := make([]any, len(got))
		for i := range got {
			dst[i] = &got[i]
		}
		if err := r.Scan(dst...); err != nil {
			return err
		}
		return w.Write(got)
	})
}

// SameText compares stored columns read as text with a record's values
// column by column (a nil value matches SQL NULL only; a float64 matches
// the number stored, however the engine writes it as text: SQLite's 3.0
// is PostgreSQL's 3).
func SameText(got []sql.NullString, vals []any) bool {
	for i, v := range vals {
		if v == nil {
			if got[i].Valid {
				return false
			}
			continue
		}
		if !got[i].Valid {
			return false
		}
		if f, ok := v.(float64); ok {
			g, err := strconv.ParseFloat(got[i].String, 64)
			if err != nil || g != f {
				return false
			}
			continue
		}
		if got[i].String != valueText(v) {
			return false
		}
	}
	return true
}
