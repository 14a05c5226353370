package kit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// Upsert is the compare-and-write path of a small register's import: a
// row is matched on its first Keys columns of Cols in Table, inserted when
// new, updated when a column differs and left alone when equal, so the
// same file twice writes nothing. It reads one row at a time: meant for
// registers of hundreds or thousands of rows, not the COPY path of the
// large ones. The table has created_at and updated_at columns.
type Upsert struct {
	Kind  string // the import kind, for the audit entry
	Table string
	Cols  []string
	Keys  int
}

// UpsertRow is one row of a batch: its file row, its column values in
// Cols order (computed inside the batch's transaction, so links to other
// tables can be resolved there; a nil value is NULL) and what the audit
// digest records of it.
type UpsertRow struct {
	Row    int
	Values func(tx *sql.Tx) ([]any, error)
	Audit  any
}

// WriteBatch writes rows in one transaction with the batch's one audit
// entry (AuditImportBatch); now stamps created_at and updated_at.
func (u Upsert) WriteBatch(ctx context.Context, db *store.DB, by audit.Actor, now string, file ImportReport, rows []UpsertRow) (BatchResult, error) {
	n := len(u.Cols)
	sel, ph, set, where := make([]string, n), make([]string, n), make([]string, n), make([]string, u.Keys)
	for i, c := range u.Cols {
		sel[i] = "CAST(" + c + " AS TEXT)"
		ph[i] = "$" + strconv.Itoa(i+1)
		set[i] = c + " = $" + strconv.Itoa(i+1)
		if i < u.Keys {
			where[i] = c + " = $" + strconv.Itoa(i+1)
		}
	}
	selectQ := `SELECT id, ` + strings.Join(sel, ", ") + ` FROM ` + u.Table + ` WHERE ` + strings.Join(where, " AND ")
	insertQ := `INSERT INTO ` + u.Table + `(` + strings.Join(u.Cols, ", ") + `, created_at, updated_at) VALUES (` + strings.Join(ph, ", ") + fmt.Sprintf(`, $%d, $%d) RETURNING id`, n+1, n+1)
	updateQ := `UPDATE ` + u.Table + ` SET ` + strings.Join(set, ", ") + fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, n+1, n+2)
	var res BatchResult
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res = BatchResult{}
		var created, updated []int64
		var after []any
		for _, r := range rows {
			vals, err := r.Values(tx)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", r.Row, err)
			}
			var id int64
			got := make([]sql.NullString, n)
			dst := []any{&id}
			for i := range got {
				dst = append(dst, &got[i])
			}
			err = tx.QueryRowContext(ctx, selectQ, vals[:u.Keys]...).Scan(dst...)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, insertQ, append(vals, now)...).Scan(&id); err != nil {
					return fmt.Errorf("第 %d 行：%w", r.Row, err)
				}
				res.Created++
				created = append(created, id)
			case err != nil:
				return fmt.Errorf("第 %d 行：%w", r.Row, err)
			case SameText(got, vals):
				res.Unchanged++
				continue
			default:
				if _, err := tx.ExecContext(ctx, updateQ, append(vals, now, id)...); err != nil {
					return fmt.Errorf("第 %d 行：%w", r.Row, err)
				}
				res.Updated++
				updated = append(updated, id)
			}
			after = append(after, map[string]any{"id": id, "row": r.Row, "rec": r.Audit})
		}
		if len(after) == 0 {
			return nil
		}
		return AuditImportBatch(ctx, db, tx, by, ImportBatch{Kind: u.Kind, File: file, FirstRow: rows[0].Row, LastRow: rows[len(rows)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
	})
	return res, err
}
