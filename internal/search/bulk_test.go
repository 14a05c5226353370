package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"

	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestInsertConnSameRows writes the same documents three ways — one by one
// with Index (testKind), with Batch.Insert (batchKind) and with
// Batch.InsertConn, COPY on PostgreSQL (copyKind) — and requires the
// same index rows from each.
func TestInsertConnSameRows(t *testing.T) {
	in := append([]search.Doc(nil), docs...)
	in = append(in,
		search.Doc{RefID: 8, Rank: 40000, Title: `反斜杠\与'引号' 和	制表符`, Keywords: "a\\b 'c' 盐湖盐湖盐湖", Body: "换行\n回车\r结束", Facets: []string{`x\y`, "it's", "状态:现行"}},
		search.Doc{RefID: 9, Rank: 7, Title: "青海省地方标准青海省地方标准", Keywords: "DB63/T 1-2020", Facets: []string{"family:local"}},
		search.Doc{RefID: 10, Title: "", Keywords: "", Body: ""},
	)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		batchKind, copyKind := search.Kind{Name: "test_batch", Code: 2}, search.Kind{Name: "test_copy", Code: 1}
		withKind := func(kind search.Kind) []search.Doc {
			out := make([]search.Doc, len(in))
			for i, d := range in {
				d.Kind = kind
				out[i] = d
			}
			return out
		}
		err := search.Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
			for _, d := range withKind(testKind) {
				if err := search.Index(ctx, db, tx, d); err != nil {
					return err
				}
			}
			if err := search.NewBatch(db.Dialect(), withKind(batchKind)).Insert(ctx, db, tx); err != nil {
				return err
			}
			return search.NewBatch(db.Dialect(), withKind(copyKind)).InsertConn(ctx, db, tx, conn)
		})
		if err != nil {
			t.Fatal(err)
		}
		type query struct {
			sql  string
			args func(k search.Kind) []any
		}
		byName := func(k search.Kind) []any { return []any{k.Name} }
		queries := map[store.Dialect][]query{
			store.Postgres: {
				{`SELECT ref_id, rank, facets, tsv::text FROM search_docs WHERE kind = $1 ORDER BY ref_id`, byName},
				{`SELECT p.ref_id, p.rank, f.facets, p.pos, p.field, t.tok FROM search_postings p JOIN search_facets f ON f.id = p.fset JOIN search_tokens t ON t.id = p.tok_id
					WHERE p.kind = $1 ORDER BY 1, 5, 4, 6`, func(k search.Kind) []any { return []any{k.Code} }},
			},
			store.SQLite: {
				{`SELECT ref_id, rank, facets, id & 72057594037927935 FROM search_docs WHERE kind = $1 AND id >> 56 = $2 ORDER BY ref_id`,
					func(k search.Kind) []any { return []any{k.Name, k.Code} }},
			},
		}
		var first []string
		for _, kind := range []search.Kind{testKind, batchKind, copyKind} {
			var got []string
			for _, q := range queries[db.Dialect()] {
				rows, err := db.Reader().QueryContext(ctx, q.sql, q.args(kind)...)
				if err != nil {
					t.Fatal(err)
				}
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					got = append(got, fmt.Sprintf("%v", vals))
				}
				rows.Close()
			}
			if len(got) < len(in) {
				t.Fatalf("%s: %d rows, want at least %d", kind, len(got), len(in))
			}
			if first == nil {
				first = got
			} else if !reflect.DeepEqual(got, first) {
				t.Fatalf("%s rows differ from Index's:\n%q\n%q", kind, got, first)
			}
		}
		// And the searches find the same documents in each kind.
		for _, q := range []string{"牦牛", "盐湖", "反斜杠", "引号", "a", "青海省地方标准"} {
			var want []int64
			for i, kind := range []search.Kind{testKind, batchKind, copyKind} {
				res, err := search.Top(ctx, db, search.ParseQuery(q), kind, nil, 20)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, r := range res {
					ids = append(ids, r.RefID)
				}
				if i == 0 {
					want = ids
				} else if !reflect.DeepEqual(ids, want) {
					t.Fatalf("%q in %s: %v, want %v", q, kind, ids, want)
				}
			}
		}
	})
}

