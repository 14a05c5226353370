package standards

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// declBenchCSV is a self-declaration file of n rows: enterprises of two
// declarations of two products each (n/4 enterprises, n/2 declarations),
// none registered yet, naming national standards.
func declBenchCSV(n int) []byte {
	stds := []string{"GB 2721—2015,食品安全国家标准 食用盐", "GB 19301—2010,食品安全国家标准 生乳", "GB/T 20886.1—2021,食品加工用酵母",
		"GB 2760—2024,食品安全国家标准 食品添加剂使用标准", "GB 7718—2011,食品安全国家标准 预包装食品标签通则"}
	var b bytes.Buffer
	b.WriteString("统一社会信用代码,企业名称,标准号,标准名称,产品名称,规格型号,产品类别,声明日期\n")
	for row, e := 0, 1; row < n; e++ {
		first17 := fmt.Sprintf("91630100MA%07d", e)
		code := first17 + string(creditcode.Check(first17))
		for si := 0; si < 2 && row < n; si++ {
			for p := 0; p < 2 && row < n; p++ {
				fmt.Fprintf(&b, "%s,青海测试企业%d有限公司,%s,产品%d-%d-%d,%d00 g,食品,2024-05-01\n", code, e, stds[(e+si)%len(stds)], e, si, p, p+1)
				row++
			}
		}
	}
	return b.Bytes()
}

// BenchmarkDeclImport imports a generated file of 20,000 self-declaration
// rows (10,000 declarations of 5,000 enterprises the directory lacks) into
// an empty register, then again (every declaration unchanged), on each
// engine; see docs/PERFORMANCE.md.
func BenchmarkDeclImport(b *testing.B) {
	file := declBenchCSV(20000)
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			ctx := context.Background()
			s := NewService(db)
			for b.Loop() {
				for _, want := range []string{"created", "unchanged"} {
					rep, err := s.importDeclKind(ctx, auth.CLI("bench"), kit.BytesSource("b.csv", file), kit.ImportOptions{})
					if err != nil || (want == "created" && rep.Created != 10000) || (want == "unchanged" && rep.Unchanged != 10000) {
						b.Fatalf("%s: %+v %v", want, rep, err)
					}
				}
				b.StopTimer()
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					for _, q := range []string{`DELETE FROM declaration_products`, `DELETE FROM declarations`, `DELETE FROM enterprise_names`, `DELETE FROM enterprises`} {
						if _, err := tx.ExecContext(ctx, q); err != nil {
							return err
						}
					}
					return search.RemoveKind(ctx, db, tx, DeclSearchKind)
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
