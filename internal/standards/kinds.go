package standards

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// ImportKinds are the importable kinds of the standards package: the
// registry and the enterprise self-declarations.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	declCols := make([]kit.Column, 0, len(DeclImportColumns)+1)
	for _, c := range DeclImportColumns {
		declCols = append(declCols, kit.Column{Name: c, Required: true})
	}
	declCols = append(declCols, kit.Column{Name: DeclImportNoteColumn})
	return []kit.ImportKind[auth.Principal]{
		{Name: "standards", Title: "标准目录 standards registry", Columns: ImportColumns, Roles: auth.RoleStrings(Editors...), Import: s.ImportFile, Export: s.ExportRegistry},
		{Name: "declarations", Title: "企业标准自我声明 enterprise self-declarations", Columns: declCols, Roles: auth.RoleStrings(Editors...), Import: s.importDeclKind},
	}
}

// importDeclKind runs the declaration import as a kind. A declaration
// spans rows, so the file is checked and written as a whole (one
// transaction, one audit entry): --skip-invalid is refused.
func (s *Service) importDeclKind(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	rep := kit.ImportReport{Kind: "declarations", File: src.Name}
	if err := p.Require(Editors...); err != nil {
		return rep, err
	}
	if opt.SkipInvalid {
		return rep, apperr.Invalid("自我声明按声明整体导入（一项声明可跨多行），不支持跳过错误行，请改正后重新导入")
	}
	f, err := src.Open()
	if err != nil {
		return rep, fmt.Errorf("standards: import %s: %w", src.Name, err)
	}
	defer f.Close()
	var res DeclImportResult
	if opt.DryRun {
		res, err = s.importDeclarations(ctx, p, src.Name, f, true)
	} else {
		res, err = s.ImportDeclarations(ctx, p, src.Name, f)
	}
	var des kit.Errors
	if errors.As(err, &des) {
		var rows = map[int]bool{}
		var rw *csv.Writer
		if opt.Rejects != nil {
			rw = csv.NewWriter(opt.Rejects)
			rw.Write([]string{"行号", "列", "原因"})
		}
		for _, d := range des {
			if len(rep.Errors) < kit.MaxReportErrors {
				rep.Errors = append(rep.Errors, d)
			}
			rows[d.Row] = true
			if rw != nil {
				rw.Write([]string{strconv.Itoa(d.Row), d.Column, d.Msg})
			}
		}
		if rw != nil {
			rw.Flush()
		}
		rep.Rejected = len(rows)
		return rep, kit.Refuse(rep)
	}
	if err != nil {
		return rep, err
	}
	rep.Rows, rep.Created, rep.Updated, rep.Unchanged = res.Rows, res.Created, res.Updated, res.Unchanged
	if !opt.DryRun {
		rep.Batches = 1
	}
	return rep, nil
}

// ExportRegistry writes the registry's published records (not the ones in
// the revision workflow) as an import file of the same columns, so that
// importing an export changes nothing.
func (s *Service) ExportRegistry(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	if err := w.Write(kit.Header(ImportColumns)); err != nil {
		return err
	}
	type row struct {
		id    int64
		cells []string
	}
	today := s.today()
	for last := int64(0); ; {
		var rows []row
		// The table is the registry of coded standards: drug standards,
		// compilations without a code and projects are kept in the
		// registry by the form and are not part of it (the import refuses
		// a row without a code).
		err := store.EachRow(ctx, s.db.Reader(), `SELECT id, code, title, status, issued, implemented, ics, ccs, committee, drafting_units FROM standards
			WHERE id > $1 AND status <> 'project' AND kind = $3 AND code <> '' ORDER BY id LIMIT $2`, []any{last, reindexChunk, KindStandard}, func(r *sql.Rows) error {
			var x row
			x.cells = make([]string, 10)
			c := x.cells
			err := r.Scan(&x.id, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8])
			// The status as people read it today (即将实施 before the
			// implementation date), which the import reads back the same.
			c[2] = StatusLabels[publicStatus(c[2], c[4], today)]
			rows = append(rows, x)
			return err
		})
		if err != nil {
			return fmt.Errorf("standards: export: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		lo, hi := rows[0].id, rows[len(rows)-1].id
		at := map[int64][]string{}
		for _, x := range rows {
			at[x.id] = x.cells
		}
		err = store.EachRow(ctx, s.db.Reader(), `SELECT standard_id, target FROM standard_relations WHERE kind = 'replaces' AND standard_id BETWEEN $1 AND $2 ORDER BY standard_id, target_key`, []any{lo, hi}, func(r *sql.Rows) error {
			var id int64
			var code string
			err := r.Scan(&id, &code)
			if c := at[id]; c != nil {
				c[9] = strings.TrimPrefix(c[9]+"；"+code, "；")
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("standards: export: %w", err)
		}
		for _, x := range rows {
			if err := w.Write(x.cells); err != nil {
				return err
			}
		}
		last = hi
	}
}
