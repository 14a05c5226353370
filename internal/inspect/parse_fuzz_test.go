package inspect

import (
	"bytes"
	"strings"
	"testing"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// FuzzParseRows feeds arbitrary CSV bodies under each header to the three
// row parsers: no panic, and an accepted row holds only valid values.
func FuzzParseRows(f *testing.F) {
	f.Add("91630104MA7XXXXX0X,甲,630104,个体工商户,A", "QH1,张三,局,食品,91630104MA7XXXXX0X;x", "A-1,名,对象,依据,现场,重点")
	f.Add("\"a\nb\",=1+1,630000,x,低风险", "", "x,,,,,一般检查事项")
	f.Fuzz(func(t *testing.T, ent, ins, item string) {
		read := func(cols []kit.Column, body string, fn func(kit.Row)) {
			src := strings.Join(kit.Header(cols), ",") + "\n" + body
			kit.ReadTable("f.csv", bytes.NewReader([]byte(src)), kit.TableSpec{Columns: cols, Formulas: true}, func(r kit.Row) error { fn(r); return nil })
		}
		read(EntityColumns, ent, func(r kit.Row) {
			e, errs := ParseEntity(r)
			if len(errs) == 0 {
				if _, err := creditcode.Parse(e.CreditCode); err != nil || ClassLabels[e.Risk] == "" || !validRegion(e.Region) {
					t.Fatalf("accepted %+v", e)
				}
			}
		})
		read(InspectorColumns, ins, func(r kit.Row) {
			p, errs := ParseInspector(r)
			if len(errs) == 0 {
				for _, c := range p.Avoid {
					if _, err := creditcode.Parse(c); err != nil || strings.Contains(c, ";") {
						t.Fatalf("accepted avoid %q", c)
					}
				}
			}
		})
		read(ItemColumns, item, func(r kit.Row) {
			it, errs := ParseItem(r)
			if len(errs) == 0 && it.Class != ClassGeneral && it.Class != ClassKey {
				t.Fatalf("accepted class %q", it.Class)
			}
		})
	})
}
