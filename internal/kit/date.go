package kit

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a date cell: 2024-05-01, 2024/5/1, 2024.05.01,
// 2024年5月1日, 20240501, or an Excel serial day number; years 1900–2200.
func ParseDate(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false
	}
	if len(v) == 5 && v[0] >= '1' && v[0] <= '7' {
		if n, err := strconv.Atoi(v); err == nil && n > 18000 {
			return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format("2006-01-02"), true
		}
	}
	if len(v) == 10 && v[4] == '-' && v[7] == '-' {
		if t, err := time.Parse("2006-01-02", v); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t.Format("2006-01-02"), true
		}
		return "", false
	}
	if len(v) == 8 {
		if t, err := time.Parse("20060102", v); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t.Format("2006-01-02"), true
		}
	}
	norm := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(v)
	parts := strings.Split(norm, "-")
	if len(parts) != 3 {
		return "", false
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return "", false
		}
		n[i] = x
	}
	if n[0] < 1900 || n[0] > 2200 || n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 {
		return "", false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[2] {
		return "", false // 2 月 30 日
	}
	return t.Format("2006-01-02"), true
}

// AddDays is the day n days after day (both YYYY-MM-DD; n may be
// negative), or day itself when it is not such a date ("" stays "").
func AddDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// CST is China Standard Time (UTC+8, no daylight saving): every day a
// user reads or a register counts is a day in it.
var CST = time.FixedZone("CST", 8*3600)

// DayOf is the day (YYYY-MM-DD) of t in China Standard Time.
func DayOf(t time.Time) string { return t.In(CST).Format(time.DateOnly) }
