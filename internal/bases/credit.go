package bases

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
)

// The unified social credit code (GB 32100-2015): 18 characters from the
// alphabet below (digits and upper-case letters without I, O, Z, S, V),
// characters 3–8 an administrative division code, the last a check
// character: (31 − Σ value×3^(i−1) mod 31) mod 31 over the first 17.
// The standards package checks enterprises the same way; the rule is
// restated here because domains do not import each other, and a test
// holds the two to the same answers.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ParseCreditCode normalises a credit code as typed (full width, lower
// case, spaces and hyphens allowed) and checks it; the error names the
// field and says what is wrong.
func ParseCreditCode(s string) (string, error) {
	c := strings.ToUpper(strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u3000', '-', '\t':
			return -1
		}
		return r
	}, norm.NFKC.String(strings.TrimSpace(s))))
	if len(c) != 18 || len([]rune(c)) != 18 {
		return "", apperr.Invalid("经营主体统一社会信用代码应为 18 位，“%s”为 %d 位", s, len([]rune(c)))
	}
	sum, w := 0, 1
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(creditAlphabet, c[i])
		if v < 0 {
			return "", apperr.Invalid("经营主体统一社会信用代码第 %d 位“%c”无效：只能是数字和除 I、O、Z、S、V 以外的大写字母", i+1, c[i])
		}
		if i >= 2 && i < 8 && (c[i] < '0' || c[i] > '9') {
			return "", apperr.Invalid("经营主体统一社会信用代码第 3—8 位应为行政区划代码（数字）")
		}
		if i < 17 {
			sum += v * w
			w = w * 3 % 31
		}
	}
	if want := creditAlphabet[(31-sum%31)%31]; c[17] != want {
		return "", apperr.Invalid("经营主体统一社会信用代码“%s”校验位不符（按 GB 32100 计算应为“%c”），请核对", c, want)
	}
	return c, nil
}
