package plan

import "strings"

// node is one numbered item of the plan body with the lines that belong
// to it, in a tree by level (一、 > （一） > 1. > （1）).
type node struct {
	level    int // 0 for the root
	num      int
	lines    []string // its own lines: the marker line's body first, then continuation lines
	raw      []string // the same lines as written, marker included
	resp     []string // responsibility lines attached to it (牵头单位：…)
	due      []string // deadline lines (完成时限：…)
	children []*node
	parent   *node
	sec      section // section of its level-1 heading
	goal     bool    // a "———" goal line
}

// ownResp tells whether the item's own text or attached lines carry a
// responsibility clause.
func ownResp(n *node) bool {
	if len(n.resp) > 0 {
		return true
	}
	sc := newScan(n.text())
	return len(sc.findClauses(false)) > 0 || len(findRunning(n.text())) > 0
}

func (n *node) text() string { return joinLines(n.lines) }

// fullText is the node's text with all its descendants, markers kept for
// the descendants so "（1）…（2）…" still reads as a list.
func (n *node) fullText() string {
	var parts []string
	var walk func(m *node, top bool)
	walk = func(m *node, top bool) {
		if top {
			parts = append(parts, m.lines...)
		} else {
			parts = append(parts, m.raw...)
		}
		for _, c := range m.children {
			walk(c, false)
		}
	}
	walk(n, true)
	return joinLines(parts)
}

// buildTree groups the body lines into items by level. A responsibility
// line on its own belongs to the deepest open item, except when it follows
// a list of sub-items none of which has its own: then it covers their
// parent ("1.…（1）…（2）…（责任单位：…）").
func buildTree(lines []line) *node {
	root := &node{}
	stack := []*node{root}
	detached := false
	tasksSeen := false
	sec := secPreamble
	top := func() *node { return stack[len(stack)-1] }
	for _, l := range lines {
		switch l.kind {
		case lineBlank:
		case lineHeading, lineParen, lineNumbered, lineSub:
			lv := l.kind.level()
			for len(stack) > 1 && top().level >= lv {
				stack = stack[:len(stack)-1]
			}
			if lv == 1 {
				head := l.body
				if i := strings.Index(head, "。"); i >= 0 {
					head = head[:i]
				}
				sec = headingSection(head)
			}
			if lv == 3 && sec != secGoals && sec != secGuiding && sec != secRequirements {
				tasksSeen = true
			}
			p := top()
			n := &node{level: lv, num: l.num, lines: []string{l.body}, raw: []string{l.raw}, parent: p, sec: sec}
			p.children = append(p.children, n)
			stack = append(stack, n)
			detached = false
		case lineDash:
			if !(sec == secGoals || sec == secGuiding || (!tasksSeen && (sec == secPreamble || sec == secOther))) {
				if !detached {
					top().lines = append(top().lines, l.raw)
					top().raw = append(top().raw, l.raw)
				}
				continue
			}
			// A "———" line is its own item below the current one, so a
			// goal list stays apart from the paragraph that introduces it.
			p := top()
			n := &node{level: p.level + 1, lines: []string{l.body}, raw: []string{l.raw}, parent: p, sec: sec, goal: true}
			if p.goal && p.parent != nil {
				p = p.parent
				n.level, n.parent = p.level+1, p
			}
			p.children = append(p.children, n)
			for len(stack) > 1 && top().goal {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, n)
			detached = false
		case lineResp, lineDue:
			cur := top()
			for cur.goal && cur.parent != nil {
				cur = cur.parent
			}
			if cur.parent != nil && cur.parent.level > 0 && cur.level >= 3 && l.kind == lineResp && len(cur.resp) == 0 {
				sibs := cur.parent.children
				prevHas := len(sibs) > 1 && ownResp(sibs[len(sibs)-2])
				if !prevHas && (cur.level >= 4 || len(sibs) > 1) {
					cur = cur.parent
				}
			}
			if l.kind == lineResp {
				cur.resp = append(cur.resp, l.raw)
			} else {
				cur.due = append(cur.due, l.raw)
			}
		case lineDate, lineMeta:
			detached = true
		default:
			if !detached {
				n := top()
				n.lines = append(n.lines, l.raw)
				n.raw = append(n.raw, l.raw)
			}
		}
	}
	return root
}
