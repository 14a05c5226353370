package kit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Upsert is the compare-and-write path of a keyed import: a row is matched
// on its first Keys columns of Cols in Table, inserted when new, updated
// when a column differs and left alone when equal, so the same file twice
// writes nothing. A batch is written in bulk: its stored rows are read in
// chunks of keys (upsertChunk a statement), its new rows inserted with
// multi-row statements (COPY on PostgreSQL inside a first load: Load), its
// changed rows updated through one prepared statement.
type Upsert struct {
	Kind  string // the import kind, for the audit entry
	Table string
	Cols  []string
	Keys  int // how many leading Cols form the key (0 means 1)
	// NoCreatedAt: the table has an updated_at column but no created_at
	// (both are stamped with the batch's time otherwise).
	NoCreatedAt bool
	// NoID: the table has no id column (its key is its primary key); rows
	// are updated on their key and the audit entry names no ids.
	NoID bool
}

// UpsertRow is one row of a batch: its file row, its column values in
// Cols order (computed inside the batch's transaction, so links to other
// tables can be resolved there; a nil value is NULL) and what the audit
// entry records of it: its record, hashed as one JSON line with its id and
// row, or, when nil, its values (kit.RowsDigest; a NULL hashes as the empty string, so
// this is for tables whose values are never NULL).
type UpsertRow struct {
	Row    int
	Values func(tx *sql.Tx) ([]any, error)
	Audit  any
}

// Into is the transaction a batch is written in. Conn, when set, is the
// transaction's connection, for COPY on PostgreSQL; Fresh says the table
// was empty when the transaction began (a first load: no lookup).
type Into struct {
	Tx    *sql.Tx
	Conn  *sql.Conn
	Fresh bool
}

// upsertChunk is how many keys one lookup statement reads.
const upsertChunk = 500

func (u Upsert) keys() int {
	if u.Keys <= 0 {
		return 1
	}
	return u.Keys
}

// WriteBatch writes rows in one transaction of their own with the batch's
// one audit entry; now stamps created_at and updated_at.
func (u Upsert) WriteBatch(ctx context.Context, db *store.DB, by audit.Actor, now string, file ImportReport, rows []UpsertRow) (BatchResult, error) {
	var res BatchResult
	err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		res, err = u.Write(ctx, db, Into{Tx: tx}, by, now, file, rows)
		return err
	})
	return res, err
}

// Empty says whether u's table has no rows (an import into it can be a
// first load: Load).
func (u Upsert) Empty(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+u.Table+` LIMIT 1) x`).Scan(&n); err != nil {
		return false, fmt.Errorf("import %s: %w", u.Kind, err)
	}
	return n == 0, nil
}

// Load runs a first load into u's empty table: one transaction (with the
// connection for COPY), the SQLite writer's bulk cache, the table's
// secondary indexes dropped and built again once over the loaded rows
// (DeferIndexes: a row written meanwhile by someone else refuses the
// load); fn writes the batches through Write with the Into it is given,
// and the transaction commits only when fn returns nil.
func (u Upsert) Load(ctx context.Context, db *store.DB, fn func(in Into) error) error {
	restore, err := db.BulkCache(ctx)
	if err != nil {
		return err
	}
	defer restore()
	return search.Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
		build, err := DeferIndexes(ctx, db.Dialect(), tx, u.Table)
		if err != nil {
			return err
		}
		if err := fn(Into{Tx: tx, Conn: conn, Fresh: true}); err != nil {
			return err
		}
		return build()
	})
}

// stored is a row read back: its id and its columns as text.
type stored struct {
	id  int64
	got []sql.NullString
}

