package creditcode_test

import (
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/creditcode"
)

// code completes 17 characters with their check character.
func code(first17 string) string { return first17 + string(creditcode.Check(first17)) }

// other is a valid check character different from c.
func other(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func TestParse(t *testing.T) {
	good := code("91630100MA752XK3A")
	cases := []struct {
		name, in, want, err string
	}{
		{"as is", good, good, ""},
		{"lower case", strings.ToLower(good), good, ""},
		{"spaces and hyphens", "  " + good[:6] + " " + good[6:9] + "-" + good[9:] + "\t", good, ""},
		{"full width", strings.Map(func(r rune) rune { return r - '!' + '！' }, good), good, ""},
		{"ideographic space", good[:9] + "\u3000" + good[9:], good, ""},
		{"too short", good[:17], "", "18 位"},
		{"too long", good + "0", "", "18 位"},
		{"wrong check", good[:17] + string(other(good[17])), "", "校验位不符"},
		{"letter I", "91630100MA752XK3I0", "", "第 17 位“I”无效"},
		{"letter in region", "91A30100MA752XK3A0", "", "行政区划代码"},
		{"empty", "", "", "18 位"},
		{"Chinese", "统一社会信用代码统一社会信用代码统一", "", "18 位"},
		{"Excel scientific", "9.16301E+17", "", "科学计数法"},
		{"Excel scientific, lower case", "9.163010001e17", "", "科学计数法"},
		{"Excel digits", "916301000000000000", "", "可能被 Excel 存成了数字"},
		{"digits, wrong check", "916301000000000001", "", "按 GB 32100 计算应为"},
	}
	for _, c := range cases {
		got, err := creditcode.Parse(c.in)
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("%s: Parse(%q) = %q, %v; want %q", c.name, c.in, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), c.err) {
			t.Errorf("%s: Parse(%q) = %q, %v; want an error saying %q", c.name, c.in, got, err, c.err)
		}
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		first17 string
		want    byte
	}{
		{"91350100M000100Y4", '3'}, // a published example of the algorithm
		{"91350100M000100Y", 0},    // 16 characters
		{"91350100M000100YI", 0},   // I is not in the alphabet
	}
	for _, c := range cases {
		if got := creditcode.Check(c.first17); got != c.want {
			t.Errorf("Check(%q) = %q, want %q", c.first17, got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "９１３５", "", "91630100ma752xk3a-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := creditcode.Parse(s)
		if err != nil {
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Fatalf("Parse(%q): %v is not an invalid-input error", s, err)
			}
			return
		}
		if len(c) != 18 || creditcode.Check(c[:17]) != c[17] {
			t.Fatalf("Parse(%q) = %q, not a valid code", s, c)
		}
		if again, err := creditcode.Parse(c); err != nil || again != c {
			t.Fatalf("Parse(%q) = %q, but Parse(%q) = %q, %v", s, c, c, again, err)
		}
	})
}
