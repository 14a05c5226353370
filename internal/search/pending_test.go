package search_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestDrain: records listed with Enqueue reach the index only when
// drained, several batches at a time; a changed record replaces its
// document, a vanished one leaves the index, a failing source leaves the
// list as it was.
func TestDrain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		titles := map[int64]string{}
		for i := int64(1); i <= 25; i++ {
			titles[i] = fmt.Sprintf("牦牛肉干第%d号", i)
		}
		titles[7] = "藏羊毛毯"
		fail := false
		src := search.Source{Kind: testKind, Docs: func(ctx context.Context, q store.Querier, ids []int64) ([]search.Doc, error) {
			if fail {
				return nil, errors.New("the register's table is unreadable")
			}
			var out []search.Doc
			for _, id := range ids {
				if t, ok := titles[id]; ok {
					out = append(out, search.Doc{Kind: testKind, RefID: id, Rank: id, Title: t})
				}
			}
			return out, nil
		}}
		enqueue := func(ids ...int64) {
			t.Helper()
			if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.Enqueue(ctx, db.Dialect(), tx, testKind, ids) }); err != nil {
				t.Fatal(err)
			}
		}
		top := func(q string) []int64 {
			t.Helper()
			ms, err := search.Top(ctx, db, search.ParseQuery(q), testKind, nil, 50)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, m := range ms {
				ids = append(ids, m.RefID)
			}
			return ids
		}
		pending := func() int64 {
			n, err := search.PendingCount(ctx, db.Reader(), testKind)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		all := make([]int64, 0, 25)
		for i := int64(1); i <= 25; i++ {
			all = append(all, i)
		}
		enqueue(all...)
		enqueue(3, 4) // listed twice: once in the list
		if got := top("藏羊"); got != nil || pending() != 25 {
			t.Fatalf("before the drain: found %v, %d pending", got, pending())
		}
		fail = true
		if _, err := search.Drain(ctx, db, src, 10); err == nil || pending() != 25 {
			t.Fatalf("a failing source: %v, %d pending", err, pending())
		}
		fail = false
		if n, err := search.Drain(ctx, db, src, 10); err != nil || n != 25 || pending() != 0 {
			t.Fatalf("drain = %d, %v; %d pending", n, err, pending())
		}
		if got := top("藏羊"); !reflect.DeepEqual(got, []int64{7}) {
			t.Errorf("藏羊 → %v", got)
		}
		if got := len(top("牦牛肉干")); got != 24 {
			t.Errorf("牦牛肉干 → %d records, want 24", got)
		}
		// 7 changes, 8 is deleted from the register.
		titles[7] = "青稞酒"
		delete(titles, 8)
		enqueue(7, 8)
		if n, err := search.Drain(ctx, db, src, 0); err != nil || n != 2 {
			t.Fatalf("second drain = %d, %v", n, err)
		}
		if got := top("藏羊"); got != nil {
			t.Errorf("a changed record's old text still found: %v", got)
		}
		if got := top("青稞"); !reflect.DeepEqual(got, []int64{7}) {
			t.Errorf("青稞 → %v", got)
		}
		if got := len(top("牦牛肉干")); got != 23 {
			t.Errorf("a deleted record still found: %d records, want 23", got)
		}
	})
}
