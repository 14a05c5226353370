package pilots

import (
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// maxFen caps amounts at one hundred million yuan: a standard reward is
// far below, so a larger figure is a typing error.
const maxFen = 100_000_000 * 100

// ParseYuan reads an amount of money as people write it — "50000",
// "50,000.00", "5万", "1.5万元", full-width digits — and returns it in fen.
// No floating point is involved: the digits are read as integers.
func ParseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "¥"), "元")
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", "")
	scale := int64(1)
	if strings.HasSuffix(s, "万") {
		s, scale = strings.TrimSuffix(s, "万"), 10000
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		return 0, false
	}
	// Fractions beyond the fen are refused, not rounded.
	maxFrac := 2
	if scale == 10000 {
		maxFrac = 6
	}
	if len(frac) > maxFrac || len(whole) > 12 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	frac += strings.Repeat("0", maxFrac-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	var fen int64
	if scale == 10000 {
		fen = w*10000*100 + f // the sixth decimal of 万 is the fen
	} else {
		fen = w*100 + f
	}
	if fen > maxFen {
		return 0, false
	}
	return fen, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FormatFen prints fen as yuan with thousands separators: 1234567 → "12,345.67".
func FormatFen(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	w := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, r := range w {
		if i > 0 && (len(w)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + strconv.FormatInt(100+fen%100, 10)[1:]
	if neg {
		out = "-" + out
	}
	return out
}
