package inspect_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// entityRows are the stored entities, id order, without the timestamps.
func entityRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := store.EachRow(ctx, db.Reader(), `SELECT id, credit_code, name, region, type, risk FROM inspect_entities ORDER BY id`, nil, func(r *sql.Rows) error {
		var id int64
		var c, n, g, ty, k string
		err := r.Scan(&id, &c, &n, &g, &ty, &k)
		out = append(out, fmt.Sprint(id, c, n, g, ty, k))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEntityFirstLoad: the one-pass first load into an empty library and the
// two-pass import store the same rows with the same audit entries, the
// chain verifies, the name index exists again afterwards; a re-import finds
// every row unchanged; an invalid row in the middle of a file leaves the
// empty library empty with its indexes.
func TestEntityFirstLoad(t *testing.T) {
	var buf bytes.Buffer
	inspect.WriteEntities(&buf, 12_000, false)
	file := buf.Bytes()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		indexes := storetest.IndexNames(t, db, "inspect_entities")
		if !slices.Contains(indexes, "inspect_entities_name") {
			t.Fatalf("indexes before: %v", indexes)
		}
		two := storetest.Open(t, db.Dialect())
		s1, s2 := setup(t, db), setup(t, two)
		opt := kit.ImportOptions{Batch: 5000}
		rep1, err := s1.ImportEntities(ctx, admin, kit.BytesSource("e.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.TwoPass = true
		rep2, err := s2.ImportEntities(ctx, admin, kit.BytesSource("e.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		if rep1.Created != 12_000 || rep1.Batches != 3 || fmt.Sprint(rep1) != fmt.Sprint(rep2) {
			t.Fatalf("first load %+v, two passes %+v", rep1, rep2)
		}
		if r1, r2 := entityRows(t, db), entityRows(t, two); len(r1) != 12_000 || !slices.Equal(r1, r2) {
			t.Fatalf("rows differ: %d against %d", len(r1), len(r2))
		}
		kittest.SameDigestImports(t, 3, db, two)
		storetest.VerifiedWithIndexes(t, "inspect_entities", indexes, db, two)
		// The same file onto the full library: the lookup path, all unchanged.
		rep, err := s1.ImportEntities(ctx, admin, kit.BytesSource("e.csv", file), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 12_000 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}

		// An invalid row past the first batches of an empty library.
		three := storetest.Open(t, db.Dialect())
		s3 := setup(t, three)
		lines := strings.SplitAfter(string(file), "\n")
		lines[9000] = strings.Replace(lines[9000], ",A\n", ",Z\n", 1)
		lines[9000] = strings.Replace(lines[9000], ",B\n", ",Z\n", 1)
		lines[9000] = strings.Replace(lines[9000], ",C\n", ",Z\n", 1)
		lines[9000] = strings.Replace(lines[9000], ",D\n", ",Z\n", 1)
		_, err = s3.ImportEntities(ctx, admin, kit.BytesSource("bad.csv", []byte(strings.Join(lines, ""))), kit.ImportOptions{Batch: 1000})
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) || !strings.Contains(err.Error(), "第 9001 行 E 列（风险等级）") {
			t.Fatalf("want the refusal of row 9001, got %v", err)
		}
		if n := len(entityRows(t, three)); n != 0 {
			t.Fatalf("%d entities written by a refused load", n)
		}
		if got := storetest.IndexNames(t, three, "inspect_entities"); !slices.Equal(got, indexes) {
			t.Fatalf("indexes after a refused load %v, before %v", got, indexes)
		}
		if _, err := audit.Verify(ctx, three); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}
