package main

import (
	"strings"
	"testing"
)

// TestDemoAsOf: sidi demo pins the progress pages to a date inside the
// plan once the plan has ended (the seed plan ends 2025-12-31), keeps a
// date already chosen, and refuses a value it cannot honour.
func TestDemoAsOf(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "demo", "--no-serve", "--data", dir)
	if code != 0 || !strings.Contains(out, "进展页面默认按 2025-10-11 展示") {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errs)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--as-of", "2025-06-30"}, 0, "默认按 2025-06-30 展示"},
		{nil, 0, ""}, // auto keeps the date already set
		{[]string{"--as-of", "yesterday"}, 2, "--as-of 须为 auto、today 或 YYYY-MM-DD"},
		{[]string{"--as-of", "2031-01-01"}, 1, "不晚于今天"},
		{[]string{"--as-of", "today"}, 0, "按当天展示"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, append([]string{"demo", "--no-serve", "--data", dir}, c.args...)...)
		if code != c.code || !strings.Contains(out+errs, c.want) || (c.want == "" && strings.Contains(out, "进展页面")) {
			t.Errorf("demo %v: exit %d, want %d with %q\n%s%s", c.args, code, c.code, c.want, out, errs)
		}
	}
}