// TestBatchWritesInRowidOrder: FTS5 starts a new segment whenever a
// transaction writes a rowid below the last one, and the rowid leads with
// the rank; a batch of documents with ranks in no order must still make a
// handful of segments, not one per document. Merges are off (automerge 0,
// crisismerge high) so that the segments stay countable (each at least one
// row of search_fts_data).
func TestBatchWritesInRowidOrder(t *testing.T) {
	const n = 600
	tests := []struct {
		name   string
		rank   func(i int) int64
		maxRow int
	}{
		{"ranks ascending", func(i int) int64 { return int64(i) }, 40},
		{"ranks descending", func(i int) int64 { return int64(n - i) }, 40},
		{"ranks scattered", func(i int) int64 { return int64(i * 7919 % 1000) }, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			ctx := context.Background()
			for _, q := range []string{`INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 0)`, `INSERT INTO search_fts(search_fts, rank) VALUES ('crisismerge', 1000)`} {
				if _, err := db.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			var in []search.Doc
			for i := range n {
				in = append(in, search.Doc{Kind: testKind, RefID: int64(i + 1), Rank: tt.rank(i), Title: fmt.Sprintf("盐湖标准第%d号", i), Body: "青海省地方标准"})
			}
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.NewBatch(store.SQLite, in).Insert(ctx, db, tx) }); err != nil {
				t.Fatal(err)
			}
			var rows int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_fts_data`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows > tt.maxRow {
				t.Errorf("%d documents left %d rows in search_fts_data, want at most %d (a segment per out-of-order rowid?)", n, rows, tt.maxRow)
			}
			ms, err := search.Top(ctx, db, search.ParseQuery("盐湖标准"), testKind, nil, 3)
			if err != nil || len(ms) != 3 {
				t.Fatalf("Top: %v %v", ms, err)
			}
		})
	}
}

// TestFlushPending: a bulk batch on PostgreSQL lets the GIN pending list
// of the vectors grow past the default limit, and FlushPending merges it.
func TestFlushPending(t *testing.T) {
	for _, flush := range []bool{false, true} {
		t.Run(fmt.Sprintf("flush=%v", flush), func(t *testing.T) {
			db := storetest.Open(t, store.Postgres)
			ctx := context.Background()
			var in []search.Doc
			for i := range 3000 {
				in = append(in, search.Doc{Kind: testKind, RefID: int64(i + 1), Rank: int64(i), Title: fmt.Sprintf("盐湖标准第%d号 %d", i, i*31), Body: fmt.Sprintf("青海省地方标准 %x", i*7919)})
			}
			err := search.Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
				return search.NewBatch(store.Postgres, in).InsertConn(ctx, db, tx, conn)
			})
			if err != nil {
				t.Fatal(err)
			}
			if flush {
				if err := search.FlushPending(ctx, db); err != nil {
					t.Fatal(err)
				}
			}
			var pages int64
			if err := db.Writer().QueryRowContext(ctx, `SELECT gin_clean_pending_list('search_docs_tsv'::regclass)`).Scan(&pages); err != nil {
				t.Fatal(err)
			}
			if flush != (pages == 0) {
				t.Errorf("flush %v: %d pages were left in the pending list", flush, pages)
			}
		})
	}
}

// TestFTSHashHoldsABatch: a bulk statement of 5,000 documents with
// bodies leaves one FTS5 segment with the pending-terms hash migration
// 0033 sets, where SQLite's default 1 MB hash left several to merge.
// Merging is off, so the segments counted are those the flushes wrote.
func TestFTSHashHoldsABatch(t *testing.T) {
	const n = 5000
	pool := []rune("青海省市场监督管理局标准品牌营商环境质量服务四地建设盐湖产业清洁能源生态旅游绿色有机农畜产品输出地牦牛藏羊枸杞青稞冷水鱼计量检验检测认证特种设备安全监察知识产权保护地理标志商标专利")
	body := func(i int) string {
		r := make([]rune, 200)
		x := uint32(i*2654435761 + 1)
		for j := range r {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			r[j] = pool[x%uint32(len(pool))]
		}
		return string(r)
	}
	var docs []search.Doc
	for i := range n {
		docs = append(docs, search.Doc{Kind: testKind, RefID: int64(i + 1), Rank: int64(i), Title: fmt.Sprintf("地方标准第%d号", i), Body: body(i)})
	}
	tests := []struct {
		name     string
		hashsize string // set before the insert; "" keeps the migration's
		segments func(int) bool
		want     string
	}{
		{"migration 0033", "", func(s int) bool { return s == 1 }, "1"},
		{"SQLite's default 1 MB", "1048576", func(s int) bool { return s > 1 }, "more than 1 (else this test cannot fail)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			ctx := context.Background()
			var hs int64
			if err := db.Reader().QueryRowContext(ctx, `SELECT v FROM search_fts_config WHERE k = 'hashsize'`).Scan(&hs); err != nil || hs != 16<<20 {
				t.Fatalf("search_fts hashsize %d (%v), want %d", hs, err, 16<<20)
			}
			qs := []string{`INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', 0)`, `INSERT INTO search_fts(search_fts, rank) VALUES ('crisismerge', 1000)`}
			if tt.hashsize != "" {
				qs = append(qs, `INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', `+tt.hashsize+`)`)
			}
			for _, q := range qs {
				if _, err := db.Writer().ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.NewBatch(store.SQLite, docs).Insert(ctx, db, tx) }); err != nil {
				t.Fatal(err)
			}
			var rec []byte
			if err := db.Reader().QueryRowContext(ctx, `SELECT block FROM search_fts_data WHERE id = 10`).Scan(&rec); err != nil {
				t.Fatal(err)
			}
			if s := ftsSegments(t, rec); !tt.segments(s) {
				t.Errorf("%d documents in one statement left %d segments, want %s", n, s, tt.want)
			}
			ms, err := search.Top(ctx, db, search.ParseQuery("地方标准"), testKind, nil, 3)
			if err != nil || len(ms) != 3 {
				t.Fatalf("Top: %v %v", ms, err)
			}
		})
	}
}

