package kit

import (
	"strings"
	"testing"
)

func TestTextDayClip(t *testing.T) {
	var errs Errors
	if v := Text(&errs, "a", "名称", "  西宁  ", 10, true); v != "西宁" || len(errs) != 0 {
		t.Fatalf("%q %v", v, errs)
	}
	Text(&errs, "b", "名称", "", 10, true)
	Text(&errs, "c", "名称", strings.Repeat("长", 11), 10, false)
	Text(&errs, "d", "名称", "a\x00b", 10, false)
	Text(&errs, "e", "说明", "第一行\n第二行", 10, false)
	if len(errs) != 3 || errs[0].Field != "b" || errs[1].Field != "c" || errs[2].Field != "d" {
		t.Fatalf("errors %v", errs)
	}
	errs = nil
	if d := Day(&errs, "on", "日期", "2025/3/1", true, "1990-01-01", "2025-06-30"); d != "2025-03-01" || len(errs) != 0 {
		t.Fatalf("%q %v", d, errs)
	}
	for _, v := range []string{"2025-07-01", "1989-12-31", "明天"} {
		if d := Day(&errs, "on", "日期", v, true, "1990-01-01", "2025-06-30"); d != "" {
			t.Errorf("%s accepted", v)
		}
	}
	if Day(&errs, "on", "日期", "", false, "1990-01-01", "2025-06-30") != "" || len(errs) != 3 {
		t.Fatalf("errors %v", errs)
	}
	if Clip(strings.Repeat("字", 25)) != strings.Repeat("字", 20)+"…" || Clip("短") != "短" {
		t.Error("clip")
	}
}

func TestCellAndClipRunes(t *testing.T) {
	row := Row{N: 4, col: map[string]int{"名称": 0, "说明": 1}}
	for _, c := range []struct {
		v    string
		want string // the error, "" for none
	}{
		{" 西宁 ", ""},
		{"第一行\n第二行", ""},
		{"a\x00b", "第 4 行“名称”：含有无法识别的字符"},
		{"a\tb", "第 4 行“名称”：含有无法识别的字符"},
		{string([]byte{0xff, 'a'}), "第 4 行“名称”：含有无法识别的字符"},
		{strings.Repeat("长", 11), "第 4 行“名称”：不能超过 10 个字"},
		{"", "第 4 行“名称”：不能为空"},
	} {
		var errs Errors
		row.Cells = []string{c.v, ""}
		Cell(row, &errs, "名称", 10, true)
		if got := errs.Error(); (c.want == "") != (len(errs) == 0) || (c.want != "" && got != c.want) {
			t.Errorf("Cell(%q): %q, want %q", c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		v    string
		n    int
		want string
	}{
		{"标准化试点", 5, "标准化试点"},
		{"标准化试点项目", 5, "标准化试点…"},
		{string([]byte{'a', 0xff, 0xfe, 'b'}), 5, "a\uFFFDb"},
	} {
		if got := ClipRunes(c.v, c.n); got != c.want {
			t.Errorf("ClipRunes(%q, %d) = %q, want %q", c.v, c.n, got, c.want)
		}
	}
}
