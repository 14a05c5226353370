package kit

import (
	"strings"
	"unicode/utf8"
)

// Text trims a form field v and checks it is present (when required),
// within max runes and free of control characters (line breaks allowed),
// adding the failure to errs under field with the field's label.
func Text(errs *Errors, field, label, v string, max int, required bool) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		errs.Add(field, "请填写%s", label)
	case unreadable(v):
		errs.Add(field, "%s含有无法识别的字符", label)
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, "%s不能超过 %d 个字", label, max)
	}
	return v
}

// Day checks a date field: a real day from since to until (YYYY-MM-DD),
// "" allowed unless required; the day as stored, or "" after a failure.
func Day(errs *Errors, field, label, v string, required bool, since, until string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			errs.Add(field, "请填写%s", label)
		}
		return ""
	}
	d, ok := ParseDate(v)
	if !ok || d < since || d > until {
		errs.Add(field, "%s“%s”不是有效日期（%s 至 %s，如 %s）", label, Clip(v), since, until, until)
		return ""
	}
	return d
}

// Clip shortens a value quoted in a message to 20 characters.
func Clip(v string) string { return ClipRunes(v, 20) }

// ClipRunes shortens a value quoted in a message to n characters and an
// ellipsis, with invalid UTF-8 replaced (it is shown on a page).
func ClipRunes(v string, n int) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if r := []rune(v); len(r) > n {
		return string(r[:n]) + "…"
	}
	return v
}

// Cell reads a required or optional cell of an import row within max
// runes and free of control characters (line breaks allowed), adding the
// failure to errs at the row and column.
func Cell(r Row, errs *Errors, col string, max int, required bool) string {
	v := strings.TrimSpace(r.Get(col))
	switch {
	case v == "" && required:
		errs.AddCell(r.N, col, "不能为空")
	case utf8.RuneCountInString(v) > max:
		errs.AddCell(r.N, col, "不能超过 %d 个字", max)
	case unreadable(v):
		errs.AddCell(r.N, col, "含有无法识别的字符")
	}
	return v
}

// unreadable reports invalid UTF-8 or a control character other than a
// line break.
func unreadable(v string) bool {
	return !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' || r == 0x7f })
}
