package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Import kinds (`sidi import KIND FILE`).
const (
	KindItems      = "inspection_items"
	KindEntities   = "entities"
	KindInspectors = "inspectors"
)

// ImportKinds are the list and libraries for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: KindItems, Title: "随机抽查事项清单 inspection items (一单)", Columns: ItemColumns},
		{Name: KindEntities, Title: "检查对象名录库 entity library", Columns: EntityColumns},
		{Name: KindInspectors, Title: "执法检查人员名录库 inspector library", Columns: InspectorColumns},
		{Name: KindDays, Title: "节假日与调休上班日 holiday calendar", Columns: HolidayColumns},
		{Name: KindRiskValues, Title: "信用风险指标值 credit-risk indicator values", Columns: RiskValueColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportItems, s.ExportItems
		ks[1].Import, ks[1].Export = s.ImportEntities, s.ExportEntities
		ks[2].Import, ks[2].Export = s.ImportInspectors, s.ExportInspectors
		ks[3].Import, ks[3].Export = s.ImportHolidays, s.ExportHolidays
		ks[4].Import, ks[4].Export = s.ImportRiskValues, s.ExportRiskValues
	}
	return ks
}

// table is how one library's rows are matched (on the key, the first
// column) and written in bulk: the batch's existing rows are read in
// chunks, new rows are inserted with multi-row statements, changed rows
// updated; one audit entry per batch.
type table[T any] struct {
	kind, name, keyCol, keyLabel string
	cols                         []string // the first is the key
	columns                      []kit.Column
	values                       func(T) []string
	parse                        func(kit.Row) (T, kit.Errors)
}

var (
	itemTable = table[Item]{kind: KindItems, name: "inspect_items", keyCol: ColItemCode, keyLabel: "事项编码", columns: ItemColumns,
		cols:   []string{"code", "name", "object", "basis", "method", "class", "dept"},
		values: func(v Item) []string { return []string{v.Code, v.Name, v.Object, v.Basis, v.Method, v.Class, v.Dept} }, parse: ParseItem}
	entityTable = table[Entity]{kind: KindEntities, name: "inspect_entities", keyCol: ColCreditCode, keyLabel: "统一社会信用代码", columns: EntityColumns,
		cols:   []string{"credit_code", "name", "region", "type", "risk"},
		values: func(v Entity) []string { return []string{v.CreditCode, v.Name, v.Region, v.Type, v.Risk} }, parse: ParseEntity}
	inspectorTable = table[Person]{kind: KindInspectors, name: "inspect_inspectors", keyCol: ColCertNo, keyLabel: "执法证号", columns: InspectorColumns,
		cols: []string{"cert_no", "name", "unit", "domain", "avoid"},
		values: func(v Person) []string {
			return []string{v.CertNo, v.Name, v.Unit, v.Domain, strings.Join(v.Avoid, ";")}
		}, parse: ParseInspector}
)

func (t table[T]) run(ctx context.Context, s *Service, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: t.kind, File: src.Name}, err
	}
	key := func(v T) string { return t.values(v)[0] }
	// Into an empty table every row is new (the file's keys are unique:
	// the validation pass refuses duplicates): the import is a first load
	// (kit.Plan.Load), one pass in one transaction, without the lookup of
	// existing rows and with the secondary indexes built after the rows; a
	// row written meanwhile by someone else fails it on the unique key.
	var rows int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+t.name+` LIMIT 1) x`).Scan(&rows)
	if err != nil {
		return kit.ImportReport{Kind: t.kind, File: src.Name}, err
	}
	pl := kit.Plan[T]{
		Kind: t.kind, Spec: kit.TableSpec{Columns: t.columns, Formulas: true}, Parse: t.parse, Key: key, Workers: kit.AllCPUs, // the parse functions keep no state
		Duplicate: func(row int, v T, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: t.keyCol, Msg: fmt.Sprintf("%s %s 与第 %d 行重复", t.keyLabel, key(v), prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
			var res kit.BatchResult
			err := s.db.Tx(ctx, func(tx *sql.Tx) (err error) {
				res, err = t.write(ctx, s, p, tx, nil, batch, file, false)
				return err
			})
			return res, err
		},
	}
	if rows == 0 {
		pl.Load = func(ctx context.Context, load func(kit.WriteFunc[T]) error) error {
			restore, err := s.db.BulkCache(ctx)
			if err != nil {
				return err
			}
			defer restore()
			return search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
				build, err := kit.DeferIndexes(ctx, s.db.Dialect(), tx, t.name)
				if err != nil {
					return err
				}
				err = load(func(ctx context.Context, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
					return t.write(ctx, s, p, tx, conn, batch, file, true)
				})
				if err != nil {
					return err
				}
				return build()
			})
		}
	}
	return kit.RunImport(ctx, src, opt, pl)
}

