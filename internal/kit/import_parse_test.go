package kit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestParseTable checks the parallel reader: every row once, in file
// order, with its own parse; an error of fn, of the file or of the
// context stops it and is what it returns.
func TestParseTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("代码\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "r%d\n", i)
	}
	spec := TableSpec{Columns: []Column{{Name: "代码", Required: true}}}
	parse := func(r Row) (string, Errors) {
		var es Errors
		if r.N%100 == 0 {
			es.AddCell(r.N, "代码", "第 %d 行", r.N)
		}
		return strings.ToUpper(r.Get("代码")), es
	}
	stop := errors.New("stop")
	for _, c := range []struct {
		name    string
		file    string
		workers int
		stopAt  int
		cancel  bool
		wantErr error
		rows    int
	}{
		{"one goroutine", b.String(), 1, 0, false, nil, 5000},
		{"four goroutines", b.String(), 4, 0, false, nil, 5000},
		{"fn stops", b.String(), 4, 1234, false, stop, 1233},
		{"context cancelled", b.String(), 4, 0, true, context.Canceled, 0},
		{"bad header", "名称\nx\n", 4, 0, false, nil, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.cancel {
				cancel()
			}
			n := 0
			_, err := parseTable(ctx, "t.csv", strings.NewReader(c.file), spec, c.workers, parse, func(r Row, v string, es Errors) error {
				if r.N == c.stopAt {
					return stop
				}
				n++
				if r.N != n+1 || v != "R"+fmt.Sprint(n-1) || (len(es) > 0) != (r.N%100 == 0) {
					return fmt.Errorf("row %d out of order or parsed wrong: %q %v", r.N, v, es)
				}
				return nil
			})
			switch {
			case c.rows < 0:
				if err == nil || !strings.Contains(err.Error(), "代码") {
					t.Errorf("bad header: %v", err)
				}
			case c.wantErr != nil:
				if !errors.Is(err, c.wantErr) || n > c.rows {
					t.Errorf("err %v after %d rows, want %v after at most %d", err, n, c.wantErr, c.rows)
				}
			default:
				if err != nil || n != c.rows {
					t.Errorf("err %v, %d rows, want %d", err, n, c.rows)
				}
			}
		})
	}
}
