package plan

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// scan is one task's text as runes, with masks of the regions that the
// clause, target and deliverable matchers must treat specially.
type scan struct {
	r      []rune
	quoted []bool // inside “…”, 「…」, 『…』: slogans and names, never targets
	titled []bool // inside 《…》: titles, whose numbers are not targets either
	clause []bool // inside a responsibility clause, brackets included
}

func newScan(text string) *scan {
	s := &scan{r: []rune(text)}
	n := len(s.r)
	s.quoted = make([]bool, n)
	s.titled = make([]bool, n)
	s.clause = make([]bool, n)
	markPairs(s.r, s.quoted, '“', '”', 300)
	markPairs(s.r, s.quoted, '「', '」', 300)
	markPairs(s.r, s.quoted, '『', '』', 300)
	markPairs(s.r, s.titled, '《', '》', 200)
	return s
}

// markPairs marks each open…close pair. The search for a close is bounded,
// so a stray opening mark costs a constant, not the rest of the text.
func markPairs(r []rune, mask []bool, open, close rune, limit int) {
	for i := 0; i < len(r); i++ {
		if r[i] != open {
			continue
		}
		for j := i + 1; j < len(r) && j <= i+limit; j++ {
			if r[j] == close {
				for k := i; k <= j; k++ {
					mask[k] = true
				}
				i = j
				break
			}
		}
	}
}

func isOpenBracket(r rune) bool {
	return r == '(' || r == '（' || r == '〔' || r == '﹙'
}

func isCloseBracket(r rune) bool {
	return r == ')' || r == '）' || r == '〕' || r == '﹚'
}

// isBoundary ends the clause that a target or deliverable is read from.
func isBoundary(r rune) bool {
	switch r {
	case '，', ',', '。', '；', ';', '：', ':', '！', '!', '？', '?', '\n':
		return true
	}
	return false
}

// clauseStart walks back from i to the start of its clause, at most limit
// runes, stopping at punctuation or at a responsibility clause.
func (s *scan) clauseStart(i, limit int) int {
	j := i
	for j > 0 && i-j < limit && !isBoundary(s.r[j-1]) && !s.clause[j-1] {
		j--
	}
	return j
}

func (s *scan) clauseEnd(i, limit int) int {
	j := i
	for j < len(s.r) && j-i < limit && !isBoundary(s.r[j]) && !s.clause[j] {
		j++
	}
	return j
}

// withoutClauses is the text minus its responsibility clauses, the title of
// a task that has no full stop.
func (s *scan) withoutClauses() string {
	var b strings.Builder
	for i, c := range s.r {
		if !s.clause[i] {
			b.WriteRune(c)
		}
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(b.String()), "，,；;：:"))
}

// ---- responsibility clauses -------------------------------------------

type clauseSpan struct {
	start, end int // rune offsets, end exclusive
	clause     Clause
}

// findClauses returns the responsibility clauses in text order. Brackets
// are matched by nesting depth whatever their shape, so "（…)" and "〔…）"
// pair up as the typist meant.
func (s *scan) findClauses(firstIsLead bool) []clauseSpan {
	var stack []int
	var groups [][2]int
	for i, c := range s.r {
		switch {
		case isOpenBracket(c):
			stack = append(stack, i)
		case isCloseBracket(c) && len(stack) > 0:
			groups = append(groups, [2]int{stack[len(stack)-1], i})
			stack = stack[:len(stack)-1]
		}
	}
	// A bracket still open at the end of the text is a clause cut off by
	// the end of the copy ("（牵头单位：省A；责任单位：省B、"): read it, and
	// say so.
	cut := -1
	if len(stack) > 0 && len(s.r)-stack[0] <= 400 {
		cut = stack[0]
		groups = append(groups, [2]int{cut, len(s.r)})
	}
	sort.Slice(groups, func(a, b int) bool { return groups[a][0] < groups[b][0] })
	var spans []clauseSpan
	lastEnd := -1
	for _, g := range groups {
		if g[0] <= lastEnd || g[1]-g[0] > 400 {
			continue
		}
		end := g[1] + 1 // past the closing bracket
		if g[0] == cut && g[1] == len(s.r) {
			end = len(s.r)
		}
		cl, ok := parseClause(string(s.r[g[0]+1:g[1]]), firstIsLead)
		if !ok {
			continue
		}
		cl.Text = string(s.r[g[0]:end])
		if g[0] == cut && g[1] == len(s.r) {
			cl.Uncertain = "括号未闭合，责任单位可能不全"
		}
		spans = append(spans, clauseSpan{start: g[0], end: end, clause: cl})
		for k := g[0]; k < end; k++ {
			s.clause[k] = true
		}
		lastEnd = end - 1
	}
	return spans
}

