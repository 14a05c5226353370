package web

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestExportRoundsFractionsForPeople: a CSV cell shows at most 2 decimals;
// a workbook cell keeps the exact value behind a format that shows the same.
func TestExportRoundsFractionsForPeople(t *testing.T) {
	cases := []struct {
		v          float64
		csv, shown string
	}{
		{13.727823534457082, "13.73", "13.73"},
		{2.5, "2.5", "2.5"},
		{1234567.891, "1234567.89", "1,234,567.89"},
		{45.999, "46", "46"},
		{-0.004, "0", "0"},
		{7, "7", "7"},
		{math.NaN(), "", ""},
	}
	table := exportTable{Name: "测试", Header: []string{"数值"}}
	for _, c := range cases {
		if got := cellText(c.v); got != c.csv {
			t.Errorf("cellText(%v) = %q, want %q", c.v, got, c.csv)
		}
		table.Rows = append(table.Rows, []any{c.v})
	}
	data, err := table.xlsx()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	shown, _ := f.GetRows("测试")
	for i, c := range cases[:len(cases)-1] { // NaN: excelize writes what it can; not checked
		if len(shown) <= i+1 || len(shown[i+1]) == 0 || shown[i+1][0] != c.shown {
			t.Errorf("row %d (%v) shows %v, want %q", i+2, c.v, shown[i+1:i+2], c.shown)
		}
	}
	// Excel keeps 15 significant digits.
	raw, _ := f.GetCellValue("测试", "A2", excelize.Options{RawCellValue: true})
	if v, err := strconv.ParseFloat(raw, 64); err != nil || math.Abs(v-13.727823534457082) > 1e-12 {
		t.Errorf("A2 holds %q, want the exact value", raw)
	}
}
