package check_test

import (
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/check"
)

func TestDate(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"2024-05-01", "2024-05-01", true},
		{" 2024/5/1 ", "2024-05-01", true},
		{"2024.5.1", "2024-05-01", true},
		{"2024年5月1日", "2024-05-01", true},
		{"2024-02-30", "", false},
		{"1989-12-31", "", false},
		{"2101-01-01", "", false},
		{"", "", false},
		{"明天", "", false},
	}
	for _, c := range cases {
		if got, ok := check.Date(c.in); got != c.want || ok != c.ok {
			t.Errorf("Date(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestProblemsAndText(t *testing.T) {
	var ps check.Problems
	if ps.Err() != nil {
		t.Fatal("no problems gave an error")
	}
	if got := check.Text(&ps, "名称", "  牦牛基地 ", 10); got != "牦牛基地" || len(ps) != 0 {
		t.Fatalf("Text trimmed to %q with %v", got, ps)
	}
	check.Text(&ps, "名称", strings.Repeat("牛", 11), 10)
	check.Text(&ps, "说明", "a\x00b", 10)
	check.Text(&ps, "说明", "第一行\n第二行\t", 10)
	err := ps.Err()
	msg := apperr.Message(err)
	if !errors.Is(err, apperr.ErrInvalid) || len(ps) != 2 || !strings.Contains(msg, "名称：不能超过 10 个字（现为 11 个）") || !strings.Contains(msg, "说明：含有不可见的控制字符") {
		t.Fatalf("problems %v: %v", ps, err)
	}
}

func TestKeyAndLabels(t *testing.T) {
	m := map[string]string{"yak": "千头牦牛标准化生产基地", "sheep": "千只藏羊标准化规模养殖场"}
	cases := []struct{ in, want string }{{"yak", "yak"}, {" 千只藏羊标准化规模养殖场 ", "sheep"}, {"牦牛", ""}, {"", ""}}
	for _, c := range cases {
		if got := check.Key(m, c.in); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := check.Labels([]string{"sheep", "yak"}, m); got != "千只藏羊标准化规模养殖场、千头牦牛标准化生产基地" {
		t.Errorf("Labels = %q", got)
	}
}