type duty int

const (
	dutyNone   duty = iota
	dutyLead        // 牵头
	dutyResp        // 负责 on its own: the lead, unless someone else 牵头
	dutyCo          // 配合, 参与, …
	dutyShared      // 按职责分工负责: responsible, each for its part
)

// Endings are matched longest first: "按职责分工负责" must win over "负责".
var dutyEndings = []struct {
	word string
	d    duty
}{
	{"按照职责分工负责", dutyShared}, {"根据职责分工负责", dutyShared}, {"依据职责分工负责", dutyShared},
	{"按职责分工负责", dutyShared}, {"按职责分工落实", dutyShared}, {"按职能职责负责", dutyShared},
	{"按职能分工负责", dutyShared}, {"按职责负责", dutyShared}, {"按分工负责", dutyShared}, {"分工负责", dutyShared},
	{"配合", dutyCo}, {"协助", dutyCo}, {"参与", dutyCo}, {"协同", dutyCo}, {"参加", dutyCo},
	{"牵头负责", dutyLead}, {"牵头落实", dutyLead}, {"牵头", dutyLead}, {"负总责", dutyLead}, {"总负责", dutyLead},
	{"共同负责", dutyResp}, {"分别负责", dutyResp}, {"具体负责", dutyResp}, {"负责", dutyResp},
}

// Some plans label the roles instead: "（牵头单位：省A；配合单位：省B）".
var dutyLabels = []struct {
	word string
	d    duty
}{
	{"牵头单位", dutyLead}, {"牵头部门", dutyLead},
	{"责任单位", dutyResp}, {"责任部门", dutyResp},
	{"配合单位", dutyCo}, {"配合部门", dutyCo}, {"参与单位", dutyCo}, {"协办单位", dutyCo},
}

func cutDutyEnding(seg string) (string, duty) {
	for _, e := range dutyEndings {
		if rest, ok := strings.CutSuffix(seg, e.word); ok {
			return rest, e.d
		}
	}
	return seg, dutyNone
}

func cutDutyLabel(seg string) (string, duty) {
	for _, l := range dutyLabels {
		if rest, ok := strings.CutPrefix(seg, l.word); ok {
			rest = strings.TrimLeft(rest, " ")
			if r, ok := strings.CutPrefix(rest, "："); ok {
				return r, l.d
			}
			if r, ok := strings.CutPrefix(rest, ":"); ok {
				return r, l.d
			}
		}
	}
	return seg, dutyNone
}