// existing reads the stored rows of keys (id and the columns as text).
func (t table[T]) existing(ctx context.Context, tx *sql.Tx, keys []string) (map[string][]string, map[string]int64, error) {
	vals, ids := map[string][]string{}, map[string]int64{}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		ph := make([]string, len(part))
		args := make([]any, len(part))
		for i, k := range part {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), k
		}
		err := store.EachRow(ctx, tx, `SELECT id, `+strings.Join(t.cols, ", ")+` FROM `+t.name+` WHERE `+t.cols[0]+` IN (`+strings.Join(ph, ", ")+`)`, args, func(r *sql.Rows) error {
			var id int64
			got := make([]string, len(t.cols))
			dst := []any{&id}
			for i := range got {
				dst = append(dst, &got[i])
			}
			if err := r.Scan(dst...); err != nil {
				return err
			}
			vals[got[0]], ids[got[0]] = got, id
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("inspect: %s: %w", t.kind, err)
		}
	}
	return vals, ids, nil
}

// write stores one batch inside tx: the changed rows updated, the new ones
// inserted (with COPY on PostgreSQL when conn is given), one audit entry.
// fresh: the table had no rows when the import began (no lookup).
func (t table[T]) write(ctx context.Context, s *Service, p auth.Principal, tx *sql.Tx, conn *sql.Conn, batch []kit.Item[T], file kit.ImportReport, fresh bool) (kit.BatchResult, error) {
	var res kit.BatchResult
	now := s.stamp()
	old, oldIDs := map[string][]string{}, map[string]int64{}
	if !fresh {
		keys := make([]string, len(batch))
		for i, it := range batch {
			keys[i] = t.values(it.Val)[0]
		}
		var err error
		if old, oldIDs, err = t.existing(ctx, tx, keys); err != nil {
			return res, err
		}
	}
	var added [][]string
	var created, updated []int64
	digest := kit.NewRowsDigest()
	set := make([]string, len(t.cols)-1)
	for i, c := range t.cols[1:] {
		set[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	var upd *sql.Stmt
	for _, it := range batch {
		vals := t.values(it.Val)
		prev, ok := old[vals[0]]
		switch {
		case !ok:
			added = append(added, vals)
			continue
		case slices.Equal(prev, vals):
			res.Unchanged++
			continue
		}
		if upd == nil {
			var err error
			if upd, err = tx.PrepareContext(ctx, `UPDATE `+t.name+` SET `+strings.Join(set, ", ")+fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, len(t.cols), len(t.cols)+1)); err != nil {
				return res, fmt.Errorf("inspect: %s: %w", t.kind, err)
			}
			defer upd.Close()
		}
		args := make([]any, 0, len(vals)+1)
		for _, v := range vals[1:] {
			args = append(args, v)
		}
		id := oldIDs[vals[0]]
		if _, err := upd.ExecContext(ctx, append(args, now, id)...); err != nil {
			return res, fmt.Errorf("第 %d 行：%w", it.Row, err)
		}
		res.Updated++
		updated = append(updated, id)
		digest.Add(id, it.Row, vals...)
	}
	if len(added) > 0 {
		ids, err := store.NewIDs(ctx, s.db.Dialect(), tx, t.name, len(added))
		if err != nil {
			return res, err
		}
		if err := t.insert(ctx, s, tx, conn, ids, added, now); err != nil {
			return res, err
		}
		res.Created += len(added)
		created = ids
		for i, v := range added {
			digest.Add(ids[i], 0, v...)
		}
	}
	if res.Created+res.Updated == 0 {
		return res, nil
	}
	return res, kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: t.kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
		Created: created, Updated: updated, Unchanged: res.Unchanged, Digest: digest})
}

