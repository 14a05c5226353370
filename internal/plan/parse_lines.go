package plan

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

type lineKind int

const (
	lineBlank    lineKind = iota
	lineText              // prose, or the continuation of an item cut by a line break
	lineHeading           // 一、指导思想
	lineParen             // （一）严标准，强基础。
	lineNumbered          // 1.加大标准的有效供给。… or a bare "3."
	lineDash              // ———标准体系进一步完善。…
	lineDate              // 2021年12月22日 on a line of its own (signature)
	lineMeta              // 发布日期, 文号, 附件, （此件公开发布）, the signing issuer
	lineSub               // （1）…, 1）…, ①…: items below "1."
	lineResp              // 牵头单位：…, 责任单位：…, （责任单位：…） on a line of its own
	lineDue               // 完成时限：2022年底前 on a line of its own
)

// level is the depth of a structural line: 一、 (and 第一部分, 第一章) is 1,
// （一） 2, 1. (and 第一条) 3, （1） and ① 4.
func (k lineKind) level() int {
	switch k {
	case lineHeading:
		return 1
	case lineParen:
		return 2
	case lineNumbered:
		return 3
	case lineSub:
		return 4
	}
	return 0
}

type line struct {
	kind   lineKind
	num    int    // number of a heading / paren / numbered line
	body   string // text after the marker, or the whole trimmed line
	raw    string // trimmed line as written
	issuer bool   // lineMeta that names the signer above a date line
}

// classifyLines trims each line and recognises its structural role. It
// looks at one line at a time (plus the issuer look-back), so it is linear.
func classifyLines(raw []string) []line {
	out := make([]line, len(raw))
	lastText := -1
	for i, s := range raw {
		s = strings.TrimSpace(s)
		l := line{raw: s, body: s}
		switch {
		case s == "":
			l.kind = lineBlank
		case isDateLine(s):
			l.kind = lineDate
			// The line above a signature date is the signer when it reads
			// like an organisation; it must not be glued to the last item.
			if lastText >= 0 && isIssuerLike(out[lastText].raw) {
				out[lastText].kind = lineMeta
				out[lastText].issuer = true
			}
		case isMetaLine(s):
			l.kind = lineMeta
		case isDueLine(s):
			l.kind = lineDue
		case isRespLine(s):
			l.kind = lineResp
		default:
			if n, rest, ok := matchPart(s); ok {
				l.kind, l.num, l.body = lineHeading, n, rest
			} else if n, rest, ok := matchArticle(s); ok {
				l.kind, l.num, l.body = lineNumbered, n, rest
			} else if n, rest, ok := matchHeading(s); ok {
				l.kind, l.num, l.body = lineHeading, n, rest
			} else if n, rest, ok := matchParen(s); ok {
				l.kind, l.num, l.body = lineParen, n, rest
			} else if n, rest, ok := matchNumbered(s); ok {
				l.kind, l.num, l.body = lineNumbered, n, rest
			} else if n, rest, ok := matchSub(s); ok {
				l.kind, l.num, l.body = lineSub, n, rest
			} else if rest, ok := matchDash(s); ok {
				l.kind, l.body = lineDash, rest
			} else {
				l.kind = lineText
			}
		}
		out[i] = l
		if l.kind != lineBlank {
			if l.kind == lineText {
				lastText = i
			} else {
				lastText = -1
			}
		}
	}
	return out
}

// firstStructural is where the plan body starts: everything above is the
// notice, its metadata, the title and the preamble paragraph.
func firstStructural(lines []line) int {
	for i, l := range lines {
		switch l.kind {
		case lineHeading, lineParen, lineNumbered, lineSub, lineDash:
			return i
		}
	}
	return len(lines)
}

const cnDigits = "零〇一二两三四五六七八九十"

// leadingCN splits off a leading run of at most max Chinese numerals.
func leadingCN(s string, max int) (num int, rest string, ok bool) {
	end, n := 0, 0
	for end < len(s) && n < max {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !strings.ContainsRune(cnDigits, r) {
			break
		}
		end += size
		n++
	}
	if end == 0 {
		return 0, s, false
	}
	v, ok := parseCNInt([]rune(s[:end]))
	if !ok || v < 1 || v > 999 {
		return 0, s, false
	}
	return int(v), s[end:], true
}

