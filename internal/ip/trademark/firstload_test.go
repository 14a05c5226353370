package trademark_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// dump is what the register holds, independent of ids: the marks with
// their owners' credit codes, the status history and the day counts.
func dump(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT m.reg_no, m.name, m.classes, m.class_mask, m.owner, m.owner_code, COALESCE(e.credit_code, ''), m.region, m.prefecture, m.applied_on,
			m.registered_on, m.term_end, m.kind, m.madrid_no, m.gi, m.well_known, m.status, m.status_on, m.demo
			FROM trademarks m LEFT JOIN enterprises e ON e.id = m.enterprise_id ORDER BY m.reg_no`,
		`SELECT m.reg_no, s.status, s.effective_on FROM trademark_statuses s JOIN trademarks m ON m.id = s.trademark_id ORDER BY m.reg_no, s.effective_on`,
		`SELECT series, day, delta FROM trademark_daily WHERE delta <> 0 ORDER BY series, day`,
		`SELECT COUNT(*) FROM search_pending q JOIN trademarks m ON m.id = q.ref_id WHERE q.kind = 'trademark'`,
	} {
		r, err := db.Reader().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		r.Close()
	}
	return out
}

// indexes lists the non-unique indexes of the marks table.
func indexes(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trademarks' AND sql IS NOT NULL ORDER BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'trademarks' AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname`
	}
	var out []string
	err := store.EachRow(ctx, db.Reader(), q, nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		out = append(out, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestFirstLoadMatchesBatches: a file imported into an empty register
// (one transaction, indexes rebuilt after) and the same file imported onto
// a register that already holds one of its marks (a transaction per batch,
// with lookups) store the same marks, history, day counts and queue; the
// indexes are there afterwards; a refused file writes nothing.
func TestFirstLoadMatchesBatches(t *testing.T) {
	var buf bytes.Buffer
	if err := trademark.NewGen(7).WriteCSV(&buf, 2500); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	lines := bytes.SplitAfterN(file, []byte("\n"), 3)
	firstRow := append(slices.Clone(lines[0]), lines[1]...) // the header and the first mark
	want := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		before := indexes(t, db)
		if len(before) < 2 {
			t.Fatalf("indexes before: %v", before)
		}
		s := newService(t, db)
		// A refused file leaves the empty register empty.
		bad := append(slices.Clone(file), []byte("99999999,坏,99,某公司,,630100,2014-01-02,2015-03-14,2025-03-13,普通,,有效\n")...)
		if _, err := s.Import(ctx, admin, kit.BytesSource("bad.csv", bad), kit.ImportOptions{Batch: 400}); !errors.As(err, new(*kit.ImportRefused)) {
			t.Fatalf("bad file: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM trademarks`) + count(t, db, `SELECT COUNT(*) FROM trademark_daily`) + count(t, db, `SELECT COUNT(*) FROM search_pending`); n != 0 {
			t.Fatalf("refused file wrote %d rows", n)
		}
		rep, err := s.Import(ctx, admin, kit.BytesSource("gen.csv", file), kit.ImportOptions{Batch: 400})
		if err != nil || rep.Created != 2500 || rep.Batches != 7 {
			t.Fatalf("first load: %+v %v", rep, err)
		}
		if got := indexes(t, db); !slices.Equal(got, before) {
			t.Errorf("indexes after the first load %v, want %v", got, before)
		}
		fast := dump(t, db)
		want[db.Dialect()] = fast
		// One audit entry per batch, covering every row and every id,
		// and the chain holds.
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
		ids, next, fileSum := 0, 2, fmt.Sprintf("%x", sha256.Sum256(file))
		err = store.EachRow(ctx, db.Reader(), `SELECT after FROM audit_log WHERE entity = 'import' AND entity_id = 'trademarks' ORDER BY seq`, nil, func(r *sql.Rows) error {
			var after string
			var e struct {
				Rows    [2]int     `json:"rows"`
				Created [][2]int64 `json:"created"`
				Digest  string     `json:"rows_sha256"`
				File    string     `json:"file_sha256"`
			}
			if err := r.Scan(&after); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(after), &e); err != nil {
				return err
			}
			if e.Rows[0] != next || len(e.Digest) != 64 || e.File != fileSum {
				t.Errorf("audit entry %s, want rows from %d, a digest and the file's SHA-256 %s", after, next, fileSum)
			}
			next = e.Rows[1] + 1
			for _, c := range e.Created {
				ids += int(c[1] - c[0] + 1)
			}
			return nil
		})
		if err != nil || ids != 2500 || next != 2502 {
			t.Errorf("audit entries cover ids %d, rows up to %d, want 2500 and 2501 (%v)", ids, next-1, err)
		}

		// The same file onto a register holding its first mark: the
		// batch path.
		db2 := storetest.Open(t, db.Dialect())
		s2 := newService(t, db2)
		if rep, err := s2.Import(ctx, admin, kit.BytesSource("one.csv", firstRow), kit.ImportOptions{}); err != nil || rep.Created != 1 {
			t.Fatalf("one mark: %+v %v", rep, err)
		}
		rep, err = s2.Import(ctx, admin, kit.BytesSource("gen.csv", file), kit.ImportOptions{Batch: 400})
		if err != nil || rep.Created != 2499 || rep.Unchanged != 1 {
			t.Fatalf("batch path: %+v %v", rep, err)
		}
		slow := dump(t, db2)
		if len(fast) < 2500 || !slices.Equal(fast, slow) {
			for i := range min(len(fast), len(slow)) {
				if fast[i] != slow[i] {
					t.Fatalf("first load and batch path differ at %d:\n%s\n%s", i, fast[i], slow[i])
				}
			}
			t.Fatalf("first load %d rows, batch path %d", len(fast), len(slow))
		}
		// Importing again onto the full register changes nothing.
		rep, err = s.Import(ctx, admin, kit.BytesSource("gen.csv", file), kit.ImportOptions{Batch: 400})
		if err != nil || rep.Unchanged != 2500 {
			t.Fatalf("again: %+v %v", rep, err)
		}
		if again := dump(t, db); !slices.Equal(again, fast) {
			t.Errorf("importing again changed the register")
		}
	})
	if a, b := want[store.SQLite], want[store.Postgres]; a != nil && b != nil && !slices.Equal(a, b) {
		t.Errorf("the engines store different registers")
	}
}

