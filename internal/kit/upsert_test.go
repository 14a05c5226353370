package kit_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// partsTable is the register; Link finds or registers the owner in the
// batch's transaction.
func partsTable(firstLoad bool) kit.KeyedTable[part] {
	g := partsBase()
	g.FirstLoad, g.Digest = firstLoad, firstLoad
	return g
}

// partRows are the stored parts, key order, NULL as "-".
func partRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := store.EachRow(context.Background(), db.Reader(), `SELECT p.code, p.name, COALESCE(CAST(p.qty AS TEXT), '-'), COALESCE(p.note, '-'), COALESCE(o.name, '-')
		FROM kt_parts p LEFT JOIN kt_owners o ON o.id = p.owner_id ORDER BY p.code`, nil, func(r *sql.Rows) error {
		var c, n, q, no, o string
		err := r.Scan(&c, &n, &q, &no, &o)
		out = append(out, strings.Join([]string{c, n, q, no, o}, " "))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKeyedTableBatches: a batch of new, changed, unchanged rows and NULL
// values, over several batches and lookup chunks; the same file twice
// writes and audits nothing; Link registers an owner once for two rows and
// its failure refuses the batch.
func TestKeyedTableBatches(t *testing.T) {
	ctx := context.Background()
	by := audit.Actor{Name: "cli:test"}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		partsDB(t, db)
		g := partsTable(false)
		run := func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			return g.Run(ctx, db, by, nil, "2026-12-07T00:00:00Z", src, opt, parsePart)
		}
		rep, err := run(csvFile("a,甲,1,,厂一", "b,乙,,注,厂一", "c,丙,3,旧,"), kit.ImportOptions{Batch: 2})
		if err != nil || rep.Created != 3 || rep.Batches != 2 {
			t.Fatalf("first import %+v, %v", rep, err)
		}
		mixed := csvFile("a,甲,1,,厂一", "b,乙二,,注,厂一", "c,丙,,旧,厂二", "d,丁,4,,")
		tests := []struct {
			name                       string
			created, updated, unchaged int
			entries                    int // audit entries of the import after it
		}{
			{"mixed", 1, 2, 1, 2},
			{"same file again", 0, 0, 4, 2},
		}
		for _, tt := range tests {
			rep, err := run(mixed, kit.ImportOptions{Batch: 3})
			if err != nil || rep.Created != tt.created || rep.Updated != tt.updated || rep.Unchanged != tt.unchaged {
				t.Fatalf("%s: %+v, %v", tt.name, rep, err)
			}
			if n := len(kittest.AuditEntries(t, db, "import")); n != tt.entries+2 {
				t.Fatalf("%s: %d audit entries, want %d", tt.name, n, tt.entries+2)
			}
		}
		want := []string{"a 甲 1 - 厂一", "b 乙二 - 注 厂一", "c 丙 - 旧 厂二", "d 丁 4 - -"}
		if got := partRows(t, db); !slices.Equal(got, want) {
			t.Fatalf("rows %q, want %q", got, want)
		}
		if n := kittest.Counts(t, db, `SELECT COUNT(*) FROM kt_owners`)[0]; n != 2 {
			t.Fatalf("%d owners, want 2", n)
		}

		// A failing Link refuses its batch: nothing of it is written.
		_, err = run(csvFile("e,戊,,,厂一", "f,己,,,坏单位"), kit.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "第 3 行：单位无法登记") {
			t.Fatalf("failing link: %v", err)
		}
		if got := partRows(t, db); !slices.Equal(got, want) {
			t.Fatalf("rows after a failing link %q", got)
		}

		// Past one lookup chunk: 1200 new, then the same 1200 unchanged.
		var lines []string
		for i := range 1200 {
			lines = append(lines, fmt.Sprintf("k%04d,名%04d,%d,,", i, i, i))
		}
		for _, c := range []struct{ created, unchanged int }{{1200, 0}, {0, 1200}} {
			rep, err := run(csvFile(lines...), kit.ImportOptions{})
			if err != nil || rep.Created != c.created || rep.Unchanged != c.unchanged || rep.Updated != 0 {
				t.Fatalf("1200 rows: %+v, %v", rep, err)
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}

// TestKeyedTableConflict: a row refused by a unique index besides the key
// (a name stored already, or two new rows of one name) refuses its batch,
// in two passes and in a first load, and leaves nothing half-written.
func TestKeyedTableConflict(t *testing.T) {
	ctx := context.Background()
	by := audit.Actor{Name: "cli:test"}
	for _, first := range []bool{false, true} {
		t.Run(fmt.Sprintf("first load %v", first), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				partsDB(t, db)
				g := partsTable(first)
				run := func(src kit.Source) (kit.ImportReport, error) {
					return g.Run(ctx, db, by, nil, "2026-12-07T00:00:00Z", src, kit.ImportOptions{Batch: 2}, parsePart)
				}
				rep, err := run(csvFile("a,甲,1,,", "b,乙,2,,", "c,丙,3,,", "d,甲,4,,"))
				if !kit.IsUnique(err) || rep.Created != 0 && first {
					t.Fatalf("two new rows of one name: %+v, %v", rep, err)
				}
				want := []string(nil)
				if !first {
					want = []string{"a 甲 1 - -", "b 乙 2 - -"} // the first batch was committed
				}
				if got := partRows(t, db); !slices.Equal(got, want) {
					t.Fatalf("rows %q, want %q", got, want)
				}
				if !first {
					// A new row taking a stored name, after a changed row in
					// its batch: neither is written.
					_, err := run(csvFile("a,甲,9,,", "z,乙,1,,"))
					if !kit.IsUnique(err) {
						t.Fatalf("a stored name: %v", err)
					}
					if got := partRows(t, db); !slices.Equal(got, want) {
						t.Fatalf("rows %q, want %q", got, want)
					}
				}
				if got := storetest.IndexNames(t, db, "kt_parts"); !slices.Contains(got, "kt_parts_name") || !slices.Contains(got, "kt_parts_qty") {
					t.Fatalf("indexes after a refused import: %v", got)
				}
				if _, err := audit.Verify(ctx, db); err != nil {
					t.Fatalf("audit verify: %v", err)
				}
			})
		})
	}
}

