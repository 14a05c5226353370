package standards

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The parsing fast paths (plainASCII, cleanASCII, isoDate, the hand-made
// splitList, the skips in spaceYear and enterpriseText) must give what
// the general code gives. The references below are that general code as
// it stood before the fast paths; TestFastPathsAgree runs both over the
// real codes, dates and lists of every kind, FuzzFastPaths over anything.

// dashReplacer is what replaceDashes does, as a strings.Replacer.
var dashReplacer = strings.NewReplacer(
	"—", "-", "–", "-", "‐", "-", "‑", "-", "‒", "-", "―", "-", "−", "-", "﹣", "-", "－", "-", "～", "-", "〜", "-", "~", "-",
	"／", "/", "：", ":", "．", ".", "。", ".",
)

func cleanRef(s string) string {
	s = norm.NFKC.String(s)
	s = dashReplacer.Replace(s)
	if strings.Contains(s, "一") {
		s = reOneDash.ReplaceAllString(s, "$1-$2")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return s
}

func spaceYearRef(input string) string {
	s := strings.TrimSpace(dashReplacer.Replace(norm.NFKC.String(input)))
	if strings.HasPrefix(strings.ToUpper(s), "Q/") {
		return input
	}
	m := reSpaceYear.FindStringSubmatch(s)
	if m == nil {
		return input
	}
	return m[1] + "-" + m[2] + m[3]
}

func enterpriseTextRef(input string) string {
	return reSpacedDash.ReplaceAllString(dashReplacer.Replace(norm.NFKC.String(input)), "-")
}

var reListSepRef = regexp.MustCompile(`[;；,，、\s]+`)

func splitListRef(s string) []string {
	var out []string
	for _, p := range reListSepRef.Split(s, -1) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseDateRef(s string) (string, bool) {
	s = strings.TrimSpace(cleanRef(s))
	if s == "" {
		return "", true
	}
	if strings.ContainsAny(s, "年月日/.") {
		s = dateSeparators.Replace(s)
	}
	t, err := time.Parse("2006-1-2", s)
	if err != nil || t.Year() < 1950 || t.Year() > 2100 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// checkFastPaths reports every function whose fast path differs from
// its reference on s.
func checkFastPaths(t *testing.T, s string) {
	t.Helper()
	if got, want := replaceDashes(s), dashReplacer.Replace(s); got != want {
		t.Errorf("replaceDashes(%q) = %q, want %q", s, got, want)
	}
	if got, want := spacedDash(s), reSpacedDash.ReplaceAllString(s, "-"); got != want {
		t.Errorf("spacedDash(%q) = %q, want %q", s, got, want)
	}
	if got, want := clean(s), cleanRef(s); got != want {
		t.Errorf("clean(%q) = %q, want %q", s, got, want)
	}
	if got, want := spaceYear(s), spaceYearRef(s); got != want {
		t.Errorf("spaceYear(%q) = %q, want %q", s, got, want)
	}
	if got, want := enterpriseText(s), enterpriseTextRef(s); got != want {
		t.Errorf("enterpriseText(%q) = %q, want %q", s, got, want)
	}
	if got, want := splitList(s), splitListRef(s); !slices.Equal(got, want) {
		t.Errorf("splitList(%q) = %q, want %q", s, got, want)
	}
	d, ok := ParseDate(s)
	if wd, wok := parseDateRef(s); d != wd || ok != wok {
		t.Errorf("ParseDate(%q) = %q %v, want %q %v", s, d, ok, wd, wok)
	}
}

// fastPathInputs are the cases above, the real codes (as written, lower
// case, trimmed) and, with generated, 2,000 generated standards' fields.
func fastPathInputs(t testing.TB, generated bool) []string {
	in := []string{
		"", " ", "--", "a--b", "a - - b", "gb/t 1.1-2020", "GB/T 1.1—2020", "Q/QH 0001 S—2021", "Q/QH 0001S-2021", "q/abc 12 - 2020",
		"DB63/T 858 2009", "DB63/T858 2009", "GB T 8151.1 2000", "GBJ 16 87", "db63/t 1~2", "GB/T39389一2020", "\tGB\v/T 1\f-\r2020\n",
		"2024-01-05", "2024-1-5", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "1949-12-31", "1950-01-01", "2100-12-31", "2101-01-01",
		"2024/1/5", "2024.01.05", "2024年1月5日", "２０２４-０１-０５", "2024-01-05 ", "0000-00-00", "+024-01-05", "2024-1-05x",
		"-", " - ", "a - - b", "a--b ", "\t-\r", "x -\v- y", "Q/QH 0001—S —— 2021", "\xff—\xfe", "a\xe2\x80-b", "～〜~－﹣", "／：．。",
		"03.120.10;03.120.20", "A01，B02、c03", "A01 ; ; B02", "65.020.01\u3000B31", "x\u0085y\u00a0z", "\u200bGB/T 1-2000\ufeff",
	}
	f, err := os.Open("testdata/codes_real.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			in = append(in, line, strings.ToLower(line), strings.TrimSpace(line))
		}
	}
	if !generated {
		return in
	}
	g := NewGen(7)
	for i := range 2000 {
		st := g.Standard(i)
		in = append(in, st.Code, st.Issued, st.Implemented, st.ICS, st.CCS, strings.Join(st.Replaces, "；"), st.DraftingUnits)
	}
	return in
}

func TestFastPathsAgree(t *testing.T) {
	in := fastPathInputs(t, true)
	if len(in) < 10000 {
		t.Fatalf("only %d inputs", len(in))
	}
	for _, s := range in {
		checkFastPaths(t, s)
	}
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range fastPathInputs(f, false) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFastPaths(t, s) })
}
