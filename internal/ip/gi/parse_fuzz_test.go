package gi

import (
	"encoding/csv"
	"strings"
	"testing"

	"sidi/internal/kit"
)

// FuzzParseCert: the certificate row parser never panics, and what it
// accepts has a known kind, a region and a validity that does not end
// before it starts.
func FuzzParseCert(f *testing.F) {
	f.Add("绿色食品", "LB-1", "630100", "2023-01-01", "")
	f.Add("有机产品", "YJ-2", "632801", "2024/1/1", "2023年1月1日")
	f.Add("农产品地理标志", "", "999999", "45000", "x")
	f.Fuzz(func(t *testing.T, kind, no, region, from, to string) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(kit.Header(CertColumns))
		w.Write([]string{kind, no, "机构", "产品", "单位", "", region, from, to})
		w.Flush()
		kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: CertColumns, Formulas: true}, func(row kit.Row) error {
			x, errs := parseCert(row)
			if len(errs) > 0 {
				return nil
			}
			if CertLabels[x.Kind] == "" || len(x.Region) != 6 || x.ValidFrom == "" || (x.ValidTo != "" && x.ValidTo < x.ValidFrom) {
				t.Fatalf("accepted %+v", x)
			}
			return nil
		})
	})
}
