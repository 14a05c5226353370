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
