package plan

import (
	"regexp"
	"slices"
	"strings"
)

// chooseTaskLevel finds the level that holds the tasks: the one whose
// items carry the responsibility clauses (most of them; the deeper level on
// a tie). Without any clause it is the "1." level when the plan has one in
// its task sections, else the deepest level there.
func chooseTaskLevel(root *node) int {
	counts := map[int]int{}
	present := map[int]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.children {
			if !c.goal && c.sec != secRequirements {
				if ownResp(c) {
					counts[c.level]++
				}
				if c.sec != secGuiding && c.sec != secGoals {
					present[c.level] = true
				}
			}
			walk(c)
		}
	}
	walk(root)
	best, bestN := 0, 0
	for lv := 1; lv <= 4; lv++ {
		if counts[lv] > 0 && counts[lv] >= bestN {
			best, bestN = lv, counts[lv]
		}
	}
	if best > 0 {
		return best
	}
	if present[3] {
		return 3
	}
	for lv := 4; lv >= 1; lv-- {
		if present[lv] && lv != 1 {
			return lv
		}
	}
	return 3
}

// conventionInTasks tells whether a "列第一位者为牵头单位" sentence stands
// inside a task, where it applies from that task onward rather than to the
// whole plan.
func conventionInTasks(root *node, level int) bool {
	found := false
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.children {
			if c.level == level && !c.goal && hasFirstIsLeadConvention(c.fullText()) {
				found = true
			}
			walk(c)
		}
	}
	walk(root)
	return found
}

var titleYearRE = regexp.MustCompile(`(^|[^\d—–\-~～至])((?:19|20)\d\d)\s?年`)

// titleYear is the year a 年度 plan names in its title ("北京市2016年政务公开
// 工作要点"): it governs the plan's quantities that state no year. A title
// with a range of years ("2016—2020年") or none gives 0.
func titleYear(doc *Document) int {
	for _, t := range []string{doc.Title, doc.NoticeTitle} {
		ms := titleYearRE.FindAllStringSubmatch(t, -1)
		if len(ms) == 1 && !strings.ContainsAny(t, "—–~～") {
			return atoi(ms[0][2])
		}
		if len(ms) > 0 {
			return 0
		}
	}
	return 0
}

// assembler turns the item tree into the Document.
type assembler struct {
	doc         *Document
	titleYear   int
	taskLevel   int
	conv        bool // the first name of a clause is the lead
	ntasks      int
	goalTargets bool
	cur         int  // pillar receiving tasks, -1 for none
	ctxYear     int  // year stated last in the goals of the current section
	tables      bool // a 任务分工表 assigns the tasks: items without a responsibility are not tasks
}

func (b *assembler) walk(root *node) {
	b.cur = -1
	b.visit(root)
}

func (b *assembler) visit(n *node) {
	for _, c := range n.children {
		b.item(c)
	}
}

func (b *assembler) addGoal(text string, title string) {
	sc := newScan(text)
	ts, y := sc.findTargetsFrom(b.ctxYear)
	b.ctxYear = y
	g := Goal{Title: title, Text: text}
	if len(ts) > 0 {
		g.Targets = ts
		b.goalTargets = true
	}
	b.doc.Goals = append(b.doc.Goals, g)
}

