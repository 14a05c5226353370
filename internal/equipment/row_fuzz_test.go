package equipment

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"sidi/internal/kit"
	"sidi/internal/telemetry"
)

// FuzzImportRow feeds one row of hostile cells through the import's row
// parser: it never panics, and a row it accepts is a record of a known
// type with a valid code and dates.
func FuzzImportRow(f *testing.F) {
	f.Add("1100QH001201800011", "锅炉", "天然气", "2018-09-01", "36.41", "20", "1.6", "")
	f.Add("3110QH001201800011", "电梯", "", "2018年9月1日", "", "", "", "12")
	f.Add("2150QH001201800011", "", "", "2018/9/1", "NaN", "1e308", "-0", "2级")
	f.Add("=1+1", "\x00", "燃油", "9999-99-99", "Inf", "abc", "１．６", "9999999999999999999999")
	s := &Service{now: func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, kit.CST) }}
	f.Fuzz(func(t *testing.T, code, typ, fuel, date, lat, evap, pressure, floors string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(kit.Header(ImportColumns))
		w.Write([]string{code, "设备", typ, "91632801MA7XQ2B3C1", "单位", "632801", lat, lat, "", date, date, "证", "", "", fuel, evap, "", pressure,
			"II", floors, "1", "", floors, "1", "1", ""})
		w.Flush()
		// a refusal of the whole file (a NUL byte, a bad encoding) is fine
		_, _ = kit.ReadTable("x.csv", bytes.NewReader(buf.Bytes()), kit.TableSpec{Columns: ImportColumns, Formulas: true}, func(row kit.Row) error {
			x, errs := s.parseRow(row)
			for _, e := range errs {
				if e.Row != 2 || e.Column == "" {
					t.Fatalf("error without its place: %+v", e)
				}
			}
			if len(errs) > 0 {
				return nil
			}
			r := x.rec
			if _, err := ParseCode(r.Code, 2026); err != nil || TypeLabels[r.Type] == "" || r.InServiceOn > "2026-03-01" {
				t.Fatalf("accepted %+v", r)
			}
			if r.Type == telemetry.TypeBoiler && FuelLabels[r.Fuel] == "" {
				t.Fatalf("boiler without fuel: %+v", r)
			}
			if r.Latitude != nil && (*r.Latitude < MinLat || *r.Latitude > MaxLat) {
				t.Fatalf("latitude %v accepted", *r.Latitude)
			}
			return nil
		})
	})
}