// TestFirstLoadAllOrNothing: a first load that fails after some batches
// were written (here: cancelled) leaves no mark, owner, day count, queue
// entry or audit entry, and the indexes as they were.
func TestFirstLoadAllOrNothing(t *testing.T) {
	var buf bytes.Buffer
	if err := trademark.NewGen(9).WriteCSV(&buf, 1500); err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		before := indexes(t, db)
		owners := count(t, db, `SELECT COUNT(*) FROM enterprises`)
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log`)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		batches := 0
		_, err := s.Import(cctx, admin, kit.BytesSource("gen.csv", buf.Bytes()), kit.ImportOptions{Batch: 300, Progress: func(done, total int) {
			if batches++; batches == 2 {
				cancel()
			}
		}})
		if err == nil || !strings.Contains(err.Error(), "未写入任何记录") {
			t.Fatalf("cancelled first load: %v", err)
		}
		if batches != 2 {
			t.Errorf("%d batches written before the failure, want 2", batches)
		}
		for _, c := range []struct {
			q    string
			want int
		}{
			{`SELECT COUNT(*) FROM trademarks`, 0},
			{`SELECT COUNT(*) FROM trademark_statuses`, 0},
			{`SELECT COUNT(*) FROM trademark_daily`, 0},
			{`SELECT COUNT(*) FROM search_pending`, 0},
			{`SELECT COUNT(*) FROM enterprises`, owners},
			{`SELECT COUNT(*) FROM audit_log`, audits},
		} {
			if n := count(t, db, c.q); n != c.want {
				t.Errorf("%s: %d, want %d", c.q, n, c.want)
			}
		}
		if got := indexes(t, db); !slices.Equal(got, before) {
			t.Errorf("indexes after the failure %v, want %v", got, before)
		}
		// The register still takes the file.
		if rep, err := s.Import(ctx, admin, kit.BytesSource("gen.csv", buf.Bytes()), kit.ImportOptions{Batch: 300}); err != nil || rep.Created != 1500 {
			t.Fatalf("after the failure: %+v %v", rep, err)
		}
	})
}