func (b *assembler) item(c *node) {
	if c.level == 1 {
		b.cur = -1
		b.ctxYear = 0
	}
	switch {
	case c.goal:
		t := c.text()
		b.addGoal(t, sentenceTitle(t))
		b.visit(c)
		return
	case c.sec == secRequirements:
		if c.level == 1 {
			b.visit(c)
			return
		}
		t := c.fullText()
		b.doc.Requirements = append(b.doc.Requirements, Requirement{Number: c.num, Title: sentenceTitle(t), Text: t})
		return
	}
	resp := ownResp(c)
	guiding := c.sec == secGuiding || c.sec == secGoals
	if c.level == b.taskLevel && (!guiding || resp) && (resp || !b.tables) {
		b.task(c, c.fullText())
		return
	}
	if c.level > b.taskLevel && !guiding && (resp || !b.tables) {
		// deeper than tasks but not inside one: a task of its own
		b.task(c, c.fullText())
		return
	}
	// a container: a heading, a pillar, or a goal
	if guiding && c.level > 1 && !resp {
		head := c.lines[0]
		if c.sec == secGoals || strings.Contains(head, "目标") || (c.parent != nil && c.parent.level > 1 && parentIsGoal(c.parent)) {
			t := c.text()
			b.addGoal(t, sentenceTitle(t))
		} else {
			b.scanContext(c.text())
		}
		b.visit(c)
		return
	}
	if c.level == 1 && (guiding || c.sec == secPreamble || c.sec == secOther) && !resp {
		own := joinLines(c.lines[1:])
		if i := strings.Index(c.lines[0], "。"); i >= 0 {
			// "一、总体目标。到2025年，…": the body runs on after the heading
			own = joinLines([]string{c.lines[0][i+len("。"):], own})
		}
		sc := newScan(own)
		if ts, y := sc.findTargetsFrom(0); len(ts) > 0 {
			b.doc.Goals = append(b.doc.Goals, Goal{Title: sentenceTitle(c.lines[0]), Text: own, Targets: ts})
			b.goalTargets = true
			b.ctxYear = y
		} else {
			b.ctxYear = y
		}
	}
	if c.level == b.taskLevel-1 && c.level >= 1 {
		b.doc.Pillars = append(b.doc.Pillars, Pillar{Number: c.num, Title: pillarTitle(c.lines), Tasks: []Task{}})
		b.cur = len(b.doc.Pillars) - 1
	}
	if resp {
		// a heading or pillar whose own text assigns responsibility: that
		// text is a task too, or the clause would be lost
		b.task(c, c.text())
	}
	b.visit(c)
}

func parentIsGoal(n *node) bool {
	return n.sec == secGoals || strings.Contains(n.lines[0], "目标")
}

// scanContext follows the year a guiding paragraph states, for the goals
// after it.
func (b *assembler) scanContext(text string) {
	sc := newScan(text)
	_, y := sc.findTargetsFrom(b.ctxYear)
	b.ctxYear = y
}

func (b *assembler) task(c *node, text string) {
	if b.cur < 0 {
		// Tasks outside any pillar heading go to a pillar named after
		// their chapter ("二、重点任务"), so the draft can be approved
		// without inventing one.
		p := Pillar{Tasks: []Task{}}
		for a := c.parent; a != nil; a = a.parent {
			if a.level == 1 && a != c {
				p.Number, p.Title = a.num, pillarTitle(a.lines[:1])
				break
			}
		}
		if p.Title == "" {
			p.Title = "重点任务"
		}
		b.doc.Pillars = append(b.doc.Pillars, p)
		b.cur = len(b.doc.Pillars) - 1
	}
	var extra []Clause
	if len(c.resp) > 0 {
		content := make([]string, 0, len(c.resp))
		for _, r := range c.resp {
			r = strings.TrimSpace(r)
			if rs := []rune(r); len(rs) > 2 && isOpenBracket(rs[0]) && isCloseBracket(rs[len(rs)-1]) {
				r = string(rs[1 : len(rs)-1])
			}
			content = append(content, r)
		}
		if cl, ok := parseClause(strings.Join(content, "；"), b.conv); ok {
			cl.Text = strings.Join(c.resp, "\n")
			extra = append(extra, cl)
		}
	}
	if !b.conv && hasFirstIsLeadConvention(text) {
		b.conv = true
	}
	tk := parseTask(c.num, text, b.conv, b.titleYear, extra)
	for _, d := range c.due {
		if due, ongoing, ok := parseDeadline(d); ok {
			tk.Due, tk.Ongoing = due, ongoing
		}
	}
	if tk.Due == "" && !tk.Ongoing {
		tk.Due = proseDeadline(&tk, text)
	}
	p := &b.doc.Pillars[b.cur]
	p.Tasks = append(p.Tasks, tk)
	b.ntasks++
}

