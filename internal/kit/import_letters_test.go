package kit_test

import (
	"context"
	"slices"
	"testing"

	"sidi/internal/kit"
)

// TestImportLetters: every failure of an import that names a column of
// the file's header reads with the column's letter in the file, whatever
// recorded it (the row's parse, the duplicate check, the database check,
// a grouped record's fold, check and write), in the two-pass import, the
// one-pass first load and the grouped import; a failure naming a column
// the file lacks keeps the header name alone. The columns stand out of
// the spec's order, after one the kind does not know.
func TestImportLetters(t *testing.T) {
	const flat = "备注,数量,代码\n" + // 数量 is B, 代码 C; 单位 is absent
		",1,a\n" +
		",x,b\n" + // parse
		",2,a\n" + // duplicate of row 2
		",3,locked\n" + // check
		",y,c\n" // a failure naming 单位
	flatWant := []string{
		"第 3 行 B 列（数量）：数量无效",
		"第 4 行 C 列（代码）：与第 2 行重复",
		"第 5 行 C 列（代码）：已锁定",
		"第 6 行“单位”：缺少单位",
	}
	// withUnit adds the optional column 单位 the files lack, and a
	// failure naming it.
	withUnit := func(pl kit.Plan[[2]string]) kit.Plan[[2]string] {
		pl.Spec.Columns = append(slices.Clip(pl.Spec.Columns), kit.Column{Name: "单位"})
		parse := pl.Parse
		pl.Parse = func(r kit.Row) ([2]string, kit.Errors) {
			v, errs := parse(r)
			if r.Get("数量") == "y" {
				errs.AddCell(r.N, "单位", "缺少单位")
			}
			return v, errs
		}
		return pl
	}
	const grouped = "备注,商品,订单号\n" + // 商品 is B, 订单号 C; 说明 is absent
		",笔,A\n" +
		",z,B\n" + // parse
		",笔,A\n" + // against its record (Add)
		",纸,locked\n" + // check
		",y,D\n" // a failure naming 说明
	// ordersMore adds to the orders kind a parse failure without a letter
	// and one naming 说明.
	ordersMore := func(pl kit.GroupPlan[[2]string, order]) kit.GroupPlan[[2]string, order] {
		parse := pl.Parse
		pl.Parse = func(r kit.Row) ([2]string, kit.Errors) {
			v, errs := parse(r)
			switch r.Get("商品") {
			case "z":
				errs.AddCell(r.N, "商品", "商品停售")
			case "y":
				errs.AddCell(r.N, "说明", "须填写说明")
			}
			return v, errs
		}
		return pl
	}
	tests := []struct {
		name string
		run  func(kit.Source, kit.ImportOptions) (kit.ImportReport, error)
		file string
		want []string
	}{
		{"two passes", func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			var got []string
			return kit.RunImport(context.Background(), src, opt, withUnit(plan(&got, 0)))
		}, flat, flatWant},
		{"two passes, one row a batch", func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			var got []string
			opt.Batch = 1
			return kit.RunImport(context.Background(), src, opt, withUnit(plan(&got, 0)))
		}, flat, flatWant},
		{"one-pass first load", func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			var got []string
			var staged int
			return kit.RunImport(context.Background(), src, opt, withUnit(loadPlan(&got, &staged, 0)))
		}, flat, flatWant},
		{"grouped", func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			writes := 0
			return kit.RunGroupImport(context.Background(), src, opt, ordersMore(orders(map[string][]string{}, &writes)))
		}, grouped, []string{
			"第 2 行：同一订单的第 4 行有错误",
			"第 3 行 B 列（商品）：商品停售",
			"第 4 行 B 列（商品）：商品重复",
			"第 5 行 C 列（订单号）：订单已锁定",
			"第 6 行“说明”：须填写说明",
		}},
		{"grouped, the write refuses", func(src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
			writes := 0
			return kit.RunGroupImport(context.Background(), src, opt, orders(map[string][]string{}, &writes))
		}, "备注,商品,订单号\n,笔,gone\n", []string{"第 2 行 C 列（订单号）：订单刚被删除"}},
	}
	for _, tt := range tests {
		for _, skip := range []bool{false, true} {
			name := tt.name
			if skip {
				name += ", skip invalid"
			}
			t.Run(name, func(t *testing.T) {
				rep, _ := tt.run(kit.BytesSource("t.csv", []byte(tt.file)), kit.ImportOptions{SkipInvalid: skip})
				// The database check's failures come with its batch,
				// after later rows' own: compared in row order.
				errs := slices.Clone(rep.Errors)
				slices.SortStableFunc(errs, func(a, b kit.FieldError) int { return a.Row - b.Row })
				got := make([]string, len(errs))
				for i, e := range errs {
					got[i] = e.String()
				}
				want := tt.want
				if !skip && tt.name == "grouped" {
					want = want[1:] // no mates' lines without SkipInvalid
				}
				if !slices.Equal(got, want) {
					t.Errorf("failures\n%q\nwant\n%q", got, want)
				}
			})
		}
	}
}