// ftsSegments reads the number of segments from an FTS5 structure record
// (the %_data row 10): a 4-byte cookie, "\xff\x00\x00\x01" in the second
// version, then SQLite varints for the levels and the segments.
func ftsSegments(t *testing.T, rec []byte) int {
	t.Helper()
	i := 4
	if len(rec) >= 8 && string(rec[4:8]) == "\xff\x00\x00\x01" {
		i = 8
	}
	varint := func() int {
		v := 0
		for k := 0; k < 9 && i < len(rec); k++ {
			b := rec[i]
			i++
			if k == 8 {
				return v<<8 | int(b)
			}
			v = v<<7 | int(b&0x7f)
			if b < 0x80 {
				return v
			}
		}
		t.Fatalf("structure record ends in a varint: %x", rec)
		return 0
	}
	varint() // levels
	return varint()
}

// TestDeferIndexesMergesOnceOnSQLite: a first load into an empty index
// leaves its batches' segments unmerged until build, which merges each
// FTS table into one segment and puts FTS5's merge settings back; a
// rollback leaves them as they were; an index with documents is left
// alone.
func TestDeferIndexesMergesOnceOnSQLite(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	batch := func(from int) []search.Doc {
		var ds []search.Doc
		for i := from; i < from+50; i++ {
			ds = append(ds, search.Doc{Kind: testKind, RefID: int64(i + 1), Rank: int64(i * 7919 % 1000), Title: fmt.Sprintf("盐湖标准第%d号", i), Keywords: "盐湖", Body: "青海省地方标准"})
		}
		return ds
	}
	segments := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}, table string) int {
		var rec []byte
		if err := q.QueryRowContext(ctx, `SELECT block FROM `+table+`_data WHERE id = 10`).Scan(&rec); err != nil {
			t.Fatal(err)
		}
		return ftsSegments(t, rec)
	}
	config := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}, table, k string) string {
		var v sql.NullString
		err := q.QueryRowContext(ctx, `SELECT v FROM `+table+`_config WHERE k = $1`, k).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		return v.String
	}
	tables := []string{"search_fts", "search_title", "search_kw"}
	load := func(fail bool) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			build, err := search.DeferIndexes(ctx, db, tx)
			if err != nil {
				return err
			}
			for b := range 3 {
				if err := search.NewBatch(store.SQLite, batch(b*50)).Insert(ctx, db, tx); err != nil {
					return err
				}
			}
			for _, tb := range tables {
				if am, cm := config(tx, tb, "automerge"), config(tx, tb, "crisismerge"); am != "0" || cm != "1000" {
					t.Errorf("%s during the load: automerge %q crisismerge %q, want 0 and 1000", tb, am, cm)
				}
			}
			if got := segments(tx, "search_fts"); got < 2 {
				t.Errorf("search_fts before build: %d segments, want one a batch", got)
			}
			if fail {
				return fmt.Errorf("rolled back")
			}
			return build()
		})
	}
	if err := load(true); err == nil {
		t.Fatal("the failing load committed")
	}
	for _, tb := range tables {
		if am, cm := config(db.Reader(), tb, "automerge"), config(db.Reader(), tb, "crisismerge"); am != "" || cm != "" {
			t.Errorf("%s after a rollback: automerge %q crisismerge %q, want SQLite's defaults (no rows)", tb, am, cm)
		}
	}
	if err := load(false); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if got := segments(db.Reader(), tb); got != 1 {
			t.Errorf("%s after build: %d segments, want 1", tb, got)
		}
		if am, cm := config(db.Reader(), tb, "automerge"), config(db.Reader(), tb, "crisismerge"); am != "4" || cm != "16" {
			t.Errorf("%s after build: automerge %q crisismerge %q, want 4 and 16", tb, am, cm)
		}
	}
	ms, err := search.Top(ctx, db, search.ParseQuery("盐湖标准"), testKind, nil, 200)
	if err != nil || len(ms) != 150 {
		t.Fatalf("Top: %d matches, %v; want 150", len(ms), err)
	}
	// With documents in the index nothing changes: a batch adds a segment.
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		build, err := search.DeferIndexes(ctx, db, tx)
		if err != nil {
			return err
		}
		if err := search.NewBatch(store.SQLite, batch(150)).Insert(ctx, db, tx); err != nil {
			return err
		}
		return build()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := segments(db.Reader(), "search_fts"); got != 2 {
		t.Errorf("a load into a full index: %d segments, want 2 (no optimize)", got)
	}
}