// matchHeading recognises a top-level heading "一、指导思想". The title part
// must be short, so a prose line that happens to start with "一、" is not
// taken for a section.
func matchHeading(s string) (int, string, bool) {
	n, rest, ok := leadingCN(s, 3)
	if !ok {
		return 0, "", false
	}
	r, size := utf8.DecodeRuneInString(rest)
	if r != '、' && r != '．' && r != '.' {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest[size:])
	head := rest
	if i := strings.Index(head, "。"); i >= 0 {
		head = head[:i]
	}
	if rest == "" {
		return 0, "", false
	}
	if utf8.RuneCountInString(head) > 30 {
		// "二、创建目标2022年底前，…": a section title run into its body
		// (text copied without line breaks); the title is a known one.
		for _, w := range sectionTitles {
			if strings.HasPrefix(rest, w) && len(rest) > len(w) {
				return n, w + "。" + strings.TrimLeft(rest[len(w):], "：:，, "), true
			}
		}
		return 0, "", false
	}
	return n, rest, true
}

// sectionTitles are the usual names of a plan's top-level sections.
var sectionTitles = []string{
	"指导思想", "基本原则", "总体要求", "总体思路", "工作原则", "主要目标", "发展目标", "工作目标", "创建目标",
	"总体目标", "具体目标", "目标任务", "重点任务", "主要任务", "工作任务", "重点工作", "主要措施", "保障措施",
	"工作要求", "组织实施", "组织领导", "实施步骤", "进度安排",
}

// matchParen recognises "（一）…", "(一)…" and "〔一〕…" item headings.
func matchParen(s string) (int, string, bool) {
	r, size := utf8.DecodeRuneInString(s)
	if !isOpenBracket(r) {
		return 0, "", false
	}
	n, rest, ok := leadingCN(s[size:], 3)
	if !ok {
		return 0, "", false
	}
	r, size = utf8.DecodeRuneInString(rest)
	if !isCloseBracket(r) {
		return 0, "", false
	}
	return n, strings.TrimSpace(rest[size:]), true
}

// matchNumbered recognises "1.", "1．" and "1、" task markers. A digit right
// after the separator means a decimal ("1.25件" at the start of a wrapped
// line), not a marker.
func matchNumbered(s string) (int, string, bool) {
	end := 0
	for end < len(s) && end < 4 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 || end > 3 {
		return 0, "", false
	}
	r, size := utf8.DecodeRuneInString(s[end:])
	if r != '.' && r != '．' && r != '、' {
		return 0, "", false
	}
	rest := s[end+size:]
	if next, _ := utf8.DecodeRuneInString(rest); next >= '0' && next <= '9' {
		return 0, "", false
	}
	n := 0
	for _, c := range s[:end] {
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return 0, "", false
	}
	return n, strings.TrimSpace(rest), true
}

func isDash(r rune) bool {
	switch r {
	case '—', '―', '─', '–', '‐', '‑', '‒', '﹣', '－', '-', '━':
		return true
	}
	return false
}

// matchDash recognises the "———" bullets the plans use for headline goals.
func matchDash(s string) (string, bool) {
	r, _ := utf8.DecodeRuneInString(s)
	if !isDash(r) {
		return "", false
	}
	rest := strings.TrimLeftFunc(s, func(r rune) bool { return isDash(r) || r == ' ' })
	if rest == "" {
		return "", false
	}
	return rest, true
}

var (
	dateLineRE   = regexp.MustCompile(`^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日$`)
	cnDateLineRE = regexp.MustCompile(`^([〇零一二三四五六七八九]{4})年([〇零一二三四五六七八九十]{1,3})月([〇零一二三四五六七八九十]{1,3})日$`)
	docNumberRE  = regexp.MustCompile(`^\p{Han}{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号$`)
	anyDateRE    = regexp.MustCompile(`(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2})`)
)

func isDateLine(s string) bool {
	_, ok := parseDateLine(s)
	return ok
}