// parseClause decides whether bracket content is a responsibility clause,
// by its ending (…牵头 / …负责 / …按职责分工负责 / …配合) or its labels, and
// splits it into lead and co-operating departments.
func parseClause(content string, firstIsLead bool) (Clause, bool) {
	text := dropConventions(strings.TrimSpace(content))
	text = strings.TrimRight(text, "。.；;，,、 ")
	if text == "" || strings.Contains(text, "。") || strings.Contains(text, "为牵头") {
		return Clause{}, false
	}
	segs := splitTopLevel(text, func(r rune) bool { return r == '，' || r == ',' || r == '；' || r == ';' })
	// "（省科技厅负责，2023年底前完成）": the deadline is the task's, not a
	// department (proseDeadline reads it).
	segs = slices.DeleteFunc(segs, isDeadlineSegment)
	if len(segs) == 0 {
		return Clause{}, false
	}
	if _, d := cutDutyEnding(strings.TrimSpace(segs[len(segs)-1])); d == dutyNone {
		if _, d := cutDutyLabel(strings.TrimSpace(segs[0])); d == dutyNone {
			return Clause{}, false
		}
	}

	type named struct {
		name string
		d    duty
	}
	var all, pending []named
	label := dutyNone
	explicitLead := false
	for _, seg := range segs {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue
		}
		if rest, d := cutDutyLabel(seg); d != dutyNone {
			seg, label = rest, d
		}
		rest, d := cutDutyEnding(seg)
		names, ok := splitNames(rest)
		if !ok {
			return Clause{}, false
		}
		switch {
		case d != dutyNone:
			// A role word at the end covers the names listed since the
			// previous role word: "省A、省B，各市州政府按职责分工负责".
			for _, p := range pending {
				all = append(all, named{p.name, d})
			}
			pending = nil
			for _, n := range names {
				all = append(all, named{n, d})
			}
		case label != dutyNone:
			for _, n := range names {
				all = append(all, named{n, label})
			}
		default:
			for _, n := range names {
				pending = append(pending, named{n, dutyNone})
			}
		}
		if d == dutyLead || (d == dutyNone && label == dutyLead) {
			explicitLead = true
		}
	}
	for _, p := range pending {
		all = append(all, named{p.name, dutyCo})
	}
	if len(all) == 0 {
		return Clause{}, false
	}

	cl := Clause{Lead: []string{}, Co: []string{}}
	seen := map[string]bool{}
	add := func(list *[]string, n string) {
		if !seen[n] {
			seen[n] = true
			*list = append(*list, n)
		}
	}
	if firstIsLead && !explicitLead {
		// "列第一位者为牵头单位": without a 牵头 word, order decides.
		for i, n := range all {
			if i == 0 {
				add(&cl.Lead, n.name)
			} else {
				add(&cl.Co, n.name)
			}
		}
		return cl, true
	}
	resp := 0
	for _, n := range all {
		if n.d == dutyResp || n.d == dutyShared {
			resp++
		}
	}
	for _, n := range all {
		// Several names that are all "responsible", with no 牵头 and no
		// convention, share the task: none of them is the lead. A single
		// responsible body is.
		if n.d == dutyLead || ((n.d == dutyResp || n.d == dutyShared) && !explicitLead && resp == 1) {
			add(&cl.Lead, n.name)
		}
	}
	for _, n := range all {
		add(&cl.Co, n.name)
	}
	if len(cl.Lead) == 0 && resp > 1 {
		cl.Uncertain = "多个单位共同负责，未写明牵头单位"
	}
	return cl, true
}

// conventionMarks end the sentences of a clause that state a drafting
// convention rather than a department: "以下均需地方人民政府负责，不再列出",
// "具体任务均涉及相关市(州)人民政府，不再做分工，下同".
var conventionMarks = []string{"不再列出", "不再单独列出", "不再一一列出", "不再做分工", "不再分工", "不再重复", "下同", "以下均需", "以下措施均需", "以下政策措施均需"}

// dropConventions removes those sentences (split at 。 and ；) from bracket
// content, so the rest can be read as a clause.
func dropConventions(text string) string {
	has := func(s string) bool {
		for _, m := range conventionMarks {
			if strings.Contains(s, m) {
				return true
			}
		}
		return false
	}
	if !has(text) {
		return text
	}
	var keep []string
	for _, sent := range strings.FieldsFunc(text, func(r rune) bool { return r == '。' }) {
		var parts []string
		for _, p := range strings.FieldsFunc(sent, func(r rune) bool { return r == '；' || r == ';' }) {
			if !has(p) {
				parts = append(parts, p)
			}
		}
		if len(parts) > 0 {
			keep = append(keep, strings.Join(parts, "；"))
		}
	}
	return strings.Join(keep, "。")
}

