// Package creditcode checks the unified social credit code of GB 32100-2015
// (统一社会信用代码), the key of every enterprise, cooperative and other
// market entity in Sidi's registers: 18 characters from the alphabet below
// (digits and upper-case letters without I, O, Z, S, V), characters 3–8 an
// administrative division code and the last a check character,
// (31 − Σ value×3^(i−1) mod 31) mod 31 over the first 17.
package creditcode

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
)

// excelNumber matches a number as Excel shows a long one it stored as a
// number (9.16301E+17), after Parse's normalisation.
var excelNumber = regexp.MustCompile(`^[0-9]\.[0-9]*E\+?[0-9]+$`)

// Alphabet is the code's characters; a character's value is its index.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights are those of positions 1–17 (3^(i−1) mod 31).
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Check returns the check character of the first 17 characters of a code,
// or 0 when there are not 17 or one of them is not allowed.
func Check(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(Alphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * weights[i]
	}
	return Alphabet[(31-sum%31)%31]
}

// canonical: s is written as Parse returns codes (18 characters of the
// alphabet, digits where the region code stands).
func canonical(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(Alphabet, s[i]) < 0 || i >= 2 && i < 8 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// Parse checks a code as typed (full width, lower case, spaces and hyphens
// allowed) and returns it normalised, or an invalid error saying in Chinese
// what is wrong.
func Parse(s string) (string, error) {
	if canonical(s) && Check(s[:17]) == s[17] {
		return s, nil // as normalising would leave it (imports read millions)
	}
	return parseTyped(s)
}

// parseTyped is Parse for a code as typed: normalised, then checked.
func parseTyped(s string) (string, error) {
	c := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, norm.NFKC.String(s)))
	if excelNumber.MatchString(c) {
		return "", apperr.Invalid("统一社会信用代码“%s”被 Excel 存成了数字（科学计数法），后几位已丢失：请把该列设为“文本”格式后重新填写", strings.TrimSpace(s))
	}
	if n := len([]rune(c)); n != 18 || len(c) != 18 {
		return "", apperr.Invalid("统一社会信用代码应为 18 位，“%s”为 %d 位", strings.TrimSpace(s), n)
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(Alphabet, c[i]) < 0 {
			return "", apperr.Invalid("统一社会信用代码第 %d 位“%c”无效：只能是数字和除 I、O、Z、S、V 以外的大写字母", i+1, c[i])
		}
	}
	for i := 2; i < 8; i++ {
		if c[i] < '0' || c[i] > '9' {
			return "", apperr.Invalid("统一社会信用代码第 3—8 位应为行政区划代码（数字）")
		}
	}
	if want := Check(c[:17]); c[17] != want {
		if strings.HasSuffix(c, "000") && strings.Trim(c, "0123456789") == "" {
			// Excel keeps 15 significant digits of a number.
			return "", apperr.Invalid("统一社会信用代码“%s”校验位不符，且末尾为 000：可能被 Excel 存成了数字而丢失了末几位，请把该列设为“文本”格式后重新填写", c)
		}
		return "", apperr.Invalid("统一社会信用代码“%s”校验位不符（按 GB 32100 计算应为“%c”），请核对", c, want)
	}
	return c, nil
}
