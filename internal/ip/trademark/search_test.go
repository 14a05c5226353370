package trademark_test

import (
	"slices"
	"testing"

	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestCatalogueSearch: the catalogue finds marks by name, owner and
// registration number before the index has them (the marks waiting in
// search_pending are read by their text) and after search.Drain (the
// shared Chinese index: terms in any order, class numbers); a re-import
// that renames a mark is found under its new name only.
func TestCatalogueSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := importCSV(t, s, good, kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		find := func(q string) []string {
			t.Helper()
			l, err := s.Search(ctx, trademark.Filter{Q: q})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			var out []string
			for _, m := range l.Marks {
				out = append(out, m.RegNo)
			}
			slices.Sort(out)
			if len(out) != l.Total {
				t.Errorf("%q: %d marks on the page, total %d", q, len(out), l.Total)
			}
			return out
		}
		check := func(stage string, cases map[string][]string) {
			t.Helper()
			for q, want := range cases {
				if got := find(q); !slices.Equal(got, want) {
					t.Errorf("%s: %q → %v, want %v", stage, q, got, want)
				}
			}
		}
		if n, _ := search.PendingCount(ctx, db.Reader(), trademark.SearchKind); n != 5 {
			t.Fatalf("%d marks waiting for the index, want 5", n)
		}
		check("before the drain", map[string][]string{
			"枸杞": {"23456789"}, "雪": {"12345678", "34567890"}, "昆仑食品": {"12345678"}, "12345678": {"12345678"}, "骆驼": nil,
		})
		if n, err := search.Drain(ctx, db, s.SearchSource(), 0); err != nil || n != 5 {
			t.Fatalf("drain = %d, %v", n, err)
		}
		check("after the drain", map[string][]string{
			"枸杞": {"23456789"}, "雪": {"12345678", "34567890"}, "昆仑食品": {"12345678"}, "12345678": {"12345678"}, "骆驼": nil,
			"牦牛 乳业": {"34567890"}, "第33类": {"45678901"},
		})
		renamed := header + "23456789,柴达木红枸杞,29,海西州枸杞协会,,632800,2009-05-01,2010-06-07,2030-06-06,证明,,有效\n"
		if _, err := importCSV(t, s, renamed, kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		check("renamed, waiting", map[string][]string{"红枸杞": {"23456789"}, "柴达木枸杞": nil})
		if _, err := search.Drain(ctx, db, s.SearchSource(), 0); err != nil {
			t.Fatal(err)
		}
		check("renamed, drained", map[string][]string{"红枸杞": {"23456789"}, "枸杞 柴达木": {"23456789"}})
		if n, _ := search.PendingCount(ctx, db.Reader(), trademark.SearchKind); n != 0 {
			t.Errorf("%d still waiting", n)
		}
	})
}
