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
// with Index (kind "test"), with Batch.Insert (kind "declaration") and with
// Batch.InsertConn, COPY on PostgreSQL (kind "standard") — and requires the
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
		withKind := func(kind string) []search.Doc {
			out := make([]search.Doc, len(in))
			for i, d := range in {
				d.Kind = kind
				out[i] = d
			}
			return out
		}
		err := search.Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
			for _, d := range withKind("test") {
				if err := search.Index(ctx, db, tx, d); err != nil {
					return err
				}
			}
			if err := search.NewBatch(db.Dialect(), withKind("declaration")).Insert(ctx, db, tx); err != nil {
				return err
			}
			return search.NewBatch(db.Dialect(), withKind("standard")).InsertConn(ctx, db, tx, conn)
		})
		if err != nil {
			t.Fatal(err)
		}
		queries := map[store.Dialect][]string{
			store.Postgres: {
				`SELECT ref_id, rank, facets, tsv::text FROM search_docs WHERE kind = $1 ORDER BY ref_id`,
				`SELECT p.ref_id, p.rank, f.facets, p.pos, p.field, p.tok FROM search_postings p JOIN search_facets f ON f.id = p.fset
					WHERE p.kind = (CASE $1 WHEN 'standard' THEN 1 WHEN 'declaration' THEN 2 ELSE 127 END) ORDER BY 1, 5, 4, 6`,
			},
			store.SQLite: {
				`SELECT ref_id, rank, facets, id & 72057594037927935 FROM search_docs WHERE kind = $1 ORDER BY ref_id`,
			},
		}
		var first []string
		for _, kind := range []string{"test", "declaration", "standard"} {
			var got []string
			for _, q := range queries[db.Dialect()] {
				rows, err := db.Reader().QueryContext(ctx, q, kind)
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
			for i, kind := range []string{"test", "declaration", "standard"} {
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