// Write stores one batch inside in.Tx with its one audit entry: first every
// row's values (the links resolved, in file order), then the stored rows
// of their keys (none when in.Fresh), then the updates and the inserts.
// Two rows whose keys are equal once linked refuse the batch.
func (u Upsert) Write(ctx context.Context, db *store.DB, in Into, by audit.Actor, now string, file ImportReport, rows []UpsertRow) (BatchResult, error) {
	var res BatchResult
	if len(rows) == 0 {
		return res, nil
	}
	n, k := len(u.Cols), u.keys()
	vals := make([][]any, len(rows))
	keys := make([]string, len(rows))
	first := make(map[string]int, len(rows))
	for i, r := range rows {
		v, err := r.Values(in.Tx)
		if err != nil {
			return res, fmt.Errorf("第 %d 行：%w", r.Row, err)
		}
		if len(v) != n {
			return res, fmt.Errorf("import %s: row %d has %d values, want %d", u.Kind, r.Row, len(v), n)
		}
		vals[i], keys[i] = v, keyText(v[:k])
		if prev, ok := first[keys[i]]; ok {
			return res, fileError("第 %d 行与第 %d 行的键相同（%s）", r.Row, rows[prev].Row, Clip(strings.ReplaceAll(keys[i], keySep, " / ")))
		}
		first[keys[i]] = i
	}
	var old map[string]stored
	if !in.Fresh {
		var err error
		if old, err = u.existing(ctx, db.Dialect(), in.Tx, vals); err != nil {
			return res, err
		}
	}
	var added []int
	var created, updated []int64
	var after []any
	digest := rows[0].Audit == nil
	var sum *RowsDigest
	if digest {
		sum = NewRowsDigest()
	}
	record := func(id int64, i int) {
		if digest {
			sum.addValues(id, rows[i].Row, vals[i])
			return
		}
		a := map[string]any{"row": rows[i].Row, "rec": rows[i].Audit}
		if !u.NoID {
			a["id"] = id
		}
		after = append(after, a)
	}
	var upd *sql.Stmt
	for i, r := range rows {
		prev, ok := old[keys[i]]
		switch {
		case !ok:
			added = append(added, i)
			continue
		case SameText(prev.got, vals[i]):
			res.Unchanged++
			continue
		}
		if upd == nil {
			var err error
			if upd, err = in.Tx.PrepareContext(ctx, u.updateQuery()); err != nil {
				return res, fmt.Errorf("import %s: %w", u.Kind, err)
			}
			defer upd.Close()
		}
		args := append(append([]any{}, vals[i][k:]...), now)
		if u.NoID {
			args = append(args, vals[i][:k]...)
		} else {
			args = append(args, prev.id)
		}
		if _, err := upd.ExecContext(ctx, args...); err != nil {
			return res, fmt.Errorf("第 %d 行：%w", r.Row, err)
		}
		res.Updated++
		if !u.NoID {
			updated = append(updated, prev.id)
		}
		record(prev.id, i)
	}
	if len(added) > 0 {
		ids, err := u.insert(ctx, db.Dialect(), in, vals, added, now)
		if err != nil {
			return res, err
		}
		res.Created = len(added)
		created = ids
		for j, i := range added {
			var id int64
			if ids != nil {
				id = ids[j]
			}
			record(id, i)
		}
	}
	if res.Created+res.Updated == 0 {
		return res, nil
	}
	b := ImportBatch{Kind: u.Kind, File: file, FirstRow: rows[0].Row, LastRow: rows[len(rows)-1].Row,
		Created: created, Updated: updated, Unchanged: res.Unchanged, After: after}
	if digest {
		b.Digest = sum
	}
	return res, AuditImportBatch(ctx, db, in.Tx, by, b)
}