// TestKeyedTableFirstLoad: a first load into the empty table and the same
// import in two passes store the same rows with the same audit entries;
// the indexes are there after it; a re-import is the lookup path, with
// every row unchanged and one changed.
func TestKeyedTableFirstLoad(t *testing.T) {
	ctx := context.Background()
	by := audit.Actor{Name: "cli:test"}
	var lines []string
	for i := range 3000 {
		owner := ""
		if i%1000 == 0 {
			owner = "厂一"
		}
		lines = append(lines, fmt.Sprintf("k%04d,名%04d,%d,,%s", i, i, i, owner))
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		two := storetest.Open(t, db.Dialect())
		partsDB(t, db)
		partsDB(t, two)
		indexes := storetest.IndexNames(t, db, "kt_parts")
		g := partsTable(true)
		var reps []kit.ImportReport
		for _, c := range []struct {
			db  *store.DB
			opt kit.ImportOptions
		}{{db, kit.ImportOptions{Batch: 1000}}, {two, kit.ImportOptions{Batch: 1000, TwoPass: true}}} {
			rep, err := g.Run(ctx, c.db, by, nil, "2026-12-07T00:00:00Z", csvFile(lines...), c.opt, parsePart)
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, rep)
		}
		if reps[0].Created != 3000 || reps[0].Batches != 3 || fmt.Sprint(reps[0]) != fmt.Sprint(reps[1]) {
			t.Fatalf("first load %+v, two passes %+v", reps[0], reps[1])
		}
		if r1, r2 := partRows(t, db), partRows(t, two); len(r1) != 3000 || !slices.Equal(r1, r2) {
			t.Fatalf("rows differ: %d against %d", len(r1), len(r2))
		}
		kittest.SameDigestImports(t, 3, db, two)
		storetest.VerifiedWithIndexes(t, "kt_parts", indexes, db, two)
		changed := slices.Clone(lines)
		changed[1500] = "k1500,新名,7,,"
		rep, err := g.Run(ctx, db, by, nil, "2026-12-08T00:00:00Z", csvFile(changed...), kit.ImportOptions{}, parsePart)
		if err != nil || rep.Unchanged != 2999 || rep.Updated != 1 || rep.Created != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}
	})
}

