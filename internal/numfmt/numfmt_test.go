package numfmt

import (
	"errors"
	"math"
	"strings"
	"testing"

	"sidi/internal/apperr"
)

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		// counts: integers with separators, half away from zero
		{45.05514722984519, "件", "45"},
		{45.5, "件", "46"},
		{-2.5, "个", "-3"},
		{1234567, "人次", "1,234,567"},
		{0.4, "项", "0"},
		{-0.4, "家", "0"},
		{12, " 个 ", "12"},
		// percentages: one decimal
		{13.727823534457082, "%", "13.7"},
		{13.75, "％", "13.8"},
		{100, "%", "100.0"},
		{0, "百分比", "0.0"},
		{2.25, "个百分点", "2.3"},
		{-0.04, "%", "0.0"},
		{12345.67, "%", "12,345.7"},
		// money: separators, at most 2 decimals, trailing zeros trimmed
		{1234567.891, "元", "1,234,567.89"},
		{1.5, "亿元", "1.5"},
		{2.005, "万元", "2.01"},
		{300, "万元", "300"},
		{-1234.5, "元", "-1,234.5"},
		// anything else: at most 2 decimals
		{13.727823534457082, "", "13.73"},
		{1.5, "万人次", "1.5"},
		{3.999, "公里", "4"},
		{0.001, "吨", "0"},
		{1e15, "", "1,000,000,000,000,000"},
		{1e20, "件", "100,000,000,000,000,000,000"},
		// not finite
		{math.NaN(), "件", "—"},
		{math.Inf(1), "%", "—"},
		{math.Inf(-1), "", "—"},
	} {
		if got := Format(c.v, c.unit); got != c.want {
			t.Errorf("Format(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	for unit, want := range map[string]Kind{
		"件": Count, "人次": Count, "批次": Count, "%": Percent, "％": Percent,
		"元": Money, "万元": Money, "亿元": Money, "万人次": Other, "": Other, "公里": Other,
	} {
		if got := KindOf(unit); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", unit, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"45", 45},
		{" 13.7 ", 13.7},
		{"１２３．５", 123.5},
		{"－４５", -45},
		{"１，２３４，５６７", 1234567},
		{"1,234.5", 1234.5},
		{"+3", 3},
		{".5", 0.5},
		{"5.", 5},
		{"1.5e3", 1500},
		{"\u3000７\u3000", 7},
		{"-0", 0},
		{"1e15", 1e15},
		{"-1e15", -1e15},
	} {
		got, err := Parse("本期数值", c.in)
		if err != nil || got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, msg string }{
		{"", "须填写数字"},
		{"   ", "须填写数字"},
		{"abc", "须为数字"},
		{"NaN", "须为数字"},
		{"Inf", "须为数字"},
		{"-Infinity", "须为数字"},
		{"0x1p3", "须为数字"},
		{"1_000", "须为数字"},
		{"1,2", "千位分隔符"},
		{"12,34", "千位分隔符"},
		{"1.2.3", "须为数字"},
		{"45%", "须为数字"},
		{"1e308", "数值过大"},
		{"1e400", "数值过大"},
		{"-1e16", "数值过大"},
		{"1000000000000001", "数值过大"},
	} {
		_, err := Parse("本期数值", c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted", c.in)
			continue
		}
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "本期数值") {
			t.Errorf("Parse(%q) error %q: want an invalid-input error naming the field and saying %q", c.in, err, c.msg)
		}
	}
}

func TestExcelFormat(t *testing.T) {
	for unit, want := range map[string]string{"件": "#,##0", "人次": "#,##0", "%": "#,##0.0", "亿元": "#,##0.00", "": "#,##0.00"} {
		if got := ExcelFormat(unit); got != want {
			t.Errorf("ExcelFormat(%q) = %q, want %q", unit, got, want)
		}
	}
}
