// Package numfmt writes the numbers people read (pages, bulletins, exports
// for people) rounded by their unit, and reads the numbers people type into
// forms. Machine interfaces (the JSON API) keep full precision and do not use
// it.
package numfmt

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"sidi/internal/apperr"
)

// Kind is how a unit's values are rounded for reading.
type Kind int

// Kinds of unit.
const (
	Other   Kind = iota // anything else: at most 2 decimals, trailing zeros trimmed
	Count               // things counted one by one: an integer
	Percent             // %, ％, 百分比, 个百分点: one decimal
	Money               // 元, 万元, 亿元, …: at most 2 decimals, trailing zeros trimmed
)

// countUnits are the measure words of things counted one by one. A count with
// a magnitude prefix (万人次, 千户) is not integral and is not listed.
var countUnits = map[string]bool{
	"件": true, "个": true, "项": true, "家": true, "人": true, "次": true, "人次": true,
	"批": true, "批次": true, "座": true, "台": true, "名": true, "所": true, "户": true,
	"条": true, "篇": true, "部": true, "场": true, "期": true, "套": true, "种": true,
	"处": true, "本": true, "份": true, "家次": true, "个次": true, "位": true, "例": true,
	"支": true, "张": true, "册": true, "类": true, "款": true, "门": true, "所次": true,
}

// KindOf classifies unit (surrounding spaces ignored).
func KindOf(unit string) Kind {
	u := strings.TrimSpace(unit)
	switch {
	case u == "%" || u == "％" || u == "百分比" || u == "个百分点" || u == "百分点":
		return Percent
	case countUnits[u]:
		return Count
	case strings.HasSuffix(u, "元"):
		return Money
	}
	return Other
}

// Format writes v for a person, rounded by unit; the unit itself is not
// written. Rounding is half away from zero.
//
//   - counts (件, 个, 项, 家, 人, 次, 人次, 批次, 座, 台, 名, 所, …): an integer
//     with thousands separators — a forecast of 45.055 件 reads "45";
//   - percentages (%, ％, 百分比, 个百分点): exactly one decimal, "13.7";
//   - money (元, 万元, 亿元, any unit ending in 元): thousands separators and at
//     most 2 decimals with trailing zeros trimmed, "1,234,567.8";
//   - anything else, including no unit: the same as money.
//
// NaN and ±Inf read "—". A value that rounds to zero reads "0", never "-0".
func Format(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	decimals, fixed := 2, false
	switch KindOf(unit) {
	case Count:
		decimals = 0
	case Percent:
		decimals, fixed = 1, true
	}
	s := round(v, decimals)
	if !fixed && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if strings.Trim(s, "-0.") == "" { // -0, -0.0, 0.00
		s = strings.TrimPrefix(s, "-")
	}
	return group(s)
}

// ExcelFormat is the spreadsheet number format that shows a value of unit as
// Format writes it, while the cell keeps the exact value: "#,##0" for counts,
// "#,##0.0" for percentages, "#,##0.00" otherwise.
func ExcelFormat(unit string) string {
	switch KindOf(unit) {
	case Count:
		return "#,##0"
	case Percent:
		return "#,##0.0"
	}
	return "#,##0.00"
}

// round writes v with exactly decimals digits after the point, rounding half
// away from zero on the decimal value people see.
func round(v float64, decimals int) string {
	scale := math.Pow10(decimals)
	if math.Abs(v)*scale < 1<<52 { // exact integers: math.Round is safe
		return strconv.FormatFloat(math.Round(v*scale)/scale, 'f', decimals, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// group puts a comma between each three digits of s's integer part.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Limit is the largest magnitude Parse accepts: nothing the plan measures
// (money in 元 included) comes near 10^15, so anything above is a typing
// slip or an attempt to break the arithmetic.
const Limit = 1e15

// fullWidth maps the full-width forms people type with a Chinese input method
// to ASCII.
var fullWidth = strings.NewReplacer(
	"０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
	"５", "5", "６", "6", "７", "7", "８", "8", "９", "9",
	"．", ".", "，", ",", "－", "-", "＋", "+", "−", "-", "\u3000", " ",
	"ｅ", "e", "Ｅ", "E", "％", "%",
)

var (
	plainNumber = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)
	grouped     = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$`)
)

// Parse reads a number a person typed into the field named field (the name
// appears in the error). It accepts full-width digits and full-width
// "．，－＋", surrounding spaces, thousands separators in the usual places
// ("1,234.5") and a plain exponent ("1.5e3"). It refuses the empty string,
// words (NaN, Inf), hexadecimal, misplaced separators ("1,2") and values
// whose magnitude exceeds Limit. Errors are apperr.Invalid, in Chinese.
func Parse(field, s string) (float64, error) {
	t := strings.TrimSpace(fullWidth.Replace(s))
	if t == "" {
		return 0, apperr.Invalid("“%s”须填写数字", field)
	}
	if strings.Contains(t, ",") {
		if !grouped.MatchString(t) {
			return 0, apperr.Invalid("“%s”须为数字，实为“%s”（千位分隔符应每三位一个）", field, s)
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if !plainNumber.MatchString(t) {
		return 0, apperr.Invalid("“%s”须为数字，实为“%s”", field, s)
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > Limit {
		return 0, apperr.Invalid("“%s”数值过大：“%s”（绝对值不得超过 10 的 15 次方）", field, s)
	}
	if v == 0 {
		v = 0 // no -0
	}
	return v, nil
}

// NiceStep rounds a raw chart tick step up to 1, 2 or 5 × 10^n.
func NiceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}