// splitNames splits a list of departments on 、 and keeps each name as
// written. It fails on anything too long to be a name, which is how prose
// in brackets that happens to end in 负责 is told apart.
func splitNames(s string) ([]string, bool) {
	var out []string
	for _, part := range splitTopLevel(s, func(r rune) bool { return r == '、' }) {
		n := strings.TrimSpace(part)
		n = strings.TrimPrefix(n, "由")
		for _, n := range splitJoined(n) {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if utf8.RuneCountInString(n) > 40 {
				return nil, false
			}
			out = append(out, n)
		}
	}
	return out, true
}

// collectiveStarts open a name that stands for a group: "有关部门和单位",
// "各市州政府", "地方人民政府".
var collectiveStarts = []string{"各", "有关", "相关", "其他", "地方", "省", "市", "县", "区", "州", "国家", "中央"}

func startsCollective(s string) bool {
	for _, c := range collectiveStarts {
		if strings.HasPrefix(s, c) {
			return true
		}
	}
	return false
}

// splitJoined takes apart one item of a 、-list: "X等" and "X等部门" are X
// (an open set whose named member is X); "X等有关部门和单位" is X and the
// collective "有关部门和单位"; "X和各市人民政府", "X及各县市区政府" are two
// names. A 和 inside a name (工业和信息化厅) is kept: it does not follow a
// complete organisation name.
func splitJoined(n string) []string {
	if i := strings.Index(n, "等"); i > 0 && utf8.RuneCountInString(n[:i]) >= 2 {
		head, rest := n[:i], n[i+len("等"):]
		for _, w := range []string{"部门", "单位", "机构", "地区", "省有关部门", "省直有关部门"} {
			if r, ok := strings.CutPrefix(rest, w); ok {
				rest = r
				break
			}
		}
		for _, j := range []string{"以及", "和", "及", "与"} {
			if r, ok := strings.CutPrefix(rest, j); ok {
				rest = r
				break
			}
		}
		out := splitJoined(head)
		if rest != "" {
			out = append(out, splitJoined(rest)...)
		}
		return out
	}
	for _, j := range []string{"以及", "和", "及"} {
		for off := 0; off < len(n); {
			k := strings.Index(n[off:], j)
			if k < 0 {
				break
			}
			k += off
			before, after := n[:k], n[k+len(j):]
			if isOrgName(before) && startsCollective(after) {
				return append(splitJoined(before), splitJoined(after)...)
			}
			off = k + len(j)
		}
	}
	return []string{n}
}

