package standards

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"GB/T 19001-2016/ISO 9001:2015", "DB63/T 2290—2024", "DB63/388—2001", "T/QHNX 59—2024",
		"LY/T 1172-95", "GB/Z 1-2000", "GBZ 1-2000", "DB/T 19-2020", "GB 1-2000/XG1-2006", "ＧＢ／Ｔ１２３－２０２０", "Q/AB 1-2020", "DB6301/T 1-2020",
		"JGJ 130-2011", "JGJ/T 98-2010", "CJJ/T 83-2016", "GBJ 16-87", "DB63/T858 2009", "GB/T15262 1994", "GBT 7714-2005",
		"GB T 8151.1 2000", "DB63/T 9242019", "JTG/T D31-02-2013", "DLT 5190.1-2012", "GB/T 19001 2016/ISO 9001:2015",
		"jtg/t 3381-02-2020", "sl232019", "GB J10—89", "GB 30966-30971", "GB/T39389一2020", "J 792-2008"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c := ParseCode(in)
		if !c.Valid {
			if c.Error == "" || c.Normalized != "" {
				t.Fatalf("%q: invalid result %+v", in, c)
			}
			return
		}
		if c.Normalized == "" || strings.ContainsAny(c.Normalized, " \t—") || c.Normalized != strings.ToUpper(c.Normalized) {
			t.Fatalf("%q: bad key %q", in, c.Normalized)
		}
		if !utf8.ValidString(c.Normalized) {
			t.Fatalf("%q: key not UTF-8", in)
		}
		// The key and the display form parse back to the same key.
		for _, again := range []string{c.Normalized, c.Display} {
			d := ParseCode(again)
			if !d.Valid || d.Normalized != c.Normalized || d.Family != c.Family {
				t.Fatalf("%q → %q reparsed as %+v, want key %q", in, again, d, c.Normalized)
			}
		}
	})
}
