package kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit"
)

// order is a record of the grouped test kind: an order's items, one a row.
type order struct {
	id    string
	items []string
}

// orders is a grouped kind of (订单号, 商品, 说明) rows into a map: the
// kit's rules without a database. An item "x" is invalid, an order
// "locked" fails the check, an order "gone" fails the write.
func orders(stored map[string][]string, writes *int) kit.GroupPlan[[2]string, order] {
	return kit.GroupPlan[[2]string, order]{
		Kind: "orders",
		Spec: kit.TableSpec{Columns: []kit.Column{{Name: "订单号", Required: true}, {Name: "商品", Required: true}, {Name: "说明"},
			{Name: "单价", Refuse: "暂不支持导入单价，请删除该列"}}},
		Skip: func(r kit.Row) bool { return strings.HasPrefix(r.Get("说明"), "示例") },
		Parse: func(r kit.Row) ([2]string, kit.Errors) {
			errs := r.Errs
			if r.Get("商品") == "x" {
				errs.AddAt(r, "商品", "商品无效")
			}
			return [2]string{r.Get("订单号"), r.Get("商品")}, errs
		},
		Key: func(v [2]string) string { return v[0] },
		Add: func(g *order, it kit.Item[[2]string]) (*order, kit.Errors) {
			if g == nil {
				g = &order{id: it.Val[0]}
			}
			if slices.Contains(g.items, it.Val[1]) {
				return nil, kit.Errors{{Row: it.Row, Column: "商品", Msg: "商品重复"}}
			}
			return &order{id: g.id, items: append(slices.Clip(g.items), it.Val[1])}, nil
		},
		Check: func(ctx context.Context, gs []*kit.Group[order]) (kit.Errors, error) {
			var errs kit.Errors
			for _, g := range gs {
				if g.Val.id == "locked" {
					errs = append(errs, kit.FieldError{Row: g.Rows[len(g.Rows)-1], Column: "订单号", Msg: "订单已锁定"})
				}
			}
			return errs, nil
		},
		Write: func(ctx context.Context, gs []*kit.Group[order], rep kit.ImportReport) (kit.BatchResult, []kit.Count, error) {
			*writes++
			var errs kit.Errors
			for _, g := range gs {
				if g.Val.id == "gone" {
					errs = append(errs, kit.FieldError{Row: g.Rows[0], Column: "订单号", Msg: "订单刚被删除"})
				}
			}
			if len(errs) > 0 {
				return kit.BatchResult{}, nil, errs
			}
			for _, g := range gs {
				stored[g.Val.id] = g.Val.items
			}
			return kit.BatchResult{Created: len(gs)}, []kit.Count{{Label: "商品", N: len(gs) * 10}}, nil
		},
		Mate: func(bad int) string { return fmt.Sprintf("同一订单的第 %d 行有错误", bad) },
	}
}