// finish numbers the tasks again when the plan restarts its numbering per
// chapter, since a task number must be unique in the plan.
func (b *assembler) finish() {
	// a pillar whose items all went elsewhere (a 任务分工表 assigned the
	// tasks) is dropped
	kept := b.doc.Pillars[:0]
	for _, p := range b.doc.Pillars {
		if len(p.Tasks) > 0 {
			kept = append(kept, p)
		}
	}
	b.doc.Pillars = kept
	pillarSeen := map[int]bool{}
	renumber := false
	for _, p := range b.doc.Pillars {
		if p.Number <= 0 || pillarSeen[p.Number] {
			renumber = true
		}
		pillarSeen[p.Number] = true
	}
	if renumber {
		for i := range b.doc.Pillars {
			b.doc.Pillars[i].Number = i + 1
		}
	}
	seen := map[int]bool{}
	dup := false
	for _, p := range b.doc.Pillars {
		for _, t := range p.Tasks {
			if t.Number <= 0 || seen[t.Number] {
				dup = true
			}
			seen[t.Number] = true
		}
	}
	if !dup {
		return
	}
	n := 0
	for i := range b.doc.Pillars {
		for j := range b.doc.Pillars[i].Tasks {
			n++
			b.doc.Pillars[i].Tasks[j].Number = n
		}
	}
}

var (
	deadlineYMRE = regexp.MustCompile(`((?:19|20)\d\d)\s?年\s?(?:(\d{1,2})\s?月)?\s?(底|末)?`)
)

// parseDeadline reads a deadline: "2022年底前" → 2022-12-31, "2023年6月" →
// 2023-06-30, "2023年6月底前" → 2023-06-30; "长期坚持", "持续推进" → ongoing.
func parseDeadline(s string) (due string, ongoing bool, ok bool) {
	if rest, found := cutLabel(s, dueLabels); found {
		s = rest
	}
	s = strings.TrimSpace(s)
	for _, w := range []string{"长期", "持续", "常态化", "每年", "逐年"} {
		if strings.Contains(s, w) {
			return "", true, true
		}
	}
	m := deadlineYMRE.FindStringSubmatch(s)
	if m == nil {
		return "", false, false
	}
	y := atoi(m[1])
	mo := 12
	if m[2] != "" {
		mo = atoi(m[2])
	}
	if mo < 1 || mo > 12 {
		return "", false, false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	d := days[mo]
	if mo == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		d = 29
	}
	due, _ = formatDate(y, mo, d)
	return due, false, true
}

// proseDeadlineRE finds a deadline written in a task's text: a year, an
// optional month, 底/末, then 前 ("2022年10月底前编制…", "2023年底前完成",
// "于2024年6月前"). A year alone ("到2025年，…") is a target year, not a
// deadline.
var proseDeadlineRE = regexp.MustCompile(`((?:19|20)\d\d)\s?年\s?(?:(\d{1,2})\s?月)?\s?(?:底|末)?\s?(?:之)?前`)

// proseDeadline is the deadline a task's text states when no 完成时限 line
// or table cell gave one: the latest of those it names (the task is done
// when all of its parts are), with a doubt for the reviewer when it names
// several.
func proseDeadline(tk *Task, text string) string {
	var dues []string
	for _, m := range proseDeadlineRE.FindAllString(text, -1) {
		if d, _, ok := parseDeadline(m); ok && d != "" && !slices.Contains(dues, d) {
			dues = append(dues, d)
		}
	}
	if len(dues) == 0 {
		return ""
	}
	slices.Sort(dues)
	if len(dues) > 1 && tk.Uncertain == "" {
		tk.Uncertain = "正文写有多个完成时限（" + strings.Join(dues, "、") + "），已取最晚者，请核对"
	}
	return dues[len(dues)-1]
}
