package kit_test

import (
	"database/sql"
	"testing"

	"sidi/internal/kit"
)

func TestSameText(t *testing.T) {
	ns := func(s string, ok bool) sql.NullString { return sql.NullString{String: s, Valid: ok} }
	for _, c := range []struct {
		got  []sql.NullString
		vals []any
		want bool
	}{
		{[]sql.NullString{ns("a", true), ns("3", true)}, []any{"a", 3}, true},
		{[]sql.NullString{ns("a", true), ns("", false)}, []any{"a", nil}, true}, // NULL matches nil only
		{[]sql.NullString{ns("a", true), ns("", true)}, []any{"a", nil}, false}, // '' is not NULL
		{[]sql.NullString{ns("a", true), ns("", false)}, []any{"a", ""}, false}, // nor NULL ''
		{[]sql.NullString{ns("a", true), ns("7", true)}, []any{"a", int64(8)}, false},
		{[]sql.NullString{ns("3.0", true), ns("1000000000.0", true)}, []any{3.0, 1e9}, true}, // SQLite's text of a REAL
		{[]sql.NullString{ns("3", true), ns("0.25", true)}, []any{3.0, 0.25}, true},          // PostgreSQL's
		{[]sql.NullString{ns("3.5", true)}, []any{3.0}, false},
		{[]sql.NullString{ns("x", true)}, []any{3.0}, false},
	} {
		if got := kit.SameText(c.got, c.vals); got != c.want {
			t.Errorf("SameText(%v, %v) = %v", c.got, c.vals, got)
		}
	}
}
