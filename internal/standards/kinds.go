package standards

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// ImportKinds are the importable kinds of the standards package: the
// registry and the enterprise self-declarations.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	return []kit.ImportKind[auth.Principal]{
		{Name: "standards", Title: "标准目录 standards registry", Columns: ImportColumns, Roles: auth.RoleStrings(Editors...), Import: s.ImportFile, Export: s.ExportRegistry},
		{Name: "declarations", Title: "企业标准自我声明 enterprise self-declarations", Columns: declColumnsOf(), Roles: auth.RoleStrings(Editors...), Import: s.importDeclKind,
			Records: "项声明", Template: DeclImportTemplate, Description: declImportNotes(), WebRows: MaxDeclImportRows, Page: "/declarations/enterprises"},
	}
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