// isOrgName tells whether s ends like a complete organisation name.
func isOrgName(s string) bool {
	if utf8.RuneCountInString(s) < 2 {
		return false
	}
	for _, suf := range append(orgSuffixes, "部门", "单位", "政府", "管委会") {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

// splitTopLevel splits s at separators outside brackets, so a name such as
// "省政府办公厅（省政府金融办）" is never cut.
func splitTopLevel(s string, sep func(rune) bool) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case isOpenBracket(r):
			depth++
		case isCloseBracket(r) && depth > 0:
			depth--
		case depth == 0 && sep(r):
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

// ---- responsibility in running text ------------------------------------

// findRunning reads responsibility written as a sentence rather than a
// bracketed clause: "由发展改革委会同中央农办、农业部等部门研究提出落实意见",
// "由省经贸委承办，省农业厅、卫生厅协办", "由省经贸委负责，省农业厅配合".
func findRunning(text string) []Clause {
	sc := newScan(text)
	var out []Clause
	for _, sp := range sc.runningClauses() {
		out = append(out, sp.clause)
	}
	return out
}

var (
	leadVerbs = []string{"会同", "牵头负责", "牵头", "承办", "负责", "组织"}
	coVerbs   = []string{"协办", "配合", "参与", "协助", "参加"}
)

func (s *scan) runningClauses() []clauseSpan {
	r := s.r
	var out []clauseSpan
	for i := 0; i < len(r); i++ {
		if r[i] != '由' || s.clause[i] || s.quoted[i] || s.titled[i] {
			continue
		}
		if p := prevNonSpace(r, i); p >= 0 && strings.ContainsRune("理自经缘事来因是", r[p]) {
			continue // 理由, 自由, 经由, …: not "由 X 负责"
		}
		if i+1 < len(r) && strings.ContainsRune("于此此", r[i+1]) {
			continue
		}
		end := i + 1
		for end < len(r) && end-i < 300 && r[end] != '。' && r[end] != '；' && r[end] != ';' {
			end++
		}
		seg := string(r[i+1 : end])
		cl, ok := parseRunning(seg)
		if !ok {
			continue
		}
		cl.Text = string(r[i:end])
		cl.Uncertain = "由正文句式“由…负责”推断，请核对"
		out = append(out, clauseSpan{start: i, end: end, clause: cl})
		i = end
	}
	return out
}

func parseRunning(seg string) (Clause, bool) {
	at, verb := -1, ""
	for _, v := range leadVerbs {
		if k := strings.Index(seg, v); k > 0 && (at < 0 || k < at) {
			at, verb = k, v
		}
	}
	if at < 0 {
		return Clause{}, false
	}
	leads, ok := splitNames(seg[:at])
	if !ok || len(leads) == 0 || !allOrgs(leads) {
		return Clause{}, false
	}
	cl := Clause{Lead: leads, Co: []string{}}
	rest := seg[at+len(verb):]
	if verb == "会同" {
		stop := len(rest)
		for _, w := range []string{"等部门", "等单位", "等有关", "研究", "负责", "共同", "，", ","} {
			if k := strings.Index(rest, w); k >= 0 && k < stop {
				stop = k
			}
		}
		co, ok := splitNames(rest[:stop])
		if !ok || !allOrgs(co) {
			return Clause{}, false
		}
		cl.Co = co
		return cl, true
	}
	rest = strings.TrimLeft(rest, "，, ")
	for _, v := range coVerbs {
		if k := strings.Index(rest, v); k > 0 {
			if co, ok := splitNames(rest[:k]); ok && allOrgs(co) {
				cl.Co = co
			}
			break
		}
	}
	return cl, true
}

// allOrgs tells whether every name reads like an organisation, so that
// "由企业负责" or "由此" is not taken for a department.
func allOrgs(names []string) bool {
	for _, n := range names {
		ok := false
		for _, suf := range append(orgSuffixes, "管委会", "政府") {
			if strings.HasSuffix(n, suf) {
				ok = true
				break
			}
		}
		if !ok || strings.ContainsAny(n, "，,。") {
			return false
		}
	}
	return len(names) > 0
}

// deadlineSegmentRE is a deadline standing alone in a bracket beside the
// departments: "2023年底前完成", "2024年6月底前", "完成时限：2023年",
// "长期坚持".
var deadlineSegmentRE = regexp.MustCompile(`^(?:(?:完成)?时限[:：]?|时间[:：])?\s?(?:(?:19|20)\d\d\s?年\s?(?:\d{1,2}\s?月)?\s?(?:底|末)?\s?(?:之)?前?\s?(?:完成|出台|建成|实现|启动|落实|印发)?|长期坚持|持续推进|长期|持续|常态化推进)$`)

func isDeadlineSegment(seg string) bool {
	seg = strings.TrimSpace(seg)
	return seg != "" && deadlineSegmentRE.MatchString(seg)
}
