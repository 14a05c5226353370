package standards

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestReindexAfterUpgrade empties the search index as migration 0005 does
// and checks that a request does not rebuild it (it answers from what is
// there) and that EnsureIndex, run at start, does, with the same results
// as before.
func TestReindexAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := NewService(db)
		if _, err := SeedDemo(ctx, svc, auth.CLI("test")); err != nil {
			t.Fatal(err)
		}
		before, err := svc.Search(ctx, Params{Q: "牦牛"})
		if err != nil || before.Total != 3 {
			t.Fatalf("before: %d %v", before.Total, err)
		}
		stmts := []string{`TRUNCATE search_docs`}
		if db.Dialect() == store.SQLite {
			stmts = []string{`INSERT INTO search_fts(search_fts) VALUES ('delete-all')`, `INSERT INTO search_title(search_title) VALUES ('delete-all')`,
				`INSERT INTO search_kw(search_kw) VALUES ('delete-all')`, `DELETE FROM search_docs`}
		}
		for _, q := range stmts {
			if _, err := db.Writer().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		// A write before the first search indexes one record only.
		if _, err := svc.Create(ctx, auth.CLI("test"), Input{Code: "DB63/T 9100—2025", Title: "牦牛乳粉", Issued: "2025-01-02"}); err != nil {
			t.Fatal(err)
		}
		fresh := NewService(db)
		stale, err := fresh.Search(ctx, Params{Q: "牦牛"})
		if err != nil || stale.Total > 4 {
			t.Fatalf("a request on the stale index: %d hits (%v)", stale.Total, err)
		}
		var docs0 int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM search_docs WHERE kind = 'standard'`).Scan(&docs0)
		if docs0 != 1 {
			t.Fatalf("a request rebuilt the index: %d documents", docs0)
		}
		if err := fresh.EnsureIndex(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := fresh.Search(ctx, Params{Q: "牦牛"})
		if err != nil || after.Total != 4 || after.Hits[0].Code != "DB63/T 9100—2025" {
			t.Fatalf("after: %d %v", after.Total, err)
		}
		for i, h := range before.Hits {
			if after.Hits[i+1].ID != h.ID {
				t.Errorf("hit %d: %s, want %s", i+1, after.Hits[i+1].Code, h.Code)
			}
		}
		var docs, public int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM search_docs WHERE kind = 'standard'`).Scan(&docs)
		db.Reader().QueryRow(`SELECT COUNT(*) FROM standards WHERE status <> 'project'`).Scan(&public)
		if docs != public {
			t.Errorf("%d documents for %d public records", docs, public)
		}
	})
}

// started is a service as the server starts it: the search index checked
// and rebuilt when stale.
func started(t *testing.T, db *store.DB) *Service {
	t.Helper()
	s := NewService(db)
	if err := s.EnsureIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEachSearchDocIsWhatReindexWrites: the documents EachSearchDoc gives
// are those of the index (one a public record, same ids, ranks and facets),
// in id order.
func TestEachSearchDocIsWhatReindexWrites(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := NewService(db)
		if _, err := SeedDemo(ctx, svc, auth.CLI("test")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reindex(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{}
		rows, err := db.Reader().Query(`SELECT ref_id, rank, facets FROM search_docs WHERE kind = $1`, SearchKind.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, rank int64
			var facets string
			if err := rows.Scan(&id, &rank, &facets); err != nil {
				t.Fatal(err)
			}
			want[id] = fmt.Sprint(rank, " ", facets)
		}
		rows.Close()
		var last int64
		n := 0
		err = svc.EachSearchDoc(ctx, func(d search.Doc) error {
			n++
			if d.RefID <= last {
				return fmt.Errorf("record %d after %d", d.RefID, last)
			}
			last = d.RefID
			if got := fmt.Sprint(d.Rank, " ", strings.Join(d.Facets, " ")); got != want[d.RefID] {
				t.Errorf("record %d: %q, the index holds %q", d.RefID, got, want[d.RefID])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || n < 10 {
			t.Errorf("%d documents, the index holds %d", n, len(want))
		}
	})
}
