package inspect_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"sidi/internal/creditcode"
	"sidi/internal/inspect"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestFreezeReadsOneState: the freeze reads a library of 30,000 entities
// (on SQLite in several id ranges at once) and freezes exactly the
// scope's entities by class, sorted, as one read of the table gives them;
// of two entities with a wrong check character one is named (on SQLite
// the first in id order, whichever range reads it).
func TestFreezeReadsOneState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 30_000, 12)
		task := inspect.Task{Name: "范围", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "6301"},
			Ratios: map[string]inspect.Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
		want := map[string][]string{}
		err := store.EachRow(ctx, db.Reader(), `SELECT credit_code, risk FROM inspect_entities WHERE region LIKE '6301%'`, nil, func(r *sql.Rows) error {
			var c, k string
			err := r.Scan(&c, &k)
			want[k] = append(want[k], c)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := s.Freeze(ctx, task)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, st := range rec.Candidates {
			w := want[st.Class]
			slices.Sort(w)
			if !slices.Equal(st.IDs, w) {
				t.Fatalf("class %s: %d frozen, %d in the table", st.Class, len(st.IDs), len(w))
			}
			n += len(st.IDs)
		}
		if n < 1000 || n == 30_000 || len(rec.Candidates) != 4 {
			t.Fatalf("%d candidates in %d classes: the scope's filter or the classes are off", n, len(rec.Candidates))
		}
		// Break two check characters, far apart in id order.
		var bad []string
		for _, id := range []int{27_000, 3_000} {
			var code string
			if err := db.Reader().QueryRowContext(ctx, `SELECT credit_code FROM inspect_entities WHERE id = $1`, id).Scan(&code); err != nil {
				t.Fatal(err)
			}
			wrong := strings.IndexByte(creditcode.Alphabet, code[17])
			broken := code[:17] + string(creditcode.Alphabet[(wrong+1)%len(creditcode.Alphabet)])
			if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_entities SET credit_code = $1, region = '630100' WHERE id = $2`, broken, id); err != nil {
				t.Fatal(err)
			}
			bad = append(bad, broken)
		}
		// SQLite reads in id ranges and names the first in id order;
		// PostgreSQL reads once and names the first in its scan order.
		_, err = s.Freeze(ctx, task)
		switch {
		case err == nil:
			t.Fatal("a wrong check character was frozen")
		case db.Dialect() == store.SQLite && (!strings.Contains(err.Error(), bad[1]) || strings.Contains(err.Error(), bad[0])):
			t.Fatalf("want the error to name %s (id 3000), got %v", bad[1], err)
		case !strings.Contains(err.Error(), bad[0]) && !strings.Contains(err.Error(), bad[1]):
			t.Fatalf("want the error to name %v, got %v", bad, err)
		}
	})
}