// insert writes new rows with the ids given: with COPY on PostgreSQL when
// conn is given, else with multi-row statements.
func (t table[T]) insert(ctx context.Context, s *Service, tx *sql.Tx, conn *sql.Conn, ids []int64, rows [][]string, now string) error {
	cols := `(id, ` + strings.Join(t.cols, ", ") + `, updated_at)`
	if s.db.Dialect() == store.Postgres && conn != nil {
		var buf []byte
		for i, vals := range rows {
			buf = strconv.AppendInt(buf, ids[i], 10)
			for _, v := range vals {
				buf = store.AppendCopy(append(buf, '\t'), v)
			}
			buf = store.AppendCopy(append(buf, '\t'), now)
			buf = append(buf, '\n')
		}
		if err := store.CopyFrom(ctx, conn, `COPY `+t.name+cols+` FROM STDIN`, buf); err != nil {
			return fmt.Errorf("inspect: %s: copy: %w", t.kind, err)
		}
		return nil
	}
	if s.db.Dialect() == store.Postgres {
		return store.InsertRows(ctx, s.db.Dialect(), tx, "inspect: "+t.kind, `INSERT INTO `+t.name+cols+` VALUES `, make([]string, len(t.cols)+2), len(rows), func(i int) []any {
			row := make([]any, 0, len(t.cols)+2)
			row = append(row, ids[i])
			for _, v := range rows[i] {
				row = append(row, v)
			}
			return append(row, now)
		})
	}
	// SQLite: OR FAIL and the ids left to the engine, which gives the ones
	// reserved (kit.CheckLastID) — no statement journal either way; a
	// failure rolls the whole transaction back.
	err := store.InsertRows(ctx, s.db.Dialect(), tx, "inspect: "+t.kind, `INSERT OR FAIL INTO `+t.name+`(`+strings.Join(t.cols, ", ")+`, updated_at) VALUES `, make([]string, len(t.cols)+1), len(rows), func(i int) []any {
		row := make([]any, 0, len(t.cols)+1)
		for _, v := range rows[i] {
			row = append(row, v)
		}
		return append(row, now)
	})
	if err != nil {
		return err
	}
	return kit.CheckLastID(ctx, tx, t.name, ids[len(ids)-1])
}

// ImportItems imports the item list (matched on 事项编码).
func (s *Service) ImportItems(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return itemTable.run(ctx, s, p, src, opt)
}

// ImportEntities imports the entity library (matched on the credit code).
func (s *Service) ImportEntities(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return entityTable.run(ctx, s, p, src, opt)
}

// ImportInspectors imports the inspector library (matched on 执法证号).
func (s *Service) ImportInspectors(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return inspectorTable.run(ctx, s, p, src, opt)
}

func (t table[T]) export(ctx context.Context, s *Service, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Viewers...); err != nil {
		return err
	}
	if err := w.Write(kit.Header(t.columns)); err != nil {
		return err
	}
	return store.EachRow(ctx, s.db.Reader(), `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+` ORDER BY `+t.cols[0], nil, func(r *sql.Rows) error {
		got := make([]string, len(t.cols))
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

// ExportItems writes the item list as an import file.
func (s *Service) ExportItems(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return itemTable.export(ctx, s, p, w)
}

// ExportEntities writes the entity library as an import file.
func (s *Service) ExportEntities(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return entityTable.export(ctx, s, p, w)
}

// ExportInspectors writes the inspector library as an import file.
func (s *Service) ExportInspectors(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return inspectorTable.export(ctx, s, p, w)
}
