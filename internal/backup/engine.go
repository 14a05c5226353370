package backup

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/store"
)

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// snapshotSQLite copies the live database with VACUUM INTO (one read
// transaction: writers carry on, the copy is one consistent state) and
// describes the copy in m.
func snapshotSQLite(ctx context.Context, db *store.DB, dst string, m *Manifest) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The store's readers are query_only, which VACUUM INTO refuses; a
	// connection of its own only reads the live file all the same.
	src, err := openSQLiteFile(filepath.Join(db.DataDir(), "sidi.db"), false)
	if err != nil {
		return err
	}
	_, err = src.ExecContext(ctx, `VACUUM INTO $1`, dst)
	src.Close()
	if err != nil {
		return fmt.Errorf("backup: VACUUM INTO: %w", err)
	}
	cp, err := openSQLiteFile(dst, true)
	if err != nil {
		return err
	}
	defer cp.Close()
	return describe(ctx, cp, m, sqliteTables)
}

func openSQLiteFile(p string, readOnly bool) (*sql.DB, error) {
	dsn := "file:" + p + "?_pragma=busy_timeout(10000)"
	if readOnly {
		dsn += "&mode=ro"
	}
	d, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("backup: open %s: %w", p, err)
	}
	d.SetMaxOpenConns(1)
	return d, nil
}

// describe fills m's schema version, chain heads and per-table counts from q.
func describe(ctx context.Context, q queryer, m *Manifest, list func(context.Context, queryer) ([]string, error)) error {
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&m.SchemaVersion); err != nil {
		return fmt.Errorf("backup: schema version: %w", err)
	}
	var err error
	if m.AuditHead, err = audit.AuditHead(ctx, q); err != nil {
		return err
	}
	if m.LoginHead, err = audit.LoginHead(ctx, q); err != nil {
		return err
	}
	if m.Tables == nil {
		names, err := list(ctx, q)
		if err != nil {
			return err
		}
		for _, n := range names {
			m.Tables = append(m.Tables, Table{Name: n})
		}
		for i := range m.Tables {
			if m.Tables[i].Rows, err = countRows(ctx, q, m.Tables[i].Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func countRows(ctx context.Context, q queryer, table string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(table)).Scan(&n); err != nil {
		return 0, fmt.Errorf("backup: count %s: %w", table, err)
	}
	return n, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqliteTables lists the tables of a SQLite database (virtual tables and
// their shadow tables included: they are what the file holds).
func sqliteTables(ctx context.Context, q queryer) ([]string, error) {
	return names(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
}

// postgresTables lists the base tables of the current schema.
func postgresTables(ctx context.Context, q queryer) ([]string, error) {
	return names(ctx, q, `SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
}

func names(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("backup: catalog: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("backup: catalog: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: catalog: %w", err)
	}
	return out, nil
}

// loadOrder sorts tables so that every table comes after the tables its
// foreign keys point to (references within a table are handled on load).
func loadOrder(ctx context.Context, q queryer, tables []string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT cl.relname, cf.relname FROM pg_constraint k
		JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class cf ON cf.oid = k.confrelid
		WHERE k.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid`)
	if err != nil {
		return nil, fmt.Errorf("backup: foreign keys: %w", err)
	}
	defer rows.Close()
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("backup: foreign keys: %w", err)
		}
		deps[from] = append(deps[from], to)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: foreign keys: %w", err)
	}
	state := map[string]int{} // 1 visiting, 2 done
	var out []string
	var visit func(t string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("backup: foreign keys form a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		d := deps[t]
		sort.Strings(d)
		for _, x := range d {
			if err := visit(x); err != nil {
				return err
			}
		}
		state[t] = 2
		out = append(out, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pgColumns are the stored (not generated) columns of table with their types.
func pgColumns(ctx context.Context, q queryer, table string) ([]Column, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
		ORDER BY a.attnum`, table)
	if err != nil {
		return nil, fmt.Errorf("backup: columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, fmt.Errorf("backup: columns of %s: %w", table, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// pgPrimaryKey lists table's primary-key columns in key order.
func pgPrimaryKey(ctx context.Context, q queryer, table string) ([]string, error) {
	return names(ctx, q, `SELECT a.attname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = $1 AND i.indisprimary
		ORDER BY array_position(i.indkey::int2[], a.attnum)`, table)
}

// dumpPostgres writes every table of the schema as JSON lines from one
// REPEATABLE READ snapshot and returns the parts' names.
func dumpPostgres(ctx context.Context, db *store.DB, stage string, m *Manifest) ([]string, error) {
	tx, err := db.Reader().BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("backup: begin snapshot: %w", err)
	}
	defer tx.Rollback()
	tables, err := postgresTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	if tables, err = loadOrder(ctx, tx, tables); err != nil {
		return nil, err
	}
	var parts []string
	for _, t := range tables {
		cols, err := pgColumns(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		pk, err := pgPrimaryKey(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		part := "db/" + t + ".jsonl"
		n, err := dumpTable(ctx, tx, t, cols, pk, filepath.Join(stage, filepath.FromSlash(part)))
		if err != nil {
			return nil, err
		}
		m.Tables = append(m.Tables, Table{Name: t, Rows: n, Part: part, Columns: cols})
		parts = append(parts, part)
	}
	if err := describe(ctx, tx, m, nil); err != nil {
		return nil, err
	}
	return parts, tx.Commit()
}

func dumpTable(ctx context.Context, tx *sql.Tx, table string, cols []Column, pk []string, dst string) (int64, error) {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = quoteIdent(c.Name) + "::text"
	}
	q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + quoteIdent(table)
	if len(pk) > 0 {
		ord := make([]string, len(pk))
		for i, c := range pk {
			ord[i] = quoteIdent(table) + "." + quoteIdent(c) // the column, not its ::text output of the same name
		}
		q += ` ORDER BY ` + strings.Join(ord, ", ")
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(w)
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("backup: dump %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]*string, len(cols))
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("backup: dump %s: %w", table, err)
		}
		for i, v := range vals {
			out[i] = nil
			if v.Valid {
				s := v.String
				out[i] = &s
			}
		}
		if err := enc.Encode(out); err != nil {
			return 0, fmt.Errorf("backup: dump %s: %w", table, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("backup: dump %s: %w", table, err)
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("backup: dump %s: %w", table, err)
	}
	return n, f.Close()
}
