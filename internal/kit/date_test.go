package kit

import "testing"

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"2024-05-01", "2024-05-01", true},
		{" 2024/5/1 ", "2024-05-01", true},
		{"2024.05.01", "2024-05-01", true},
		{"2024年5月1日", "2024-05-01", true},
		{"20240501", "2024-05-01", true},
		{"45413", "2024-05-01", true}, // Excel serial day
		{"2024-02-30", "", false},
		{"2023年2月29日", "", false},
		{"2024-13-01", "", false},
		{"", "", false},
		{"明天", "", false},
		{"1800-01-01", "", false},
	} {
		got, ok := ParseDate(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestAddDays(t *testing.T) {
	for _, c := range []struct {
		day  string
		n    int
		want string
	}{
		{"2024-02-28", 1, "2024-02-29"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2025-01-10", -10, "2024-12-31"},
		{"2025-06-30", 0, "2025-06-30"},
		{"", 30, ""},
		{"明天", 1, "明天"},
	} {
		if got := AddDays(c.day, c.n); got != c.want {
			t.Errorf("AddDays(%q, %d) = %q, want %q", c.day, c.n, got, c.want)
		}
	}
}
