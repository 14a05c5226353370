package bizenv

import (
	"strings"
	"testing"

	"sidi/internal/kit"
)

func csvRow(header []string, cells ...string) string {
	var b strings.Builder
	b.WriteString(strings.Join(header, ",") + "\n")
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
	}
	b.WriteByte('\n')
	return b.String()
}

// FuzzParseStart feeds hostile cells through the table reader and the
// business-start parser: no panic, every failure placed at its row, and
// an accepted row is consistent (approval not before submission, stages
// not before submission, hours not negative, a Qinghai region).
func FuzzParseStart(f *testing.F) {
	f.Add("QH-1", "某公司", "91630100MA752XUH3X", "有限责任公司", "630102", "2025-03-03 09:00", "2025-03-03 16:30", "2025-03-03 11:00", "2025-03-03 10:00~2025-03-03 12:00")
	f.Add("=1+1", "", "x", "", "639999", "2025/3/3 9:5", "2025-3-2", "2025-03-03T08:00", "~")
	f.Add("1", "a", "", "b", "632801", "2025-03-03", "2100-12-31 23:59:59", "1999-01-01", "2025-03-03 10:00~2025-03-03 09:00")
	f.Fuzz(func(t *testing.T, no, name, code, typ, region, sub, appr, reg, seal string) {
		header := kit.Header(StartColumns()[:9])
		kit.ReadTable("f.csv", strings.NewReader(csvRow(header, no, name, code, typ, region, sub, appr, reg, seal)), kit.TableSpec{Columns: StartColumns(), Formulas: true}, func(row kit.Row) error {
			st, errs := ParseStart(row)
			if len(errs) > 0 {
				for _, e := range errs {
					if e.Row != row.N || e.Msg == "" {
						t.Fatalf("error without place: %+v", e)
					}
				}
				return nil
			}
			if st.ApprovedAt < st.SubmittedAt || st.Hours < 0 || st.Prefecture == "" || !strings.HasPrefix(st.Region, "63") {
				t.Fatalf("inconsistent row accepted: %+v", st)
			}
			for _, g := range st.Stages {
				if g.Started < st.SubmittedAt || g.Finished < g.Started || g.Hours < 0 {
					t.Fatalf("stage accepted: %+v of %+v", g, st)
				}
			}
			return nil
		})
	})
}

// FuzzParseFee does the same for the fee lists.
func FuzzParseFee(f *testing.F) {
	f.Add("政府性基金", "", "民航发展基金", "财综[2012]17号", "2019-07-01", "")
	f.Add("x", "=cmd", "", "", "2019-13-01", "2019-01-01")
	f.Fuzz(func(t *testing.T, list, unit, name, basis, listed, delisted string) {
		cells := []string{list, unit, "", name, "", "", "", basis, listed, delisted}
		kit.ReadTable("f.csv", strings.NewReader(csvRow(kit.Header(FeeColumns), cells...)), kit.TableSpec{Columns: FeeColumns, Formulas: true}, func(row kit.Row) error {
			fi, errs := ParseFee(row)
			if len(errs) > 0 {
				for _, e := range errs {
					if e.Row != row.N || e.Msg == "" {
						t.Fatalf("error without place: %+v", e)
					}
				}
				return nil
			}
			if ListLabels[fi.List] == "" || fi.Name == "" || fi.Basis == "" || (fi.DelistedOn != "" && fi.DelistedOn < fi.ListedOn) {
				t.Fatalf("inconsistent fee accepted: %+v", fi)
			}
			return nil
		})
	})
}

func TestChecklistsVersioned(t *testing.T) {
	if n := len(mustVersion("2024").Items()); n != 19 {
		t.Errorf("2024 checklist has %d rows, want 19", n)
	}
	if n := len(mustVersion("2021").Items()); n != 18 {
		t.Errorf("2021 checklist has %d rows, want 18", n)
	}
	for day, want := range map[string]string{"2024-08-01": "2024", "2024-07-31": "2021", "2019-01-01": "2021", "2026-01-01": "2024"} {
		if got := ChecklistFor(day).Version; got != want {
			t.Errorf("ChecklistFor(%s) = %s, want %s", day, got, want)
		}
	}
	for _, c := range Checklists() {
		if len(c.Categories) != 4 || len(c.Exceptions) != 4 || c.Source == "" {
			t.Errorf("checklist %s: %d categories, %d exceptions, source %q", c.Version, len(c.Categories), len(c.Exceptions), c.Source)
		}
	}
}

func mustVersion(v string) Checklist { c, _ := ChecklistVersion(v); return c }

func TestPercentileAndParseTime(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if Percentile(xs, 90) != 9 || median(xs) != 5.5 || median(xs[:3]) != 2 || Percentile(nil, 90) != 0 {
		t.Errorf("p90 %v median %v", Percentile(xs, 90), median(xs))
	}
	for in, ok := range map[string]bool{"2025-03-03 09:00": true, "2025/3/3 9:5": true, "2025-03-03T09:00:00": true, "2025-03-03": true, "1999-01-01": false, "昨天": false, "2025-02-30 10:00": false} {
		if _, got := ParseTime(in); got != ok {
			t.Errorf("ParseTime(%q) ok = %v", in, got)
		}
	}
	for in, want := range map[string]string{"检验费（强检）": "检验", "投标保证金": "投标", "港口建设费": "港口建设", " 资料 费 ": "资料"} {
		if got := normCharge(in); got != want {
			t.Errorf("normCharge(%q) = %q, want %q", in, got, want)
		}
	}
}