// parseDateLine converts a signature date ("2021年12月22日", also written in
// Chinese numerals "二〇二一年十二月二十二日") to YYYY-MM-DD.
func parseDateLine(s string) (string, bool) {
	if m := dateLineRE.FindStringSubmatch(s); m != nil {
		return formatDate(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := cnDateLineRE.FindStringSubmatch(s); m != nil {
		y := 0
		for _, r := range m[1] {
			y = y*10 + cnDigitValue(r)
		}
		mo, ok1 := parseCNInt([]rune(m[2]))
		d, ok2 := parseCNInt([]rune(m[3]))
		if !ok1 || !ok2 {
			return "", false
		}
		return formatDate(y, int(mo), int(d))
	}
	return "", false
}

// findDate finds a date anywhere in s ("发布日期:2021-12-30").
func findDate(s string) (string, bool) {
	m := anyDateRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return formatDate(atoi(m[1]), atoi(m[2]), atoi(m[3]))
}

func formatDate(y, m, d int) (string, bool) {
	if y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	var b strings.Builder
	b.Grow(10)
	writePadded(&b, y, 4)
	b.WriteByte('-')
	writePadded(&b, m, 2)
	b.WriteByte('-')
	writePadded(&b, d, 2)
	return b.String(), true
}

func writePadded(b *strings.Builder, v, width int) {
	var buf [8]byte
	i := len(buf)
	for v > 0 || i == len(buf) {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	for pad := width - (len(buf) - i); pad > 0; pad-- {
		b.WriteByte('0')
	}
	b.Write(buf[i:])
}

// atoi is for regexp captures of at most a few digits.
func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// metaKeys open the "key: value" lines of a published page or the closing
// lines of a notice. The colon is required so that a wrapped prose line
// that merely starts with such a word is not cut out of its item.
var metaKeys = []string{
	"发布日期", "成文日期", "发文日期", "印发日期", "索引号", "发文机关", "发文字号", "主题分类", "主题词", "抄送", "来源",
}

func isMetaLine(s string) bool {
	for _, k := range metaKeys {
		if rest, ok := strings.CutPrefix(s, k); ok {
			rest = strings.TrimLeft(rest, " ")
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") {
				return true
			}
		}
	}
	if rest, ok := strings.CutPrefix(s, "附件"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		if rest == "" || r == ':' || r == '：' || r == ' ' || (r >= '0' && r <= '9') {
			return true
		}
	}
	if strings.HasPrefix(s, "（此件") || strings.HasPrefix(s, "(此件") {
		return true
	}
	return docNumberRE.MatchString(s)
}

var orgSuffixes = []string{
	"厅", "府", "委", "局", "办", "室", "会", "部", "院", "处", "中心", "公司", "集团", "组", "署", "行", "所", "站",
}

var planWords = []string{"方案", "计划", "规划", "意见", "办法", "通知", "要点", "纲要", "措施", "细则", "决定", "行动"}

// isIssuerLike tells whether a short line above a date names an
// organisation rather than being the plan's title.
func isIssuerLike(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 40 || strings.ContainsAny(s, "。，,：:；;") {
		return false
	}
	for _, w := range planWords {
		if strings.Contains(s, w) {
			return false
		}
	}
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

type section int

const (
	secPreamble section = iota // before any "一、" heading
	secGuiding                 // 指导思想, 基本原则, …: numbered items there are not tasks
	secGoals
	secTasks
	secRequirements
	secOther // unknown heading: treated like the task section, to lose nothing
)

func headingSection(title string) section {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(title, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("工作要求", "保障", "组织实施", "实施要求", "有关要求", "组织领导"):
		return secRequirements
	case has("指导思想", "基本原则", "总体要求", "总体思路", "工作原则", "实施步骤", "步骤", "进度安排", "时间安排"):
		return secGuiding
	case has("任务", "举措", "措施", "重点工作", "工作重点", "工作内容", "主要内容", "行动"):
		return secTasks
	case has("目标"):
		return secGoals
	}
	return secOther
}

type role int

const (
	roleNone role = iota // text that belongs to nothing we extract
	roleHeading
	rolePillar
	roleTask
	roleGoal
	roleRequirement
)

type unit struct {
	role  role
	num   int
	lines []string
}

// buildUnits groups the body lines into items. Which role a "（一）" or "1."
// line plays depends on the section it is in: under 工作要求 they are
// requirements, not pillars or tasks.
func buildUnits(lines []line) []unit {
	var units []unit
	cur := -1
	sec := secPreamble
	parenInSection := false
	tasksSeen := false
	start := func(r role, num int, first string) {
		units = append(units, unit{role: r, num: num, lines: []string{first}})
		cur = len(units) - 1
	}
	cont := func(s string) {
		if cur >= 0 {
			units[cur].lines = append(units[cur].lines, s)
		}
	}
	for _, l := range lines {
		switch l.kind {
		case lineBlank:
		case lineHeading:
			sec = headingSection(l.body)
			parenInSection = false
			start(roleHeading, l.num, l.body)
		case lineParen:
			switch sec {
			case secRequirements:
				parenInSection = true
				start(roleRequirement, l.num, l.body)
			case secGoals:
				start(roleGoal, 0, l.body)
			case secGuiding:
				start(roleNone, 0, l.body)
			default:
				start(rolePillar, l.num, l.body)
			}
		case lineNumbered:
			switch sec {
			case secRequirements:
				if parenInSection {
					cont(l.raw)
				} else {
					start(roleRequirement, l.num, l.body)
				}
			case secGoals:
				start(roleGoal, 0, l.body)
			case secGuiding:
				start(roleNone, 0, l.body)
			default:
				tasksSeen = true
				start(roleTask, l.num, l.body)
			}
		case lineDash:
			if sec == secGoals || sec == secGuiding || (!tasksSeen && (sec == secPreamble || sec == secOther)) {
				start(roleGoal, 0, l.body)
			} else {
				cont(l.raw)
			}
		case lineDate, lineMeta:
			cur = -1
		default:
			cont(l.raw)
		}
	}
	return units
}

// hasFirstIsLeadConvention reports whether the text states that the first
// name of a responsibility clause is the lead ("列第一位者为牵头单位",
// "排在第一位的为牵头单位", "排名第一的为牵头单位", "排在首位的为牵头单位").
func hasFirstIsLeadConvention(text string) bool {
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], "为牵头")
		if i < 0 {
			return false
		}
		i += off
		lo := i - 30 // ten CJK characters back
		if lo < 0 {
			lo = 0
		}
		w := text[lo:i]
		if strings.Contains(w, "第一") || strings.Contains(w, "首位") {
			return true
		}
		off = i + len("为牵头")
	}
	return false
}

