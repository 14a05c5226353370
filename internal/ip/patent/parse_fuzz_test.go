package patent

import (
	"encoding/csv"
	"strings"
	"testing"

	"sidi/internal/kit"
)

// FuzzParseNumber: the validator never panics and what it accepts is an
// invention number whose check digit it reproduces.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"ZL201710601862.3", "95115608.X", "CN2017106018623", "．", "ZL.", "2017106018X2.3", "201720601862.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		body, check, ok := strings.Cut(n, ".")
		if !ok || (len(body) != 12 && len(body) != 8) || len(check) != 1 || CheckDigit(body) != check[0] {
			t.Fatalf("accepted %q as %q", s, n)
		}
		if again, err := ParseNumber(n); err != nil || again != n {
			t.Fatalf("normal form %q not stable: %q %v", n, again, err)
		}
	})
}

// FuzzParsePatent: the row parser never panics and what it accepts has
// a valid number, a region and dates in order.
func FuzzParsePatent(f *testing.F) {
	f.Add("ZL201710601862.3", "630100", "2017-08-01", "2019-01-01", "", "是", "1", "1000")
	f.Add("95115608.X", "999999", "1995/1/1", "1994-01-01", "x", "maybe", "-1", "abc")
	f.Add("", "632800", "45000", "2020年1月1日", "2019-01-01", "", "", "1e400")
	f.Fuzz(func(t *testing.T, no, region, applied, granted, lapsed, strategic, overseas, pledge string) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(kit.Header(PatentColumns))
		w.Write([]string{no, "名称", "权利人", "", region, applied, granted, lapsed, strategic, overseas, pledge, ""})
		w.Flush()
		kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: PatentColumns, Formulas: true}, func(row kit.Row) error {
			x, errs := parsePatent(row)
			if len(errs) > 0 {
				return nil
			}
			if _, err := ParseNumber(x.Number); err != nil || len(x.Region) != 6 || x.GrantedOn < x.AppliedOn || (x.LapsedOn != "" && x.LapsedOn < x.GrantedOn) || x.Overseas < 0 || x.PledgeFen < 0 {
				t.Fatalf("accepted %+v", x)
			}
			return nil
		})
	})
}

// FuzzParseCert: the certificate row parser never panics, and what it
// accepts has a credit code, a region and a validity that does not end
// before it starts.
func FuzzParseCert(f *testing.F) {
	f.Add("IPM-1", "91630100MA752XUH3X", "630100", "2023-06-01", "2026-05-31")
	f.Add(" ipm 2 ", "91630100MA752XUH3Y", "639999", "2026/5/31", "2023年6月1日")
	f.Add("", "", "", "45000", "x")
	f.Fuzz(func(t *testing.T, no, code, region, from, to string) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(kit.Header(CertColumns))
		w.Write([]string{no, "机构", "企业", code, region, "", from, to})
		w.Flush()
		kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: CertColumns, Formulas: true}, func(row kit.Row) error {
			x, errs := parseCert(row)
			if len(errs) > 0 {
				return nil
			}
			if x.CertNo == "" || len(x.CreditCode) != 18 || len(x.Region) != 6 || x.ValidFrom == "" || x.ValidTo < x.ValidFrom {
				t.Fatalf("accepted %+v", x)
			}
			return nil
		})
	})
}
