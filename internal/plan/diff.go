package plan

import (
	"fmt"
	"strconv"
	"strings"
)

// Change is one difference between two versions of a plan.
type Change struct {
	Kind  string `json:"kind"`  // added, removed, changed
	Where string `json:"where"` // e.g. "任务 8 · 目标"
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Diff lists what changed from old to new, in document order. A nil old
// means everything is new.
func Diff(old, new *Document) []Change {
	if old == nil {
		old = &Document{}
	}
	var cs []Change
	field := func(where, a, b string) {
		if a != b {
			cs = append(cs, Change{Kind: "changed", Where: where, Old: a, New: b})
		}
	}
	field("方案标题", old.Title, new.Title)
	field("印发单位", old.Issuer, new.Issuer)
	field("印发日期", old.Issued, new.Issued)
	field("发布日期", old.Published, new.Published)
	for i := 0; i < max(len(old.Goals), len(new.Goals)); i++ {
		where := fmt.Sprintf("主要目标 %d", i+1)
		switch {
		case i >= len(old.Goals):
			cs = append(cs, Change{Kind: "added", Where: where, New: new.Goals[i].Title})
		case i >= len(new.Goals):
			cs = append(cs, Change{Kind: "removed", Where: where, Old: old.Goals[i].Title})
		default:
			field(where+" · 标题", old.Goals[i].Title, new.Goals[i].Title)
			field(where+" · 内容", old.Goals[i].Text, new.Goals[i].Text)
		}
	}
	oldTasks := map[int]Task{}
	for _, t := range old.Tasks() {
		oldTasks[t.Number] = t
	}
	newNums := map[int]bool{}
	for _, t := range new.Tasks() {
		newNums[t.Number] = true
		where := fmt.Sprintf("任务 %d", t.Number)
		o, ok := oldTasks[t.Number]
		if !ok {
			cs = append(cs, Change{Kind: "added", Where: where, New: t.Title})
			continue
		}
		field(where+" · 标题", o.Title, t.Title)
		field(where+" · 正文", o.Text, t.Text)
		field(where+" · 牵头单位", strings.Join(o.Lead, "、"), strings.Join(t.Lead, "、"))
		field(where+" · 责任单位", strings.Join(o.Co, "、"), strings.Join(t.Co, "、"))
		field(where+" · 量化目标", targetsString(o.Targets), targetsString(t.Targets))
		field(where+" · 成果", strings.Join(o.Deliverables, "、"), strings.Join(t.Deliverables, "、"))
	}
	for _, t := range old.Tasks() {
		if !newNums[t.Number] {
			cs = append(cs, Change{Kind: "removed", Where: fmt.Sprintf("任务 %d", t.Number), Old: t.Title})
		}
	}
	return cs
}

func targetsString(ts []Target) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%d年 %s", t.Year, t.Describe())
	}
	return strings.Join(parts, "；")
}

// Describe renders a target's rule in Chinese, e.g. "不少于 2,000 项".
func (t Target) Describe() string {
	if t.Comparator == "between" && t.Max != nil {
		return fmt.Sprintf("%s–%s %s", FormatNumber(t.Value), FormatNumber(*t.Max), t.Unit)
	}
	return fmt.Sprintf("%s %s %s", ComparatorLabel(t.Comparator), FormatNumber(t.Value), t.Unit)
}

// FormatNumber writes v with thousands separators and no trailing zeros.
func FormatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
