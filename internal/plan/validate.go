package plan

import (
	"fmt"
	"strings"
	"time"
)

// Problem is one thing wrong with a document, located for the reviewer.
type Problem struct {
	Where string `json:"where"` // e.g. "任务 3 · 目标 2"
	What  string `json:"what"`
}

func (p Problem) String() string { return p.Where + "：" + p.What }

// ProblemsError carries every problem found, so a reviewer fixes them in one pass.
type ProblemsError []Problem

func (e ProblemsError) Error() string {
	parts := make([]string, len(e))
	for i, p := range e {
		parts[i] = p.String()
	}
	return "plan: invalid document: " + strings.Join(parts, "；")
}

// ErrorDetails lists the problems for API clients.
func (e ProblemsError) ErrorDetails() any { return []Problem(e) }

var comparators = map[string]string{">": "超过", ">=": "不少于", "<": "少于", "<=": "不超过", "=": "等于", "between": "介于"}

// ComparatorLabel is the Chinese reading of a comparator.
func ComparatorLabel(c string) string { return comparators[c] }

// Validate checks what approval relies on and returns every problem found.
func Validate(d *Document) []Problem {
	var ps []Problem
	add := func(where, format string, args ...any) {
		ps = append(ps, Problem{Where: where, What: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(d.Title) == "" {
		add("方案", "标题不能为空")
	}
	for _, f := range []struct{ name, v string }{{"印发日期", d.Issued}, {"发布日期", d.Published}} {
		if f.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", f.v); err != nil {
			add("方案", "%s“%s”不是有效日期，请写成 2021-12-22 的形式", f.name, f.v)
		}
	}
	if len(d.Pillars) == 0 {
		add("方案", "没有任何重点任务板块")
	}
	seen := map[int]bool{}
	pillarSeen := map[int]bool{}
	for _, p := range d.Pillars {
		where := fmt.Sprintf("板块（%d）", p.Number)
		if p.Number <= 0 || pillarSeen[p.Number] {
			add(where, "板块编号须为正整数且不重复")
		}
		pillarSeen[p.Number] = true
		if strings.TrimSpace(p.Title) == "" {
			add(where, "标题不能为空")
		}
		for _, t := range p.Tasks {
			where := fmt.Sprintf("任务 %d", t.Number)
			if t.Number <= 0 || seen[t.Number] {
				add(where, "任务编号须为正整数且不重复")
			}
			seen[t.Number] = true
			if strings.TrimSpace(t.Title) == "" {
				add(where, "标题不能为空")
			}
			if len(t.Lead) == 0 {
				add(where, "缺少牵头单位")
			}
			for i, g := range t.Targets {
				where := fmt.Sprintf("任务 %d · 目标 %d", t.Number, i+1)
				if _, ok := comparators[g.Comparator]; !ok {
					add(where, "比较方式“%s”无效，应为 >、>=、<、<=、= 或 between", g.Comparator)
				}
				if g.Comparator == "between" && (g.Max == nil || *g.Max < g.Value) {
					add(where, "区间目标须有不小于下限的上限")
				}
				if g.Comparator != "between" && g.Max != nil {
					add(where, "只有区间目标才有上限")
				}
				if g.Year < 1949 || g.Year > 2100 {
					add(where, "目标年份 %d 无效", g.Year)
				}
				if strings.TrimSpace(g.Text) == "" {
					add(where, "目标内容不能为空")
				}
			}
		}
	}
	if len(seen) == 0 && len(d.Pillars) > 0 {
		add("方案", "没有任何编号任务")
	}
	return ps
}

// SyncOwners recomputes a task's lead and co lists as the ordered union of
// its clauses, so the two never disagree after an edit.
func (t *Task) SyncOwners() {
	if len(t.Clauses) == 0 {
		return
	}
	t.Lead, t.Co = []string{}, []string{}
	isLead := map[string]bool{}
	for _, c := range t.Clauses {
		for _, n := range c.Lead {
			if !isLead[n] {
				isLead[n] = true
				t.Lead = append(t.Lead, n)
			}
		}
	}
	inCo := map[string]bool{}
	for _, c := range t.Clauses {
		for _, n := range c.Co {
			if !isLead[n] && !inCo[n] {
				inCo[n] = true
				t.Co = append(t.Co, n)
			}
		}
	}
}

// Tasks returns every task of the document in order.
func (d *Document) Tasks() []Task {
	var ts []Task
	for _, p := range d.Pillars {
		ts = append(ts, p.Tasks...)
	}
	return ts
}

// Doubts lists why the parser was unsure of this task, its clauses and its
// targets, for the review page to show first.
func (t Task) Doubts() []string {
	var out []string
	if t.Uncertain != "" {
		out = append(out, t.Uncertain)
	}
	for i, c := range t.Clauses {
		if c.Uncertain != "" {
			out = append(out, fmt.Sprintf("分工条款 %d：%s", i+1, c.Uncertain))
		}
	}
	for i, g := range t.Targets {
		if g.Uncertain != "" {
			out = append(out, fmt.Sprintf("目标 %d（%s）：%s", i+1, g.Text, g.Uncertain))
		}
	}
	return out
}

// Doubt is one place the parser was unsure of, located for the reviewer.
type Doubt struct {
	Task int    `json:"task"`
	What string `json:"what"`
}

// Doubts lists every task the parser was unsure of, in document order.
func (d *Document) Doubts() []Doubt {
	var out []Doubt
	for _, t := range d.Tasks() {
		for _, w := range t.Doubts() {
			out = append(out, Doubt{Task: t.Number, What: w})
		}
	}
	return out
}
