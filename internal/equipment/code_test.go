package equipment

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCode(t *testing.T) {
	cases := []struct {
		in, want, err string
		typ           string
	}{
		{in: "311032015202100123", want: "311032015202100123", typ: "elevator"},
		{in: " １１００ｑｈ００１２０２００００４２ ", want: "1100QH001202000042", typ: "boiler"},
		{in: "23T0A0001201900001", want: "23T0A0001201900001", typ: "pressure_vessel"},
		{in: "4A0012345202300009", want: "4A0012345202300009", typ: "crane"},
		{in: "831012345201800001", want: "831012345201800001", typ: "pressure_piping"},
		{in: "", err: "应为 18 位"},
		{in: "31103201520210012", err: "为 17 位"},
		{in: "31103201520210012345", err: "旧的注册代码"},
		{in: "711032015202100123", err: "不是《特种设备目录》"}, // 7000 pressure-piping elements are not equipment
		{in: "311132015202100123", err: "不是《特种设备目录》"},
		{in: "3110320-5202100123", err: "制造单位代码"},
		{in: "31103201520A100123", err: "只能是数字"},
		{in: "311032015194900123", err: "1949 不在"},
		{in: "311032015203000123", err: "2030 不在"},
		{in: "311032015202100000", err: "不能为 00000"},
		{in: "3110电梯15202100123", err: "位"},
	}
	for _, c := range cases {
		got, err := ParseCode(c.in, 2026)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseCode(%q) = %v, %v; want error containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got.Full != c.want || got.Type() != c.typ {
			t.Errorf("ParseCode(%q) = %+v (%s), %v; want %s (%s)", c.in, got, got.Type(), err, c.want, c.typ)
		}
	}
}

func TestCatalogue(t *testing.T) {
	if len(Catalogue) < 120 {
		t.Fatalf("catalogue has %d codes", len(Catalogue))
	}
	for code := range Catalogue {
		if TypeOfCatalogue[code[0]] == "" {
			t.Errorf("catalogue code %s has no register type", code)
		}
	}
	for _, c := range []string{"1000", "2150", "3110", "4110", "8310", "9110"} {
		if Catalogue[c] == "" {
			t.Errorf("catalogue lacks %s", c)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"311032015202100123", "1100QH001202000042", "", "ｑ", "23T0A0001201900001", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s, 2030)
		if err != nil {
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error not UTF-8: %q", err)
			}
			return
		}
		if len(c.Full) != CodeLen || Catalogue[c.Catalogue] == "" || c.Type() == "" || c.Year < 1950 || c.Year > 2030 {
			t.Fatalf("accepted %q as %+v", s, c)
		}
		again, err := ParseCode(c.Full, 2030)
		if err != nil || again != c {
			t.Fatalf("not idempotent: %q → %+v → %+v, %v", s, c, again, err)
		}
	})
}
