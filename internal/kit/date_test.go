package kit

import (
	"testing"
	"time"
)

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

// TestDayArithmeticMatchesTime: the fast day arithmetic gives what the
// time package gives, for every day of 1890–2210 (leap days, centuries,
// year ends), several offsets, and strings that are not days.
func TestDayArithmeticMatchesTime(t *testing.T) {
	slow := func(day string, f func(time.Time) time.Time) string {
		tm, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return day
		}
		return f(tm).Format(time.DateOnly)
	}
	checked := 0
	for tm := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2211; tm = tm.AddDate(0, 0, 1) {
		day := tm.Format(time.DateOnly)
		for _, n := range []int{-3653, -366, -1, 0, 1, 28, 365, 3652} {
			if got, want := AddDays(day, n), slow(day, func(x time.Time) time.Time { return x.AddDate(0, 0, n) }); got != want {
				t.Fatalf("AddDays(%s, %d) = %s, want %s", day, n, got, want)
			}
		}
		for _, n := range []int{-10, 1, 10} {
			if got, want := AddYears(day, n), slow(day, func(x time.Time) time.Time { return x.AddDate(n, 0, 0) }); got != want {
				t.Fatalf("AddYears(%s, %d) = %s, want %s", day, n, got, want)
			}
		}
		got, ok := ParseDate(day)
		if want := tm.Year() >= 1900 && tm.Year() <= 2200; ok != want || ok && got != day {
			t.Fatalf("ParseDate(%s) = %q, %v", day, got, ok)
		}
		checked++
	}
	if checked < 117_000 {
		t.Fatalf("only %d days checked", checked)
	}
	for _, day := range []string{"", "2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-00", "2024-1-011", "２０２４-01-01", "+024-01-01", "2024-01-3a", "0000-01-01", "9999-12-31", "10000-01-01"} {
		for _, n := range []int{-1, 1} {
			if got, want := AddDays(day, n), slow(day, func(x time.Time) time.Time { return x.AddDate(0, 0, n) }); got != want {
				t.Errorf("AddDays(%q, %d) = %q, want %q", day, n, got, want)
			}
			if got, want := AddYears(day, n), slow(day, func(x time.Time) time.Time { return x.AddDate(n, 0, 0) }); got != want {
				t.Errorf("AddYears(%q, %d) = %q, want %q", day, n, got, want)
			}
		}
	}
}
