package standards

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// realRefused are the codes of testdata/codes_real.txt that are genuinely
// damaged or not a standard code of a family the registry keeps, each with
// a part of the reason ParseCode must give.
var realRefused = map[string]string{
	"gb500962023":       "是否为 GB 50096—2023",
	"sl232019":          "是否为 SL 23—2019",
	"SL2522000":         "是否为 SL 252—2000",
	"GB 30966-30971":    "末尾有无法识别的内容",   // a range of standards, not one code
	"CCES01—2004":       "不是已登记的行业标准代号", // a society's guide, no standard family
	"CECS102:2002":      "不是已登记的行业标准代号", // association standard (CECS), not kept
	"GJB/Z9001-9004-96": "不是已登记的行业标准代号", // military standards, not kept
	"GJB9001A-2001":     "不是已登记的行业标准代号",
	"J 792-2008":        "无法识别的标准代号", // the filing number (备案号) of CJJ 1-2008, not a standard code
	"GB/T68231986":      "是否为 GB/T 6823—1986",
	"LY / T 1960—":      "末尾有无法识别的内容", // the year fell into the next table cell
}

// TestRealCodes parses every code of testdata/codes_real.txt (copied from
// public pages, source addresses in the file) and reports the figures: all
// are accepted except the listed damaged ones, which are refused for the
// listed reason.
func TestRealCodes(t *testing.T) {
	f, err := os.Open("testdata/codes_real.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total, accepted, normalised, refused int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		total++
		c := ParseCode(line)
		reason, want := realRefused[line]
		switch {
		case c.Valid && want:
			t.Errorf("%q: accepted as %s, want refused (%s)", line, c.Normalized, reason)
		case c.Valid:
			accepted++
			if c.Display != line && c.Normalized != line {
				normalised++
			}
		case !want:
			t.Errorf("%q: refused: %s", line, c.Error)
		case !strings.Contains(c.Error, reason):
			t.Errorf("%q: refused with %q, want %q", line, c.Error, reason)
		default:
			refused++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if refused != len(realRefused) {
		t.Errorf("refused %d, listed %d", refused, len(realRefused))
	}
	t.Logf("real codes: %d read, %d accepted (%d of them rewritten to the normal form), %d refused as damaged", total, accepted, normalised, refused)
}