// TestUpsertCompositeKey: a table without id or created_at, matched on two
// columns, with a float column: a value stored as the file gives it is
// unchanged (SQLite reads 3.0 back as "3.0"), a changed one updated on its
// key, a new one inserted; the batch's links see each other's rows.
func TestUpsertCompositeKey(t *testing.T) {
	ctx := context.Background()
	by := audit.Actor{Name: "cli:test"}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE kt_vals (code TEXT NOT NULL, ind TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, period TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (code, ind))`); err != nil {
			t.Fatal(err)
		}
		u := kit.Upsert{Kind: "kt-vals", Table: "kt_vals", Cols: []string{"code", "ind", "value", "period"}, Keys: 2, NoCreatedAt: true, NoID: true}
		type val struct {
			code, ind string
			v         float64
			period    string
		}
		write := func(vs ...val) (kit.BatchResult, error) {
			rows := make([]kit.UpsertRow, len(vs))
			for i, v := range vs {
				rows[i] = kit.UpsertRow{Row: i + 2, Audit: fmt.Sprint(v), Values: func(*sql.Tx) ([]any, error) { return []any{v.code, v.ind, v.v, v.period}, nil }}
			}
			return u.WriteBatch(ctx, db, by, "2026-12-07T00:00:00Z", kit.ImportReport{Kind: u.Kind, File: "v.csv"}, rows)
		}
		tests := []struct {
			name string
			vals []val
			want kit.BatchResult
		}{
			{"new", []val{{"A", "X1", 3, "2026-10"}, {"A", "X2", 0.25, ""}, {"B", "X1", 1e9, "2026-11"}}, kit.BatchResult{Created: 3}},
			{"same again", []val{{"A", "X1", 3, "2026-10"}, {"A", "X2", 0.25, ""}, {"B", "X1", 1e9, "2026-11"}}, kit.BatchResult{Unchanged: 3}},
			{"mixed", []val{{"A", "X1", 3, "2026-11"}, {"A", "X2", 0.25, ""}, {"B", "X2", 2, ""}, {"B", "X1", 1e9 - 1, "2026-11"}}, kit.BatchResult{Created: 1, Updated: 2, Unchanged: 1}},
		}
		for _, tt := range tests {
			res, err := write(tt.vals...)
			if err != nil || res != tt.want {
				t.Fatalf("%s: %+v, %v; want %+v", tt.name, res, err, tt.want)
			}
		}
		var got []string
		err := store.EachRow(ctx, db.Reader(), `SELECT code, ind, value, period FROM kt_vals ORDER BY code, ind`, nil, func(r *sql.Rows) error {
			var v val
			err := r.Scan(&v.code, &v.ind, &v.v, &v.period)
			got = append(got, fmt.Sprint(v))
			return err
		})
		want := []string{"{A X1 3 2026-11}", "{A X2 0.25 }", "{B X1 9.99999999e+08 2026-11}", "{B X2 2 }"}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("rows %q, %v; want %q", got, err, want)
		}
		// Two rows of one key in a batch (equal once linked) refuse it.
		if _, err := write(val{"C", "X1", 1, ""}, val{"C", "X1", 2, ""}); err == nil || !strings.Contains(err.Error(), "第 3 行与第 2 行的键相同（C / X1）") {
			t.Fatalf("repeated key: %v", err)
		}
		if n := kittest.Counts(t, db, `SELECT COUNT(*) FROM kt_vals WHERE code = 'C'`)[0]; n != 0 {
			t.Fatalf("%d rows of a refused batch", n)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}
