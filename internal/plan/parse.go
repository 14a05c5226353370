package plan

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors returned (wrapped) by Parse, for errors.Is.
var (
	// ErrEmptyDocument means the input holds nothing but whitespace.
	ErrEmptyDocument = errors.New("empty document (文件为空)")
	// ErrNoTasks means the text has no numbered task ("1." / "1．" / "1、").
	ErrNoTasks = errors.New("no numbered tasks found (未找到编号任务)")
)

// Parse extracts a structured plan from the official text of a work plan.
//
// The input may be UTF-8 (with or without BOM), UTF-16 with a BOM,
// GB18030, or a Word .docx file (paragraphs and tables in reading order,
// see DocxText). Traditional characters are folded to simplified ones before
// anything is matched, and every string in the result is in that simplified
// form: it is what the system stores and what the department directory
// uses, so a plan published in traditional script resolves to the same
// departments. Chinese punctuation is kept as the document wrote it.
//
// Which level of numbering holds the tasks is decided by where the
// responsibility clauses sit (see chooseTaskLevel). Tasks outside any
// pillar heading are put in a pillar named after their chapter ("二、重点
// 任务"), or "重点任务" when there is none; pillar and task numbers are
// made unique when the plan restarts its numbering.
//
// Parse never panics; its running time is linear in the size of the input.
func Parse(src []byte) (*Document, error) {
	// A decoding error only means some bytes became U+FFFD; the rest of the
	// plan is still worth reading.
	var decoded string
	if isDocx(src) {
		t, err := docxText(src)
		if err != nil {
			return nil, fmt.Errorf("plan: parse: %w", err)
		}
		decoded = t
		src = []byte(t)
	} else {
		decoded, _ = DecodeText(src)
	}
	if err := checkText(src, decoded); err != nil {
		return nil, fmt.Errorf("plan: parse: %w", err)
	}
	text := normalizeText(strings.ReplaceAll(decoded, "\t", tabMark))
	text, ntables := expandTables(text)
	text = strings.ReplaceAll(text, tabMark, " ")
	text = strings.ReplaceAll(text, cellParaMark, "")
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("plan: parse: %w", ErrEmptyDocument)
	}
	lines := classifyLines(joinBareMarkers(splitRunOn(strings.Split(text, "\n"))))

	doc := &Document{
		Goals:        []Goal{},
		Pillars:      []Pillar{},
		Requirements: []Requirement{},
	}
	bodyStart := firstStructural(lines)
	parseHeader(lines, bodyStart, doc)

	root := buildTree(lines[bodyStart:])
	b := &assembler{doc: doc, titleYear: titleYear(doc), taskLevel: chooseTaskLevel(root), tables: ntables > 0}
	b.conv = hasFirstIsLeadConvention(text) && !conventionInTasks(root, b.taskLevel)
	b.walk(root)
	b.finish()
	if b.ntasks == 0 && !b.goalTargets {
		return nil, fmt.Errorf("plan: parse: %w", ErrNoTasks)
	}
	return doc, nil
}

// parseTask fills one task from its joined text (the part after "N.").
func parseTask(num int, text string, firstIsLead bool, defYear int, extra []Clause) Task {
	sc := newScan(text)
	spans := sc.findClauses(firstIsLead)
	if len(spans) == 0 && len(extra) == 0 {
		spans = sc.runningClauses()
	}
	for _, c := range extra {
		spans = append(spans, clauseSpan{start: -1, clause: c})
	}
	targets, _ := sc.findTargetsFrom(defYear)
	t := Task{
		Number:       num,
		Text:         text,
		Lead:         []string{},
		Co:           []string{},
		Clauses:      []Clause{},
		Targets:      targets,
		Deliverables: sc.findDeliverables(),
	}
	// A set keeps the union linear even for a task with thousands of clauses.
	seen := map[string]bool{}
	for _, sp := range spans {
		t.Clauses = append(t.Clauses, sp.clause)
		for _, n := range sp.clause.Lead {
			if !seen[n] {
				seen[n] = true
				t.Lead = append(t.Lead, n)
			}
		}
	}
	for _, sp := range spans {
		for _, n := range sp.clause.Co {
			if !seen[n] {
				seen[n] = true
				t.Co = append(t.Co, n)
			}
		}
	}
	if i := strings.Index(text, "。"); i >= 0 {
		t.Title = strings.TrimSpace(text[:i])
	} else {
		t.Title = sc.withoutClauses()
	}
	if len(t.Clauses) == 0 {
		t.Uncertain = "未找到责任单位，请补填牵头单位"
	}
	return t
}

