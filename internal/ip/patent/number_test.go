package patent

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"201710601862.3", "201710601862.3", ""},
		{"ZL201710601862.3", "201710601862.3", ""},
		{"CN 2017106018623", "201710601862.3", ""},
		{"ZL２01710601862．3", "201710601862.3", ""},
		{"zl201710601862．3", "201710601862.3", ""},
		{"ZL95115608.X", "95115608.X", ""},
		{"95115608x", "95115608.X", ""},
		{"201710601862.4", "", "校验位错误：应为 3"},
		{"201720601862.1", "", "不是发明专利"},
		{"301710601862.3", "", "申请年份"},
		{"2017106018", "", "格式无效"},
		{"201710601862.", "", "小数点后"},
		{"20171060186A.3", "", "非数字"},
		{"", "", "不能为空"},
		{"ZL", "", "不能为空"},
	}
	for _, c := range cases {
		got, err := ParseNumber(c.in)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("%q: %q %v, want %q", c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %q %v, want error with %q", c.in, got, err, c.err)
		}
	}
}

// TestRealNumbers checks the numbers the rule's sources quote.
func TestRealNumbers(t *testing.T) {
	f, err := os.Open("testdata/numbers.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		in, want, _ := strings.Cut(line, "\t")
		if got, err := ParseNumber(in); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
		n++
	}
	if n < 3 {
		t.Fatalf("only %d numbers", n)
	}
}

func TestCategories(t *testing.T) {
	base := Patent{AppliedOn: "2015-03-01", GrantedOn: "2017-01-01"}
	cases := []struct {
		name string
		edit func(*Patent)
		day  string
		want []string
	}{
		{"ordinary", func(*Patent) {}, "2024-01-01", nil},
		{"maintained, the day after ten years", func(*Patent) {}, "2025-03-02", []string{CatMaintained}},
		{"exactly ten years is not over ten", func(*Patent) {}, "2025-03-01", nil},
		{"strategic", func(p *Patent) { p.Strategic = true }, "2020-01-01", []string{CatStrategic}},
		{"overseas", func(p *Patent) { p.Overseas = 1 }, "2020-01-01", []string{CatOverseas}},
		{"pledge at the threshold", func(p *Patent) { p.PledgeFen = PledgeThresholdFen }, "2020-01-01", []string{CatPledge}},
		{"pledge below", func(p *Patent) { p.PledgeFen = PledgeThresholdFen - 1 }, "2020-01-01", nil},
		{"award", func(p *Patent) { p.Award = "第二十届中国专利金奖" }, "2020-01-01", []string{CatAward}},
		{"provincial award only", func(p *Patent) { p.Award = "青海省科学技术进步奖" }, "2020-01-01", nil},
		{"all five", func(p *Patent) {
			p.Strategic, p.Overseas, p.PledgeFen, p.Award = true, 3, 2e9, "国家技术发明奖二等奖"
		},
			"2026-01-01", []string{CatStrategic, CatOverseas, CatMaintained, CatPledge, CatAward}},
	}
	for _, c := range cases {
		p := base
		c.edit(&p)
		if got := p.CategoriesAt(c.day); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if len(Categories) != 5 {
		t.Fatalf("%d categories", len(Categories))
	}
	for _, c := range Categories {
		if c.Rule == "" || c.Source == "" {
			t.Errorf("category %s without rule or source", c.Key)
		}
	}
}