func TestRunGroupImport(t *testing.T) {
	const head = "订单号,商品,说明\n"
	cases := []struct {
		name    string
		file    string
		skip    bool
		dry     bool
		stored  map[string][]string // nil: nothing written
		rows    int
		records int
		skipped int
		errs    []string // the report's failures, as read
		rejects int      // rows rejected
		refused bool
		lines   int // lines of the rejects file, its header included
	}{
		{name: "records span rows", file: head + "A,笔,\nB,纸,\nA,墨,\n,,\nB,砚,\n",
			stored: map[string][]string{"A": {"笔", "墨"}, "B": {"纸", "砚"}}, rows: 4, records: 2, lines: 1},
		{name: "an example row is skipped", file: head + "E,例,示例（导入时跳过）\nA,笔,\n", stored: map[string][]string{"A": {"笔"}}, rows: 1, records: 1, skipped: 1, lines: 1},
		{name: "a bad row refuses the file", file: head + "A,笔,\nB,x,\nA,墨,\n", refused: true, rows: 3,
			errs: []string{"第 3 行 B 列（商品）：商品无效"}, rejects: 1, lines: 2},
		{name: "skip: a bad row rejects its whole record", file: head + "A,笔,\nB,纸,\nA,x,\nA,墨,\n", skip: true, rows: 4, records: 1,
			stored: map[string][]string{"B": {"纸"}}, rejects: 3, lines: 4,
			errs: []string{"第 2 行：同一订单的第 4 行有错误", "第 4 行 B 列（商品）：商品无效", "第 5 行：同一订单的第 4 行有错误"}},
		{name: "a row against its record", file: head + "A,笔,\nB,纸,\nA,笔,\n", skip: true, rows: 3, records: 1,
			stored: map[string][]string{"B": {"纸"}}, rejects: 2, lines: 3,
			errs: []string{"第 2 行：同一订单的第 4 行有错误", "第 4 行 B 列（商品）：商品重复"}},
		{name: "the check rejects a record", file: head + "locked,笔,\nlocked,纸,\nA,笔,\n", skip: true, rows: 3, records: 1,
			stored: map[string][]string{"A": {"笔"}}, rejects: 2, lines: 3,
			errs: []string{"第 2 行：同一订单的第 3 行有错误", "第 3 行 A 列（订单号）：订单已锁定"}},
		{name: "the check refuses without skip", file: head + "locked,笔,\nA,笔,\n", refused: true, rows: 2, rejects: 1, lines: 2,
			errs: []string{"第 2 行 A 列（订单号）：订单已锁定"}},
		{name: "the write refuses: nothing written", file: head + "A,笔,\ngone,纸,\n", skip: true, refused: true, rows: 2, rejects: 1, lines: 2,
			errs: []string{"第 3 行 A 列（订单号）：订单刚被删除"}},
		{name: "dry run writes nothing", file: head + "A,笔,\nB,x,\n", skip: true, dry: true, rows: 2, records: 1, rejects: 1, lines: 2,
			errs: []string{"第 3 行 B 列（商品）：商品无效"}},
		{name: "a refused column", file: "订单号,商品,单价\nA,笔,3\n", refused: true,
			errs: []string{"第 1 行 C 列（单价）：暂不支持导入单价，请删除该列"}},
		{name: "a repeated column", file: "订单号,商品,订单号\nA,笔,A\n", refused: true,
			errs: []string{"第 1 行 C 列（订单号）：表头中重复出现该列（已在 A 列）"}},
		{name: "header only", file: head, refused: true, errs: []string{"文件中没有数据行"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stored := map[string][]string{}
			writes := 0
			var rejects bytes.Buffer
			rep, err := kit.RunGroupImport(context.Background(), kit.BytesSource("o.csv", []byte(tc.file)),
				kit.ImportOptions{SkipInvalid: tc.skip, DryRun: tc.dry, Rejects: &rejects}, orders(stored, &writes))
			if tc.refused != (err != nil) {
				t.Fatalf("refused %v, want %v: %v", err != nil, tc.refused, err)
			}
			if err != nil && !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("refusal %v is not invalid input", err)
			}
			want := tc.stored
			if want == nil {
				want = map[string][]string{}
			}
			if fmt.Sprint(stored) != fmt.Sprint(want) {
				t.Errorf("stored %v, want %v", stored, want)
			}
			if tc.dry && writes > 0 {
				t.Error("a dry run wrote")
			}
			var got []string
			errs := rep.Errors
			var ref *kit.ImportRefused
			var es kit.Errors
			switch {
			case errors.As(err, &ref):
				errs = ref.Report.Errors
			case errors.As(err, &es):
				errs = es
			}
			for _, e := range errs {
				got = append(got, e.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.errs, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
			}
			if ref != nil {
				rep = ref.Report
			}
			if rep.Rows != tc.rows || rep.Records != tc.records || rep.Skipped != tc.skipped || rep.Rejected != tc.rejects {
				t.Errorf("report rows %d records %d skipped %d rejected %d, want %d %d %d %d", rep.Rows, rep.Records, rep.Skipped, rep.Rejected, tc.rows, tc.records, tc.skipped, tc.rejects)
			}
			if tc.stored != nil && !tc.dry && (rep.Created != len(tc.stored) || rep.Count("商品") != 10*len(tc.stored)) {
				t.Errorf("created %d, counts %v", rep.Created, rep.Counts)
			}
			if n := strings.Count(rejects.String(), "\n"); tc.lines > 0 && n != tc.lines {
				t.Errorf("rejects file has %d lines, want %d:\n%s", n, tc.lines, rejects.String())
			}
		})
	}
}