// updateQuery sets a row's columns past the key and updated_at, on its id
// (or its key, NoID).
func (u Upsert) updateQuery() string {
	k := u.keys()
	set := make([]string, 0, len(u.Cols)-k+1)
	for _, c := range u.Cols[k:] {
		set = append(set, c+" = $"+strconv.Itoa(len(set)+1))
	}
	p := len(set) + 1
	set = append(set, "updated_at = $"+strconv.Itoa(p))
	if !u.NoID {
		return `UPDATE ` + u.Table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = $` + strconv.Itoa(p+1)
	}
	where := make([]string, k)
	for i, c := range u.Cols[:k] {
		where[i] = c + " = $" + strconv.Itoa(p+1+i)
	}
	return `UPDATE ` + u.Table + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(where, " AND ")
}

// existing reads the stored rows of the batch's keys (the id and the
// columns as text), upsertChunk keys a statement, by their keyText.
func (u Upsert) existing(ctx context.Context, d store.Dialect, tx *sql.Tx, vals [][]any) (map[string]stored, error) {
	n, k := len(u.Cols), u.keys()
	sel := make([]string, 0, n+1)
	if !u.NoID {
		sel = append(sel, "id")
	}
	for _, c := range u.Cols {
		sel = append(sel, "CAST("+c+" AS TEXT)")
	}
	head := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + u.Table + ` WHERE `
	if k == 1 {
		head += u.Cols[0] + ` IN `
	} else {
		head += `(` + strings.Join(u.Cols[:k], ", ") + `) IN `
	}
	out := make(map[string]stored, len(vals))
	for start := 0; start < len(vals); start += upsertChunk {
		part := vals[start:min(start+upsertChunk, len(vals))]
		args := make([]any, 0, len(part)*k)
		for _, v := range part {
			args = append(args, v[:k]...)
		}
		err := store.EachRow(ctx, tx, head+keyList(d, k, len(part)), args, func(r *sql.Rows) error {
			s := stored{got: make([]sql.NullString, n)}
			dst := make([]any, 0, n+1)
			if !u.NoID {
				dst = append(dst, &s.id)
			}
			for i := range s.got {
				dst = append(dst, &s.got[i])
			}
			if err := r.Scan(dst...); err != nil {
				return err
			}
			key := make([]string, k)
			for i, g := range s.got[:k] {
				key[i] = g.String
			}
			out[strings.Join(key, keySep)] = s
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import %s: stored rows: %w", u.Kind, err)
		}
	}
	return out, nil
}

// keyList is the right side of a lookup's IN for m keys of k columns:
// placeholders for one column; for several, rows of them — a VALUES list
// on SQLite (whose row-value IN takes only a subquery), a list of row
// constructors on PostgreSQL (each compared with the columns' types).
func keyList(d store.Dialect, k, m int) string {
	if k == 1 {
		return store.Placeholders(d, 1, m)
	}
	var b strings.Builder
	b.WriteByte('(')
	if d == store.SQLite {
		b.WriteString("VALUES ")
	}
	for i := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(store.Placeholders(d, 1+i*k, k))
	}
	b.WriteByte(')')
	return b.String()
}

// insert writes the rows of vals at added, stamped now, and returns their
// ids (nil for NoID): reserved with store.NewIDs and written explicitly on
// PostgreSQL — with COPY when in.Conn is given, else multi-row INSERTs —;
// on SQLite left to the engine, which gives the ones reserved
// (CheckLastID), with INSERT OR FAIL: no statement journal either way, and
// a failure rolls the whole transaction back.
func (u Upsert) insert(ctx context.Context, d store.Dialect, in Into, vals [][]any, added []int, now string) ([]int64, error) {
	cols := append([]string{}, u.Cols...)
	stamps := 1
	if !u.NoCreatedAt {
		cols, stamps = append(cols, "created_at"), 2
	}
	cols = append(cols, "updated_at")
	var ids []int64
	if !u.NoID {
		var err error
		if ids, err = store.NewIDs(ctx, d, in.Tx, u.Table, len(added)); err != nil {
			return nil, err
		}
	}
	explicit := ids != nil && d == store.Postgres
	if explicit {
		cols = append([]string{"id"}, cols...)
	}
	row := func(j int, out []any) []any {
		if explicit {
			out = append(out, ids[j])
		}
		out = append(out, vals[added[j]]...)
		for range stamps {
			out = append(out, now)
		}
		return out
	}
	what := "import " + u.Kind
	if d == store.Postgres && in.Conn != nil {
		var buf []byte
		for j, i := range added {
			if explicit {
				buf = append(strconv.AppendInt(buf, ids[j], 10), '\t')
			}
			for _, v := range vals[i] {
				buf = append(store.AppendCopyValue(buf, v), '\t')
			}
			for s := range stamps {
				if s > 0 {
					buf = append(buf, '\t')
				}
				buf = store.AppendCopy(buf, now)
			}
			buf = append(buf, '\n')
		}
		if err := store.CopyFrom(ctx, in.Conn, `COPY `+u.Table+`(`+strings.Join(cols, ", ")+`) FROM STDIN`, buf); err != nil {
			return nil, fmt.Errorf("%s: copy: %w", what, err)
		}
		return ids, nil
	}
	verb := `INSERT INTO `
	if d == store.SQLite {
		verb = `INSERT OR FAIL INTO `
	}
	err := store.InsertRows(ctx, d, in.Tx, what, verb+u.Table+`(`+strings.Join(cols, ", ")+`) VALUES `, make([]string, len(cols)), len(added), func(j int) []any {
		return row(j, make([]any, 0, len(cols)))
	})
	if err != nil {
		return nil, err
	}
	if ids != nil && d == store.SQLite {
		if err := CheckLastID(ctx, in.Tx, u.Table, ids[len(ids)-1]); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// keySep joins the columns of a composite key's text.
const keySep = "\x1f"

// keyText is the text of a key's values, as the lookup reads them back.
func keyText(vals []any) string {
	if len(vals) == 1 {
		return valueText(vals[0])
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = valueText(v)
	}
	return strings.Join(parts, keySep)
}

// valueText is a value as text, as fmt prints it (the empty string for nil).
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}
