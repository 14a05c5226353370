package nqi

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// TestOrganicNumbers checks the number rule on the cases in testdata.
func TestOrganicNumbers(t *testing.T) {
	f, err := os.Open("testdata/organic_numbers.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if got := OrganicNumber.MatchString(parts[1]); got != (parts[0] == "ok") {
			t.Errorf("%s: matched %v, want %s (%s)", parts[1], got, parts[0], parts[2])
		}
		n++
	}
	if n != 11 {
		t.Errorf("%d cases", n)
	}
}

// TestShippedCatalogue: every row of the shipped catalogue parses, the
// periodic types have an interval and the first-only ones none.
func TestShippedCatalogue(t *testing.T) {
	rows := 0
	_, err := kit.ReadTable("catalogue.csv", bytes.NewReader(catalogueCSV), kit.TableSpec{Columns: TypeColumns}, func(r kit.Row) error {
		ty, errs := parseType(r)
		if len(errs) > 0 {
			t.Errorf("row %d: %v", r.N, errs)
		}
		if (ty.Verification == VerifyPeriodic) != (ty.IntervalMonths > 0) {
			t.Errorf("%s: %s every %d months", ty.Code, ty.Verification, ty.IntervalMonths)
		}
		rows++
		return nil
	})
	if err != nil || rows != 28 {
		t.Fatalf("%d rows, %v", rows, err)
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range [][3]string{{"2024-01-31", "1", "2024-02-29"}, {"2024-05-31", "12", "2025-05-31"}, {"2023-08-31", "6", "2024-02-29"}, {"2024-02-29", "12", "2025-02-28"}} {
		n := map[string]int{"1": 1, "12": 12, "6": 6}[c[1]]
		if got := addMonths(c[0], n); got != c[2] {
			t.Errorf("%s + %d months = %s, want %s", c[0], n, got, c[2])
		}
	}
}

// FuzzCertRow feeds hostile cells to the certificate row parser: it never
// panics, and a row it accepts keeps valid-to on or after valid-from.
func FuzzCertRow(f *testing.F) {
	f.Add("1234OP2400001", "有机产品认证", "632800", "2024-01-01", "2024-12-31", "有效", "", "")
	f.Add("X", "绿色建材", "", "2024/1/1", "2023年1月1日", "撤销", "2024-02-30", "五星级")
	f.Add("=cmd", "自愿性认证", "99", "45000", "1", "暂停", "", "一星级")
	f.Fuzz(func(t *testing.T, no, kind, region, from, to, status, statusOn, grade string) {
		var b strings.Builder
		b.WriteString(strings.Join(kit.Header(CertColumns), ",") + "\n")
		cells := []string{no, kind, "方案", "机构", "组织", "", region, "范围", grade, from, to, status, statusOn}
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteByte('\n')
		_, _ = kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: CertColumns, Formulas: true}, func(r kit.Row) error {
			x, errs := parseCert(r)
			if len(errs) == 0 && x.ValidTo < x.ValidFrom {
				t.Errorf("accepted %s before %s", x.ValidTo, x.ValidFrom)
			}
			return nil
		})
	})
}

// FuzzInstrumentRow feeds hostile cells to the instrument row parser: it
// never panics, and an accepted periodic instrument is due after its last
// verification and within its type's interval.
func FuzzInstrumentRow(f *testing.F) {
	f.Add("91632801MA7536X38", "0601", "", "贸易结算", "2024-05-31", "", "在用")
	f.Add("x", "0301", "632800", "医疗卫生", "2020/1/1", "2021-01-01", "报废")
	f.Add("", "9999", "99", "x", "45000", "0", "?")
	types := map[string]InstrumentType{}
	_, _ = kit.ReadTable("catalogue.csv", bytes.NewReader(catalogueCSV), kit.TableSpec{Columns: TypeColumns}, func(r kit.Row) error {
		ty, _ := parseType(r)
		types[ty.Code] = ty
		return nil
	})
	s := &Service{now: func() time.Time { return time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC) }}
	parse := s.instrumentParser(types)
	f.Fuzz(func(t *testing.T, code, typ, region, use, last, next, status string) {
		if len(code) == 17 {
			code += string(creditcode.Check(code))
		}
		var b strings.Builder
		b.WriteString(strings.Join(kit.Header(InstrumentColumns), ",") + "\n")
		for i, c := range []string{"单位", code, region, typ, "N1", use, last, next, status} {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteByte('\n')
		_, _ = kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: InstrumentColumns, Formulas: true}, func(r kit.Row) error {
			x, errs := parse(r)
			if len(errs) > 0 {
				return nil
			}
			ty := types[x.TypeCode]
			if ty.Verification == VerifyPeriodic && (x.NextDue <= x.LastVerified || x.NextDue > addMonths(x.LastVerified, ty.IntervalMonths)) {
				t.Errorf("accepted %+v", x)
			}
			return nil
		})
	})
}
