package sampling_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// batchRows are the stored batches, id order, without the timestamps.
func batchRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := store.EachRow(ctx, db.Reader(), `SELECT id, batch_no, COALESCE(task_id, 0), COALESCE(dept_id, 0), credit_code, COALESCE(enterprise_id, 0), outcome, done_on, notice_on FROM sampling_batches ORDER BY id`, nil, func(r *sql.Rows) error {
		var id, task, dept, ent int64
		var no, code, outcome, done, notice string
		err := r.Scan(&id, &no, &task, &dept, &code, &ent, &outcome, &done, &notice)
		out = append(out, fmt.Sprint(id, no, task, dept, code, ent, outcome, done, notice))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFirstLoad: the one-pass first load into the empty register and the
// two-pass import store the same batches, link the same enterprises and
// write the same audit entries; the chain verifies; the indexes (the unique
// batch number among them) exist again; the same file again is all
// unchanged; an invalid row past the first batches leaves the register
// empty with its indexes.
func TestFirstLoad(t *testing.T) {
	var buf bytes.Buffer
	if err := (&sampling.Gen{Seed: 3, Today: today, FromYear: 2023, Prefix: "F", Enterprises: 300}).WriteCSV(&buf, 5000); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		indexes := storetest.IndexNames(t, db, "sampling_batches")
		if !slices.Contains(indexes, "sampling_batches_batch_no") || len(indexes) < 4 {
			t.Fatalf("indexes before: %v", indexes)
		}
		two := storetest.Open(t, db.Dialect())
		s1, _ := setup(t, db)
		s2, _ := setup(t, two)
		opt := kit.ImportOptions{Batch: 2000}
		rep1, err := s1.Import(ctx, admin, kit.BytesSource("b.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.TwoPass = true
		rep2, err := s2.Import(ctx, admin, kit.BytesSource("b.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		if rep1.Created != 5000 || rep1.Batches != 3 || fmt.Sprint(rep1) != fmt.Sprint(rep2) {
			t.Fatalf("first load %+v, two passes %+v", rep1, rep2)
		}
		if r1, r2 := batchRows(t, db), batchRows(t, two); len(r1) != 5000 || !slices.Equal(r1, r2) {
			t.Fatalf("batches differ: %d against %d", len(r1), len(r2))
		}
		kittest.SameDigestImports(t, 3, db, two)
		storetest.VerifiedWithIndexes(t, "sampling_batches", indexes, db, two)
		rep, err := s1.Import(ctx, admin, kit.BytesSource("b.csv", file), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 5000 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}

		three := storetest.Open(t, db.Dialect())
		s3, _ := setup(t, three)
		lines := strings.SplitAfter(string(file), "\n")
		first, _, _ := strings.Cut(lines[1], ",")
		_, rest, _ := strings.Cut(lines[4000], ",")
		lines[4000] = first + "," + rest // row 4001 repeats row 2's batch number
		_, err = s3.Import(ctx, admin, kit.BytesSource("bad.csv", []byte(strings.Join(lines, ""))), kit.ImportOptions{Batch: 1000})
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) || !strings.Contains(err.Error(), "第 4001 行") || !strings.Contains(err.Error(), "与第 2 行重复") {
			t.Fatalf("want the refusal of row 4001, got %v", err)
		}
		if n := len(batchRows(t, three)); n != 0 {
			t.Fatalf("%d batches written by a refused load", n)
		}
		if got := storetest.IndexNames(t, three, "sampling_batches"); !slices.Equal(got, indexes) {
			t.Fatalf("indexes after a refused load %v, before %v", got, indexes)
		}
		if n := len(kittest.AuditEntries(t, three, "import")); n != 0 {
			t.Fatalf("%d import audit entries of a refused load", n)
		}
		if _, err := audit.Verify(ctx, three); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}