// matchSub recognises the fourth level: "（1）…", "(1)…", "1）…" and the
// circled digits "①…".
func matchSub(s string) (int, string, bool) {
	r, size := utf8.DecodeRuneInString(s)
	if r >= '①' && r <= '⑳' {
		rest := strings.TrimSpace(s[size:])
		if rest == "" {
			return 0, "", false
		}
		return int(r-'①') + 1, rest, true
	}
	rest := s
	if isOpenBracket(r) {
		rest = s[size:]
	}
	end := 0
	for end < len(rest) && end < 3 && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == 0 || end > 2 {
		return 0, "", false
	}
	c, csize := utf8.DecodeRuneInString(rest[end:])
	if !isCloseBracket(c) {
		return 0, "", false
	}
	if !isOpenBracket(r) && c != '）' && c != ')' {
		return 0, "", false
	}
	n := atoi(rest[:end])
	body := strings.TrimSpace(rest[end+csize:])
	if n == 0 || body == "" {
		return 0, "", false
	}
	return n, body, true
}

// matchPart recognises "第一部分 …" and "第一章 …" as top-level headings.
func matchPart(s string) (int, string, bool) {
	rest, ok := strings.CutPrefix(s, "第")
	if !ok {
		return 0, "", false
	}
	n, rest, ok := leadingCN(rest, 3)
	if !ok {
		return 0, "", false
	}
	for _, w := range []string{"部分", "章", "篇"} {
		if r, ok := strings.CutPrefix(rest, w); ok {
			r = strings.TrimLeft(strings.TrimSpace(r), "、：: ")
			if utf8.RuneCountInString(r) > 30 {
				return 0, "", false
			}
			return n, r, true
		}
	}
	return 0, "", false
}

// matchArticle recognises "第一条 …", read at the level of "1.".
func matchArticle(s string) (int, string, bool) {
	rest, ok := strings.CutPrefix(s, "第")
	if !ok {
		return 0, "", false
	}
	n, rest, ok := leadingCN(rest, 4)
	if !ok {
		return 0, "", false
	}
	r, ok := strings.CutPrefix(rest, "条")
	if !ok {
		return 0, "", false
	}
	r = strings.TrimLeft(r, " 、：:")
	if r == "" {
		return 0, "", false
	}
	return n, r, true
}

var dueLabels = []string{"完成时限", "完成时间", "时间节点", "完成期限", "时限要求"}

// isDueLine recognises "完成时限：2022年底前" on a line of its own.
func isDueLine(s string) bool {
	_, ok := cutLabel(s, dueLabels)
	return ok
}

func cutLabel(s string, labels []string) (string, bool) {
	s = strings.TrimLeft(s, "（(〔【[ ")
	for _, k := range labels {
		if rest, ok := strings.CutPrefix(s, k); ok {
			rest = strings.TrimLeft(rest, " ")
			if r, ok := strings.CutPrefix(rest, "："); ok {
				return r, true
			}
			if r, ok := strings.CutPrefix(rest, ":"); ok {
				return r, true
			}
		}
	}
	return "", false
}

// isRespLine recognises a responsibility on a line of its own: a labelled
// line ("牵头单位：省A局", "责任单位：省B厅、省C委") or a whole bracketed
// clause ("（责任单位：…）", "（省A局牵头，省B厅配合）").
func isRespLine(s string) bool {
	labels := make([]string, len(dutyLabels))
	for i, l := range dutyLabels {
		labels[i] = l.word
	}
	if _, ok := cutLabel(s, labels); ok && utf8.RuneCountInString(s) <= 400 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if !isOpenBracket(r) || !isCloseBracket(last) {
		return false
	}
	sc := newScan(s)
	spans := sc.findClauses(false)
	return len(spans) == 1 && spans[0].start == 0 && spans[0].end == len(sc.r)
}