// sentenceTitle is the text up to the first 。, the convention the plans use
// for a heading that runs into its explanation.
func sentenceTitle(t string) string {
	if i := strings.Index(t, "。"); i >= 0 {
		return strings.TrimSpace(t[:i])
	}
	return strings.TrimSpace(strings.TrimRight(t, " ：:；;，,"))
}

// pillarTitle reads the title from the heading line only, because the lines
// after a "（一）" heading are usually an introductory paragraph, not part of
// the title. The heading is joined with the next line only when it is
// visibly cut (empty, or ending on a comma).
func pillarTitle(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	first := strings.TrimSpace(lines[0])
	if strings.Contains(first, "。") {
		return sentenceTitle(first)
	}
	if first == "" || strings.HasSuffix(first, "，") || strings.HasSuffix(first, "、") || strings.HasSuffix(first, ",") {
		return sentenceTitle(joinLines(lines))
	}
	return sentenceTitle(first)
}

// joinLines concatenates the lines of one item. Chinese does not separate
// words with spaces, so nothing is inserted at a line break; the only
// exception is a break between two Latin letters, where a word boundary was
// lost.
func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			next, _ := utf8.DecodeRuneInString(l)
			if isLatin(last) && isLatin(next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func isLatin(r rune) bool { return r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z') }

// splitRunOn breaks a long line at the item markers that follow a full
// stop ("…制定本实施意见。一、总体目标…"), as text copied from a PDF or a
// web preview often runs every heading and item into one line.
func splitRunOn(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if utf8.RuneCountInString(l) < 80 {
			out = append(out, l)
			continue
		}
		start := 0
		for i := 0; i < len(l); {
			r, size := utf8.DecodeRuneInString(l[i:])
			i += size
			if r != '。' && r != '；' {
				continue
			}
			if markerAt(l[i:]) {
				out = append(out, l[start:i])
				start = i
			}
		}
		out = append(out, l[start:])
	}
	return out
}

// markerAt tells whether s starts with an item marker: 一、 （一） 1.
func markerAt(s string) bool {
	s = strings.TrimLeft(s, " ")
	if n, rest, ok := leadingCN(s, 2); ok && n > 0 {
		return strings.HasPrefix(rest, "、")
	}
	if _, _, ok := matchParen(s); ok {
		return true
	}
	if _, rest, ok := matchNumbered(s); ok {
		return rest != ""
	}
	return false
}

// joinBareMarkers joins a heading marker left alone on its line ("一、",
// "（三）", as a chapter split across lines) with the next line that has
// text. A bare "3." is left alone: the task grouping already reads it.
func joinBareMarkers(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		bare := false
		if n, rest, ok := leadingCN(l, 3); ok && n > 0 && (rest == "、" || rest == "．") {
			bare = true
		} else if r, size := utf8.DecodeRuneInString(l); isOpenBracket(r) {
			if _, rest, ok := leadingCN(l[size:], 3); ok {
				c, csize := utf8.DecodeRuneInString(rest)
				bare = isCloseBracket(c) && len(rest) == csize
			}
		}
		if bare {
			j := i + 1
			for j < len(lines) && strings.TrimSpace(lines[j]) == "" && j-i < 3 {
				j++
			}
			if j < len(lines) && strings.TrimSpace(lines[j]) != "" {
				out = append(out, l+strings.TrimSpace(lines[j]))
				i = j
				continue
			}
		}
		out = append(out, lines[i])
	}
	return out
}
