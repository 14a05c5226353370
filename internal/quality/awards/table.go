package awards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// table is how one register's import rows are matched and written: the
// first keys of cols identify a record; a row equal to the stored record
// changes nothing, so the same file twice writes nothing.
type table[T any] struct {
	kind, title, name string
	columns           []kit.Column
	cols              []string
	keys              int
	keyCol, keyLabel  string
	key               func(T) string
	parse             func(s *Service, r kit.Row) (T, kit.Errors)
	// check, when set, checks a batch against the database (validation pass).
	check func(ctx context.Context, s *Service, batch []kit.Item[T]) (kit.Errors, error)
	// values gives the stored columns of a record, resolving links in tx.
	values func(ctx context.Context, tx *sql.Tx, s *Service, p auth.Principal, v T) ([]any, error)
	// export writes the records as import rows.
	export func(s *Service, ctx context.Context, w kit.TableWriter) error
}

func (t table[T]) importKind(s *Service) kit.ImportKind[auth.Principal] {
	k := kit.ImportKind[auth.Principal]{Name: t.kind, Title: t.title, Columns: t.columns}
	if s != nil {
		k.Import = func(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			return t.run(ctx, s, p, src, opt)
		}
		k.Export = func(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
			if err := p.Require(Editors...); err != nil {
				return err
			}
			return t.export(s, ctx, w)
		}
	}
	return k
}

func (t table[T]) run(ctx context.Context, s *Service, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: t.kind, File: src.Name}, err
	}
	pl := kit.Plan[T]{
		Kind: t.kind, Spec: kit.TableSpec{Columns: t.columns, Formulas: true},
		Parse: func(r kit.Row) (T, kit.Errors) { return t.parse(s, r) },
		Key:   t.key,
		Duplicate: func(row int, v T, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: t.keyCol, Msg: fmt.Sprintf("%s“%s”与第 %d 行重复", t.keyLabel, clip(t.key(v)), prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
			return t.write(ctx, s, p, batch, file)
		},
	}
	if t.check != nil {
		pl.Check = func(ctx context.Context, batch []kit.Item[T]) (kit.Errors, error) { return t.check(ctx, s, batch) }
	}
	return kit.RunImport(ctx, src, opt, pl)
}

func (t table[T]) write(ctx context.Context, s *Service, p auth.Principal, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
	n := len(t.cols)
	sel, ph, set, where := make([]string, n), make([]string, n), make([]string, n), make([]string, t.keys)
	for i, c := range t.cols {
		sel[i] = "COALESCE(CAST(" + c + " AS TEXT), '')"
		ph[i] = "$" + strconv.Itoa(i+1)
		set[i] = c + " = $" + strconv.Itoa(i+1)
		if i < t.keys {
			where[i] = c + " = $" + strconv.Itoa(i+1)
		}
	}
	selectQ := `SELECT id, ` + strings.Join(sel, ", ") + ` FROM ` + t.name + ` WHERE ` + strings.Join(where, " AND ")
	insertQ := `INSERT INTO ` + t.name + `(` + strings.Join(t.cols, ", ") + `, created_at, updated_at) VALUES (` + strings.Join(ph, ", ") + fmt.Sprintf(`, $%d, $%d) RETURNING id`, n+1, n+1)
	updateQ := `UPDATE ` + t.name + ` SET ` + strings.Join(set, ", ") + fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, n+1, n+2)
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = kit.BatchResult{}
		now := s.stamp()
		var created, updated []int64
		var after []any
		for _, it := range batch {
			vals, err := t.values(ctx, tx, s, p, it.Val)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			}
			var id int64
			got := make([]string, n)
			dst := []any{&id}
			for i := range got {
				dst = append(dst, &got[i])
			}
			err = tx.QueryRowContext(ctx, selectQ, vals[:t.keys]...).Scan(dst...)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, insertQ, append(vals, now)...).Scan(&id); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Created++
				created = append(created, id)
			case err != nil:
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			case same(got, vals):
				res.Unchanged++
				continue
			default:
				if _, err := tx.ExecContext(ctx, updateQ, append(vals, now, id)...); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
				res.Updated++
				updated = append(updated, id)
			}
			after = append(after, map[string]any{"id": id, "row": it.Row, "rec": it.Val})
		}
		if len(after) == 0 {
			return nil
		}
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: t.kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
	})
	return res, err
}

// same compares the stored columns (read as text, NULL as "") with a
// record's values.
func same(got []string, vals []any) bool {
	for i, v := range vals {
		s := ""
		if v != nil {
			s = fmt.Sprint(v)
		}
		if got[i] != s {
			return false
		}
	}
	return true
}

func writeRows(w kit.TableWriter, rows [][]string) error {
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}
