package kit

import (
	"context"
	"database/sql"
	"errors"
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
	var res BatchResult
	n, k := len(g.Cols), g.keyLen()
	sel, ph, set, where := make([]string, n), make([]string, n), make([]string, n), make([]string, k)
	for i, c := range g.Cols {
		sel[i] = "CAST(" + c + " AS TEXT)"
		ph[i] = fmt.Sprintf("$%d", i+1)
		set[i] = fmt.Sprintf("%s = $%d", c, i+1)
		if i < k {
			where[i] = fmt.Sprintf("%s = $%d", c, i+1)
		}
	}
	find := `SELECT id, ` + strings.Join(sel, ", ") + ` FROM ` + g.Table + ` WHERE ` + strings.Join(where, " AND ")
	insert := `INSERT INTO ` + g.Table + `(` + strings.Join(g.Cols, ", ") + `, created_at, updated_at) VALUES (` + strings.Join(ph, ", ") + fmt.Sprintf(`, $%d, $%d) RETURNING id`, n+1, n+1)
	update := `UPDATE ` + g.Table + ` SET ` + strings.Join(set, ", ") + fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, n+1, n+2)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res = BatchResult{}
		var created, updated []int64
		var after []any
		for _, it := range batch {
			v := it.Val
			if g.Link != nil {
				if err := g.Link(ctx, tx, &v); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
			}
			vals := g.Values(v)
			var id int64
			got := make([]sql.NullString, n)
			dst := []any{&id}
			for i := range got {
				dst = append(dst, &got[i])
			}
			err := tx.QueryRowContext(ctx, find, vals[:k]...).Scan(dst...)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, insert, append(vals, now)...).Scan(&id); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Created++
				created = append(created, id)
			case err != nil:
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			case SameText(got, vals):
				res.Unchanged++
				continue
			default:
				if _, err := tx.ExecContext(ctx, update, append(vals, now, id)...); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Updated++
				updated = append(updated, id)
			}
			after = append(after, map[string]any{"id": id, "row": it.Row, "rec": v})
		}
		if len(after) == 0 {
			return nil
		}
		return AuditImportBatch(ctx, db, tx, by, ImportBatch{Kind: g.Kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
	})
	return res, err
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
