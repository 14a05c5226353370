package search_test

import (
	"context"
	"database/sql"
	"testing"

	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestKindCodeStored pins where a kind's code goes, on both engines: the
// top byte of SQLite's rowid (code<<56 | rank<<32 | ref_id) and
// PostgreSQL's search_postings.kind. Stored indexes depend on both.
func TestKindCodeStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kinds := []search.Kind{testKind, {Name: "test_low", Code: 1}}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for _, k := range kinds {
				if err := search.Index(ctx, db, tx, search.Doc{Kind: k, RefID: 5, Rank: 3, Title: "牦牛肉干"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			var got, want int64
			switch db.Dialect() {
			case store.SQLite:
				want = k.Code<<56 | 3<<32 | 5
				err = db.Reader().QueryRowContext(ctx, `SELECT id FROM search_docs WHERE kind = $1 AND ref_id = 5`, k.Name).Scan(&got)
			default:
				want = k.Code
				err = db.Reader().QueryRowContext(ctx, `SELECT MIN(p.kind) FROM search_postings p JOIN search_docs d ON d.ref_id = p.ref_id AND d.rank = p.rank
					WHERE d.kind = $1 AND p.ref_id = 5 AND p.kind = $2`, k.Name, k.Code).Scan(&got)
			}
			if err != nil || got != want {
				t.Errorf("%s: stored %d, want %d (%v)", k, got, want, err)
			}
		}
	})
}

// TestInvalidKind requires every entry point to refuse a kind without a
// name or with a code out of range, before it writes or reads anything.
func TestInvalidKind(t *testing.T) {
	bad := []search.Kind{{}, {Name: "x"}, {Name: "x", Code: -1}, {Name: "x", Code: search.MaxKindCode + 1}, {Code: 5}}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, k := range bad {
			calls := map[string]func() error{
				"Index": func() error {
					return db.Tx(ctx, func(tx *sql.Tx) error {
						return search.Index(ctx, db, tx, search.Doc{Kind: k, RefID: 1, Title: "牦牛"})
					})
				},
				"Batch": func() error {
					return db.Tx(ctx, func(tx *sql.Tx) error {
						return search.NewBatch(db.Dialect(), []search.Doc{{Kind: k, RefID: 1, Title: "牦牛"}}).Insert(ctx, db, tx)
					})
				},
				"Remove":     func() error { return db.Tx(ctx, func(tx *sql.Tx) error { return search.Remove(ctx, db, tx, k, 1) }) },
				"RemoveKind": func() error { return db.Tx(ctx, func(tx *sql.Tx) error { return search.RemoveKind(ctx, db, tx, k) }) },
				"Enqueue": func() error {
					return db.Tx(ctx, func(tx *sql.Tx) error { return search.Enqueue(ctx, db.Dialect(), tx, k, []int64{1}) })
				},
				"Drain": func() error {
					_, err := search.Drain(ctx, db, search.Source{Kind: k}, 0)
					return err
				},
				"Top": func() error {
					_, err := search.Top(ctx, db, search.ParseQuery("牦牛"), k, nil, 5)
					return err
				},
			}
			for name, call := range calls {
				if err := call(); err == nil {
					t.Errorf("%s accepts kind %+v", name, k)
				}
			}
		}
	})
}

func TestCheckKinds(t *testing.T) {
	a, b := search.Kind{Name: "a", Code: 1}, search.Kind{Name: "b", Code: 2}
	tests := []struct {
		name  string
		kinds []search.Kind
		ok    bool
	}{
		{"none", nil, true},
		{"distinct", []search.Kind{a, b, testKind}, true},
		{"same name", []search.Kind{a, b, {Name: "a", Code: 3}}, false},
		{"same code", []search.Kind{a, b, {Name: "c", Code: 2}}, false},
		{"twice", []search.Kind{a, a}, false},
		{"invalid", []search.Kind{a, {Name: "c", Code: search.MaxKindCode + 1}}, false},
		{"no name", []search.Kind{{Code: 3}}, false},
	}
	for _, tt := range tests {
		if err := search.CheckKinds(tt.kinds); (err == nil) != tt.ok {
			t.Errorf("%s: CheckKinds(%v) = %v", tt.name, tt.kinds, err)
		}
	}
}
