package kit_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestPaging(t *testing.T) {
	pg := kit.Paging{Default: 20, Max: 100}
	cases := []struct {
		page, size   int
		ok           bool
		offset, want int // want: the size
	}{
		{0, 0, true, 0, 20},
		{1, 100, true, 0, 100},
		{3, 10, true, 20, 10},
		{1, 101, false, 0, 0},
		{1, -1, false, 0, 0},
		{-1, 10, false, 0, 0},
		{1_000_000, 100, true, 999_999 * 100, 100},
		{math.MaxInt, 100, true, math.MaxInt, 100},
	}
	for _, c := range cases {
		p, err := pg.Page(c.page, c.size)
		if (err == nil) != c.ok {
			t.Errorf("Page(%d, %d): error %v, want ok=%v", c.page, c.size, err, c.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("Page(%d, %d): %v is not an invalid-input error", c.page, c.size, err)
			}
			continue
		}
		if p.Offset() != c.offset || p.Size != c.want {
			t.Errorf("Page(%d, %d) = %+v offset %d", c.page, c.size, p, p.Offset())
		}
	}
	p, _ := pg.Page(3, 10)
	if n := p.Pages(21); n != 3 {
		t.Errorf("pages of 21 by 10 = %d", n)
	}
	if lo, hi := p.Bounds(25); lo != 20 || hi != 25 {
		t.Errorf("bounds of page 3 in 25 = %d, %d", lo, hi)
	}
	if lo, hi := p.Bounds(5); lo != 5 || hi != 5 {
		t.Errorf("bounds past the end = %d, %d", lo, hi)
	}
	far, _ := pg.Page(math.MaxInt, 100)
	if lo, hi := far.Bounds(25); lo != 25 || hi != 25 {
		t.Errorf("bounds of the last possible page = %d, %d", lo, hi)
	}
	if _, err := pg.Window(0, 500); err == nil {
		t.Error("a limit over the maximum was accepted")
	}
	if _, err := pg.Window(-1, 5); err == nil {
		t.Error("a negative offset was accepted")
	}
	if w, err := pg.Window(40, 0); err != nil || w.Limit != 20 || w.Offset != 40 {
		t.Errorf("Window(40, 0) = %+v, %v", w, err)
	}
}

func TestWhereAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, q := range []string{
			`CREATE TABLE kit_l (id INTEGER PRIMARY KEY, dept INTEGER, name TEXT)`,
			`INSERT INTO kit_l VALUES (1, 1, 'Alpha 50%'), (2, 2, 'beta_x'), (3, 3, 'gamma?'), (4, 1, 'delta'), (5, 2, 'Alpha 5')`,
		} {
			if _, err := db.Writer().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name  string
			scope kit.Scope
			build func(w *kit.Where)
			page  [2]int
			want  []int64
		}{
			{"all", kit.AllDepts, func(w *kit.Where) {}, [2]int{1, 10}, []int64{1, 2, 3, 4, 5}},
			{"no department", kit.Scope{}, func(w *kit.Where) {}, [2]int{1, 10}, nil},
			{"two departments", kit.DeptScope(2, 1), func(w *kit.Where) {}, [2]int{1, 10}, []int64{1, 2, 4, 5}},
			{"scope and value", kit.DeptScope(1, 2), func(w *kit.Where) { w.Add("id > ? AND id < ?", 1, 5) }, [2]int{1, 10}, []int64{2, 4}},
			{"percent taken literally", kit.AllDepts, func(w *kit.Where) { w.Contains("50%", "name") }, [2]int{1, 10}, []int64{1}},
			{"underscore taken literally", kit.AllDepts, func(w *kit.Where) { w.Contains("L_H", "name") }, [2]int{1, 10}, nil},
			{"case-insensitive", kit.AllDepts, func(w *kit.Where) { w.Contains("ALPHA", "name") }, [2]int{1, 10}, []int64{1, 5}},
			{"hostile text", kit.AllDepts, func(w *kit.Where) { w.Contains("'; DROP TABLE kit_l; --", "name") }, [2]int{1, 10}, nil},
			{"second page", kit.AllDepts, func(w *kit.Where) {}, [2]int{2, 2}, []int64{3, 4}},
			{"past the end", kit.AllDepts, func(w *kit.Where) {}, [2]int{9, 2}, nil},
		}
		for _, c := range cases {
			var w kit.Where
			w.Scope(c.scope, "dept")
			c.build(&w)
			p, err := kit.Paging{Default: 10, Max: 10}.Page(c.page[0], c.page[1])
			if err != nil {
				t.Fatal(err)
			}
			q := `SELECT id FROM kit_l` + w.SQL() + ` ORDER BY id` + p.SQL(&w.Args)
			rows, err := db.Reader().QueryContext(ctx, q, w.Values()...)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.name, q, err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			rows.Close()
			if len(got) != len(c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
				continue
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("%s: got %v, want %v", c.name, got, c.want)
					break
				}
			}
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM kit_l`).Scan(&n); err != nil || n != 5 {
			t.Errorf("table after hostile text: %d rows, %v", n, err)
		}
	})
	s := kit.DeptScope(3, 1)
	if !s.Allows(1) || !s.Allows(3) || s.Allows(2) || !kit.AllDepts.Allows(42) || (kit.Scope{}).Allows(0) {
		t.Error("Allows")
	}
	if err := s.Check(2, "没有编号为 %d 的记录", 7); !errors.Is(err, apperr.ErrOutOfScope) || !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Check outside: %v", err)
	}
	if s.ActsFor(5) || !s.WithEnterprises(5, 4).ActsFor(5) {
		t.Error("enterprise hook")
	}
}
