package awards

import (
	"context"
	"database/sql"
	"fmt"

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
	k := kit.ImportKind[auth.Principal]{Name: t.kind, Title: t.title, Columns: t.columns, Roles: auth.RoleStrings(Editors...)}
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
			return kit.FieldError{Row: row, Column: t.keyCol, Msg: fmt.Sprintf("%s“%s”与第 %d 行重复", t.keyLabel, kit.Clip(t.key(v)), prev)}
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
	rows := make([]kit.UpsertRow, len(batch))
	for i, it := range batch {
		rows[i] = kit.UpsertRow{Row: it.Row, Audit: it.Val, Values: func(tx *sql.Tx) ([]any, error) { return t.values(ctx, tx, s, p, it.Val) }}
	}
	return kit.Upsert{Kind: t.kind, Table: t.name, Cols: t.cols, Keys: t.keys}.WriteBatch(ctx, s.db, p.Actor(), s.stamp(), file, rows)
}

func writeRows(w kit.TableWriter, rows [][]string) error {
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}
