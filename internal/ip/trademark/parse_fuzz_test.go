package trademark

import (
	"strings"
	"testing"

	"sidi/internal/kit"
)

// FuzzParseRow feeds arbitrary cells to the row parser: it must not
// panic, and a row it accepts must satisfy the register's rules.
func FuzzParseRow(f *testing.F) {
	f.Add("12345678", "昆仑雪", "29;30", "91630100MA752XUH3X", "630102", "2015-03-14", "2025-03-13", "普通", "1234567", "注销（2021-01-01）")
	f.Add("G1234567", "图形", "第29类、第30类", "", "110105", "2015/3/14", "20250313", "证明", "", "")
	f.Add("1", "x", "0", "x", "639999", "42000", "2015年2月30日", "集体", "12", "休眠 2020-01-01")
	f.Fuzz(func(t *testing.T, no, name, classes, code, region, reg, term, kind, madrid, status string) {
		cells := []string{no, name, classes, "某公司", code, region, "2000-01-01", reg, term, kind, madrid, status}
		var b strings.Builder
		b.WriteString(strings.Join(kit.Header(ImportColumns[:12]), ",") + "\n")
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteByte('\n')
		rc := &regionCache{}
		kit.ReadTable("f.csv", strings.NewReader(b.String()), kit.TableSpec{Columns: ImportColumns, Formulas: true}, func(row kit.Row) error {
			r, errs := parseRow(row, rc)
			if len(errs) > 0 {
				for _, e := range errs {
					if e.Row != row.N || e.Msg == "" {
						t.Fatalf("error without place: %+v", e)
					}
				}
				return nil
			}
			if len(r.Classes) == 0 || r.Classes[0] < 1 || r.Classes[len(r.Classes)-1] > 45 {
				t.Fatalf("classes %v accepted", r.Classes)
			}
			if r.TermEnd < r.RegisteredOn || r.AppliedOn > r.RegisteredOn {
				t.Fatalf("dates accepted: %+v", r)
			}
			if r.Status != StatusValid && r.StatusOn != "" && r.StatusOn < r.RegisteredOn {
				t.Fatalf("status before registration accepted: %+v", r)
			}
			if !validRegNo(r.RegNo) || len(r.Region) != 6 {
				t.Fatalf("accepted %+v", r)
			}
			return nil
		})
	})
}
