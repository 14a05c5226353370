package standards_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// tableDigest is the number of rows of query q and a SHA-256 over them, in
// the query's order.
func tableDigest(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n := 0
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(h, "%T:%v\x1f", v, v)
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d rows, %s", n, hex.EncodeToString(h.Sum(nil)))
}

// stored describes what an import left in db: the registry's rows (but
// their stamps), tags and relations, the standards' search documents and
// their index entries (every token instance of the three FTS5 tables on
// SQLite, read through fts5vocab; the vectors and the postings on
// PostgreSQL), and the after-states of the import audit entries.
func stored(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	cols := `id, COALESCE(code_key, ''), code, family, prefix, region, kind, drug_category, variety, title, title_en, status, stage, fast_track, issued, implemented,
		ics, ccs, committee, department, publisher, drafting_units, drafters, filing_no, filing_date, scope, plan_task, demo, note`
	qs := map[string]string{
		"standards": `SELECT ` + cols + ` FROM standards ORDER BY id`,
		"tags":      `SELECT standard_id, tag FROM standard_tags ORDER BY standard_id, tag`,
		"relations": `SELECT standard_id, kind, target_key, target FROM standard_relations ORDER BY standard_id, kind, target_key`,
		"audit":     `SELECT after FROM audit_log WHERE entity = 'import' ORDER BY seq`,
	}
	if db.Dialect() == store.Postgres {
		qs["docs"] = `SELECT kind, ref_id, rank, facets, tsv::text FROM search_docs WHERE kind = 'standard' ORDER BY ref_id`
		qs["postings"] = `SELECT p.ref_id, p.rank, f.facets, p.kind, p.pos, p.field, t.tok FROM search_postings p JOIN search_facets f ON f.id = p.fset JOIN search_tokens t ON t.id = p.tok_id
			WHERE p.kind = 1 ORDER BY p.ref_id, p.field, p.pos, t.tok`
	} else {
		qs["docs"] = `SELECT id, kind, ref_id, rank, facets FROM search_docs WHERE kind = 'standard' ORDER BY id`
		for _, ft := range []string{"search_fts", "search_title", "search_kw"} {
			if _, err := db.Writer().ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_`+ft+` USING fts5vocab('main', '`+ft+`', 'instance')`); err != nil {
				t.Fatal(err)
			}
			qs[ft] = `SELECT term, doc, col, "offset" FROM temp.vocab_` + ft + ` ORDER BY doc, col, "offset", term`
		}
	}
	out := map[string]string{}
	for k, q := range qs {
		conn := db.Reader()
		if strings.HasPrefix(q, `SELECT term`) {
			conn = db.Writer() // temp tables live on the writer's connection
		}
		out[k] = tableDigest(t, conn, q)
	}
	return out
}

func countOf(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// replacedAsCurrent rewrites the replaced records of an import file that a
// current record of the file replaces as current: the import marks them
// replaced again (markReplaced), so the file as it was imports unchanged
// afterwards.
func replacedAsCurrent(t *testing.T, file []byte) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	replaced := map[string]bool{}
	for _, r := range rows[1:] {
		if r[2] == "现行" || r[2] == "即将实施" {
			for _, c := range strings.Split(r[9], "；") {
				replaced[standards.NormalizeCode(c)] = true
			}
		}
	}
	n := 0
	for _, r := range rows[1:] {
		if r[2] == "被代替" && replaced[standards.NormalizeCode(r[0])] {
			r[2] = "现行"
			n++
		}
	}
	if n < 100 {
		t.Fatalf("%d replaced records rewritten as current", n)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestFirstLoad: the one-pass first load into the empty registry and the
// two-pass import of the same file store the same records, tags,
// relations (replaced records marked), search documents and index entries,
// and write the same audit entries; the chain verifies; the registry's
// indexes exist again; the same file again is all unchanged; an invalid
// row past the first batches leaves the registry empty with its indexes
// and no import audit entry.
func TestFirstLoad(t *testing.T) {
	var buf bytes.Buffer
	if err := standards.NewGen(3).WriteImportCSV(&buf, 5000, "2026-01-01"); err != nil {
		t.Fatal(err)
	}
	file := replacedAsCurrent(t, buf.Bytes())
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The registry's tables, and on PostgreSQL the search tables, whose
		// indexes a load into a new database builds after the documents.
		tables := []string{"standards", "standard_tags", "standard_relations", "search_docs"}
		if db.Dialect() == store.Postgres {
			tables = append(tables, "search_postings")
		}
		indexes := map[string][]string{}
		for _, tb := range tables {
			indexes[tb] = storetest.IndexNames(t, db, tb)
		}
		if !slices.Contains(indexes["standards"], "standards_issued") || !slices.Contains(indexes["standard_tags"], "standard_tags_tag") ||
			db.Dialect() == store.Postgres && !slices.Contains(indexes["search_postings"], "search_postings_tok") {
			t.Fatalf("indexes before: %v", indexes)
		}
		two := storetest.Open(t, db.Dialect())
		s1, s2 := standards.NewService(db), standards.NewService(two)
		opt := kit.ImportOptions{Batch: 2000}
		rep1, err := s1.ImportFile(ctx, admin, kit.BytesSource("s.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		opt.TwoPass = true
		rep2, err := s2.ImportFile(ctx, admin, kit.BytesSource("s.csv", file), opt)
		if err != nil {
			t.Fatal(err)
		}
		if rep1.Created != 5000 || rep1.Batches != 3 || fmt.Sprint(rep1) != fmt.Sprint(rep2) {
			t.Fatalf("first load %+v, two passes %+v", rep1, rep2)
		}
		got1, got2 := stored(t, db), stored(t, two)
		for k, v := range got1 {
			if v != got2[k] {
				t.Errorf("%s: first load %s, two passes %s", k, v, got2[k])
			}
			if strings.HasPrefix(v, "0 rows") {
				t.Errorf("%s: nothing stored", k)
			}
		}
		if db.Dialect() == store.Postgres {
			// The postings are the title and keyword positions of the
			// vectors, none left of a record reindexed as replaced.
			posts := countOf(t, db, `SELECT COUNT(*) FROM search_postings WHERE kind = 1`)
			want := countOf(t, db, `SELECT COUNT(*) FROM search_docs d, unnest(d.tsv) u, unnest(u.positions, u.weights) x(pos, w) WHERE d.kind = 'standard' AND x.w IN ('A', 'B')`)
			if posts != want || posts == 0 {
				t.Errorf("%d postings, %d title and keyword positions in the vectors", posts, want)
			}
		}
		if n := countOf(t, db, `SELECT COUNT(*) FROM standards s WHERE status = 'replaced' AND EXISTS (SELECT 1 FROM standard_relations r WHERE r.target_key = s.code_key)`); n == 0 {
			t.Error("no replaced record is named by another's relation")
		}
		if a := tableDigest(t, db.Reader(), `SELECT after FROM audit_log WHERE entity = 'import' AND after LIKE '%`+kit.RowsDigestName+`%'`); !strings.HasPrefix(a, "3 rows") {
			t.Errorf("import audit entries with the rows digest: %s", a)
		}
		for _, tb := range tables {
			storetest.VerifiedWithIndexes(t, tb, indexes[tb], db, two)
		}
		if res, err := s1.Search(ctx, standards.Params{Q: "检验方法"}); err != nil || res.Total == 0 {
			t.Errorf("search after the first load: %d hits, %v", res.Total, err)
		}
		// The file as generated, the replaced records as such: all unchanged.
		rep, err := s1.ImportFile(ctx, admin, kit.BytesSource("s.csv", buf.Bytes()), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 5000 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v, %v", rep, err)
		}

		three := storetest.Open(t, db.Dialect())
		s3 := standards.NewService(three)
		lines := strings.SplitAfter(string(file), "\n")
		// Batches of 1,000 rows: row 4001, the last of the fourth batch,
		// repeats row 2; row 4002, the first of the fifth, repeats row
		// 4000 of the fourth.
		lines[4000], lines[4001] = lines[1], lines[3999]
		_, err = s3.ImportFile(ctx, admin, kit.BytesSource("bad.csv", []byte(strings.Join(lines, ""))), kit.ImportOptions{Batch: 1000})
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) || !strings.Contains(err.Error(), "第 4001 行") || !strings.Contains(err.Error(), "与第 2 行重复") {
			t.Fatalf("want the refusal of row 4001, got %v", err)
		}
		display := func(line string) string {
			t.Helper()
			rec, err := csv.NewReader(strings.NewReader(line)).Read()
			if err != nil {
				t.Fatal(err)
			}
			return standards.ParseCode(rec[0]).Display
		}
		wantErrs := fmt.Sprintf("第 4001 行 A 列（标准号）：标准号 %s 与第 2 行重复\n第 4002 行 A 列（标准号）：标准号 %s 与第 4000 行重复", display(lines[1]), display(lines[3999]))
		if got := strings.Join([]string{ref.Report.Errors[0].String(), ref.Report.Errors[len(ref.Report.Errors)-1].String()}, "\n"); len(ref.Report.Errors) != 2 || ref.Report.Rejected != 2 || got != wantErrs {
			t.Errorf("failures %v (%d rows), want\n%s", ref.Report.Errors, ref.Report.Rejected, wantErrs)
		}
		for _, q := range []string{`SELECT COUNT(*) FROM standards`, `SELECT COUNT(*) FROM standard_tags`, `SELECT COUNT(*) FROM standard_relations`,
			`SELECT COUNT(*) FROM search_docs`, `SELECT COUNT(*) FROM audit_log WHERE entity = 'import'`} {
			if n := countOf(t, three, q); n != 0 {
				t.Errorf("%s: %d after a refused load", q, n)
			}
		}
		for _, tb := range tables {
			storetest.VerifiedWithIndexes(t, tb, indexes[tb], three)
		}
		if _, err := audit.Verify(ctx, three); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}
