// Package check holds the small input checks every register's service
// runs on a form or an API body: a list of problems named by field (shown
// all at once, in Chinese), text without control characters within a
// length, dates as people type them, and choices given by key or label.
package check

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"sidi/internal/kit"
)

// Problems collects the field errors of one input, so a form shows all of
// them at once, each written "字段：原因". Err turns them into the one
// field-error type of every register, kit.Errors.
type Problems []string

// Add records that field is wrong, saying why.
func (ps *Problems) Add(field, format string, args ...any) {
	*ps = append(*ps, field+"："+fmt.Sprintf(format, args...))
}

// Err is nil when nothing is wrong, else an invalid-input error listing
// every problem.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	es := make(kit.Errors, len(ps))
	for i, p := range ps {
		es[i].Msg = p
		if field, _, ok := strings.Cut(p, "："); ok {
			es[i].Field = field
		}
	}
	return es
}

// ControlFree reports whether s has no control characters other than line
// breaks and tabs.
func ControlFree(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// Text trims s and records a problem when it is longer than max characters
// or holds control characters.
func Text(ps *Problems, field, s string, max int) string {
	s = strings.TrimSpace(s)
	if n := len([]rune(s)); n > max {
		ps.Add(field, "不能超过 %d 个字（现为 %d 个）", max, n)
	} else if !ControlFree(s) {
		ps.Add(field, "含有不可见的控制字符，请删除后重填")
	}
	return s
}

// Date reads a date as people type it (2024-05-01, 2024/5/1, 2024.5.1,
// 2024年5月1日) and returns it as YYYY-MM-DD; years outside 1990–2100 are
// refused.
func Date(s string) (string, bool) {
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(strings.TrimSpace(s))
	t, err := time.Parse("2006-1-2", s)
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// Key returns the key of a choice given by its key or by its label in m,
// or "" when v is neither.
func Key(m map[string]string, v string) string {
	v = strings.TrimSpace(v)
	if _, ok := m[v]; ok {
		return v
	}
	for k, label := range m {
		if label == v {
			return k
		}
	}
	return ""
}

// Labels lists the labels of keys in order, joined with 、 for a message.
func Labels(keys []string, labels map[string]string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = labels[k]
	}
	return strings.Join(out, "、")
}
