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
		// Already YYYY-MM-DD (what time.Parse would accept and Format
		// give back): the cell itself.
		if y, _, _, ok := isoDay(v); ok && y >= 1900 && y <= 2200 {
			return v, true
		}
		return "", false
	}
	if len(v) == 8 {
		if t, err := time.Parse("20060102", v); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t.Format("2006-01-02"), true
		}
	}
	norm := dateSeparators.Replace(v)
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

// dateSeparators turns the other ways of writing a date into
// YYYY-M-D; built once (imports call ParseDate for every cell).
var dateSeparators = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")

// AddDays is the day n days after day (both YYYY-MM-DD; n may be
// negative), or day itself when it is not such a date ("" stays "").
func AddDays(day string, n int) string {
	if y, m, d, ok := isoDay(day); ok {
		if out, ok := formatDays(daysFromCivil(y, m, d) + int64(n)); ok {
			return out
		}
	}
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

// AddYears is the same day n years after day (YYYY-MM-DD; 29 February
// becomes 1 March in a year without it, as time.AddDate does), or day
// itself when it is not such a date.
func AddYears(day string, n int) string {
	if y, m, d, ok := isoDay(day); ok && y+n >= 0 && y+n <= 9999 {
		if m == 2 && d == 29 && !leapYear(y+n) {
			m, d = 3, 1
		}
		if out, ok := formatDays(daysFromCivil(y+n, m, d)); ok {
			return out
		}
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(n, 0, 0).Format(time.DateOnly)
}

// isoDay reads a day written YYYY-MM-DD (four, two and two digits; the
// day exists), without time.Parse: imports read millions of them.
func isoDay(v string) (y, m, d int, ok bool) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return 0, 0, 0, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if v[i] < '0' || v[i] > '9' {
			return 0, 0, 0, false
		}
	}
	y = int(v[0]-'0')*1000 + int(v[1]-'0')*100 + int(v[2]-'0')*10 + int(v[3]-'0')
	m = int(v[5]-'0')*10 + int(v[6]-'0')
	d = int(v[8]-'0')*10 + int(v[9]-'0')
	if m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

func leapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if leapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// formatDays writes the day z days after 1970-01-01 as YYYY-MM-DD; false
// outside the years 0000–9999.
func formatDays(z int64) (string, bool) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	if y < 0 || y > 9999 {
		return "", false
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:]), true
}
