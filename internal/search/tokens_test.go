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

// TestTokenIDMigration checks migration 0032 on PostgreSQL: postings
// written with their tokens' text, as the code before it wrote them, are
// converted to token ids so that Top gives the results of TestTop, and the
// converted postings are exactly those the current code writes for the same
// documents.
func TestTokenIDMigration(t *testing.T) {
	ctx := context.Background()
	old := storetest.OpenAt(t, store.Postgres, 31)
	err := old.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range topDocs {
			v := search.Vectors(d)
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs(kind, ref_id, rank, facets, tsv) VALUES ('test', $1, $2, '', $3::tsvector)`, d.RefID, d.Rank, v[0]); err != nil {
				return err
			}
			// addPostings before migration 0032.
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_facets(facets) VALUES ('') ON CONFLICT (facets) DO NOTHING`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `WITH x AS (SELECT $1::bigint AS ref_id, $2::bigint AS rank, f.id AS fset, $3::text AS t, $4::text AS k FROM search_facets f WHERE f.facets = '')
				INSERT INTO search_postings(ref_id, rank, fset, kind, pos, field, tok)
				SELECT x.ref_id, x.rank, x.fset, 127, p, 'A'::"char", u.lexeme FROM x, unnest(x.t::tsvector) u, unnest(u.positions) p
				UNION ALL
				SELECT x.ref_id, x.rank, x.fset, 127, p, 'B'::"char", u.lexeme FROM x, unnest(x.k::tsvector) u, unnest(u.positions) p`,
				d.RefID, d.Rank, v[1], v[2])
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cur := storetest.Open(t, store.Postgres)
	err = cur.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range topDocs {
			d.Kind = testKind
			if err := search.Index(ctx, cur, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	postings := func(db *store.DB) []string {
		var out []string
		err := store.EachRow(ctx, db.Reader(), `SELECT p.ref_id, p.rank, p.kind, p.pos, p.field, t.tok FROM search_postings p JOIN search_tokens t ON t.id = p.tok_id
			ORDER BY 1, 5, 4, 6`, nil, func(r *sql.Rows) error {
			var ref, rank, kind, pos int64
			var field, tok string
			err := r.Scan(&ref, &rank, &kind, &pos, &field, &tok)
			out = append(out, fmt.Sprint(ref, rank, kind, pos, field, tok))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if a, b := postings(old), postings(cur); len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("postings after the migration:\n%v\nwritten now:\n%v", a, b)
	}
	checkTop(t, old, topCases)
}
