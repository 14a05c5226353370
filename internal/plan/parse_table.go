package plan

import (
	"strings"
	"unicode/utf8"
)

// tabMark stands for a tab through normalizeText, which turns tabs into
// spaces: a tab separates the cells of a table copied from Word.
const tabMark = "\uE000"

type column int

const (
	colOther column = iota
	colNum
	colTask
	colLead
	colCo
	colResp // 责任单位 in a table without a 牵头 column
	colDue
)

var headerWords = []struct {
	word string
	col  column
}{
	{"序号", colNum}, {"编号", colNum},
	{"重点任务", colTask}, {"工作任务", colTask}, {"主要任务", colTask}, {"任务内容", colTask}, {"具体任务", colTask},
	{"工作内容", colTask}, {"重点工作", colTask}, {"任务措施", colTask}, {"具体措施", colTask}, {"主要内容", colTask},
	{"工作措施", colTask}, {"任务名称", colTask}, {"工作举措", colTask}, {"政策措施", colTask}, {"任务", colTask}, {"措施", colTask},
	{"牵头单位", colLead}, {"牵头部门", colLead}, {"牵头领导", colOther},
	{"配合单位", colCo}, {"配合部门", colCo}, {"参与单位", colCo}, {"协办单位", colCo}, {"协同单位", colCo},
	{"责任单位", colResp}, {"责任部门", colResp}, {"责任主体", colResp},
	{"完成时限", colDue}, {"完成时间", colDue}, {"时间节点", colDue}, {"完成期限", colDue}, {"时限", colDue}, {"进度安排", colDue},
	{"备注", colOther}, {"类别", colOther}, {"分管领导", colOther}, {"预期成果", colOther}, {"指标", colOther},
}

func headerColumn(cell string) (column, bool) {
	c := strings.TrimSpace(strings.ReplaceAll(cell, " ", ""))
	if c == "" || utf8.RuneCountInString(c) > 8 {
		return colOther, false
	}
	for _, h := range headerWords {
		if c == h.word {
			return h.col, true
		}
	}
	return colOther, false
}

// splitCells splits a table row at tabs or, for text copied from a PDF, at
// runs of two or more spaces.
func splitCells(l string) []string {
	var cells []string
	if strings.Contains(l, tabMark) {
		cells = strings.Split(l, tabMark)
	} else {
		cells = splitWide(l)
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func splitWide(l string) []string {
	var out []string
	start, spaces := 0, 0
	for i := 0; i < len(l); i++ {
		if l[i] == ' ' {
			spaces++
			continue
		}
		if spaces >= 2 && i-spaces > start {
			out = append(out, l[start:i-spaces])
			start = i
		}
		spaces = 0
	}
	return append(out, l[start:])
}

// tableHeader recognises a header row: at least three known column names,
// one of them a task column and one a responsibility column, and no other
// text (empty cells after the first are allowed: a merged header cell).
func tableHeader(cells []string) ([]column, bool) {
	if len(cells) < 3 {
		return nil, false
	}
	cols := make([]column, len(cells))
	task, resp := false, false
	known := 0
	for i, c := range cells {
		if strings.TrimSpace(c) == "" && i > 0 {
			continue // the second grid column of a merged header cell (.docx)
		}
		col, ok := headerColumn(c)
		if !ok {
			return nil, false
		}
		known++
		cols[i] = col
		task = task || col == colTask
		resp = resp || col == colLead || col == colResp
	}
	return cols, known >= 3 && task && resp
}

// expandTables rewrites the 任务分工表 / 重点任务清单 tables of a text into
// the plan's own shape, one numbered task per row followed by its
// 牵头单位/配合单位/完成时限 lines, so the rest of the parser reads them as
// it reads any plan. It recognises a header row with its cells separated by
// tabs (Word, .docx) or wide spaces (PDF), and a header written one cell per
// line; rows follow in the same layout. It returns the number of tables.
func expandTables(text string) (string, int) {
	if !strings.Contains(text, "牵头") && !strings.Contains(text, "责任") {
		return text, 0
	}
	lines := strings.Split(text, "\n")
	var out []string
	tables := 0
	for i := 0; i < len(lines); {
		if cols, ok := tableHeader(splitCells(lines[i])); ok && (strings.Contains(lines[i], tabMark) || strings.Contains(lines[i], "  ")) {
			rows, next := rowsInline(lines, i+1, len(cols))
			if len(rows) > 0 {
				out = append(out, emitTable(cols, rows)...)
				tables++
				i = next
				continue
			}
		}
		if cols, n, ok := verticalHeader(lines, i); ok {
			rows, next := rowsVertical(lines, i+n, cols)
			if len(rows) > 0 {
				out = append(out, emitTable(cols, rows)...)
				tables++
				i = next
				continue
			}
		}
		out = append(out, lines[i])
		i++
	}
	return strings.Join(out, "\n"), tables
}

// rowsInline reads the rows after an inline header until a line that is
// not a row (blank lines are skipped; a row with too few cells continues
// the task cell of the row before, as a wrapped cell does).
func rowsInline(lines []string, i, ncols int) ([][]string, int) {
	var rows [][]string
	for ; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" || l == tabMark {
			continue
		}
		cells := splitCells(lines[i])
		if len(cells) < 2 {
			if len(rows) == 0 || utf8.RuneCountInString(l) > 200 || !strings.Contains(lines[i], tabMark) && len(cells) == 1 && looksLikeProseEnd(l) {
				break
			}
			last := rows[len(rows)-1]
			last[1] += l
			continue
		}
		for len(cells) < ncols {
			cells = append(cells, "")
		}
		rows = append(rows, cells[:ncols])
	}
	return rows, i
}

func looksLikeProseEnd(l string) bool {
	return strings.HasSuffix(l, "。") || strings.HasSuffix(l, "：") || strings.HasSuffix(l, ":")
}

// verticalHeader recognises a header written one cell per line.
func verticalHeader(lines []string, i int) ([]column, int, bool) {
	var cols []column
	n := 0
	for j := i; j < len(lines) && len(cols) < 8; j++ {
		l := strings.TrimSpace(strings.ReplaceAll(lines[j], tabMark, ""))
		if l == "" {
			if len(cols) == 0 {
				return nil, 0, false
			}
			n++
			continue
		}
		col, ok := headerColumn(l)
		if !ok {
			break
		}
		cols = append(cols, col)
		n++
	}
	task, resp := false, false
	for _, c := range cols {
		task = task || c == colTask
		resp = resp || c == colLead || c == colResp
	}
	if len(cols) < 3 || !task || !resp {
		return nil, 0, false
	}
	return cols, n, true
}

// rowsVertical reads rows written one cell per line. With a 序号 column a
// row starts at the line holding the next number, so a cell wrapped over
// two lines does not shift the columns; without one, rows are cut every
// len(cols) lines.
func rowsVertical(lines []string, i int, cols []column) ([][]string, int) {
	numCol := -1
	for k, c := range cols {
		if c == colNum {
			numCol = k
		}
	}
	var cells []string
	var rows [][]string
	flush := func() {
		if len(cells) == 0 {
			return
		}
		rows = append(rows, fitRow(cells, cols, numCol))
		cells = nil
	}
	next := 1
	j := i
	for ; j < len(lines); j++ {
		l := strings.TrimSpace(strings.ReplaceAll(lines[j], tabMark, " "))
		if l == "" {
			continue
		}
		if numCol == 0 {
			if l == itoaSmall(next) {
				flush()
				cells = []string{l}
				next++
				continue
			}
			if len(cells) == 0 {
				break
			}
			if len(cells) >= 2*len(cols) || isHeadingLike(l) {
				break
			}
			cells = append(cells, l)
			continue
		}
		cells = append(cells, l)
		if len(cells) == len(cols) {
			flush()
		}
		if len(rows) > 500 {
			break
		}
	}
	flush()
	return rows, j
}

func isHeadingLike(l string) bool {
	if _, _, ok := matchHeading(l); ok {
		return true
	}
	return strings.HasPrefix(l, "附件")
}

// fitRow assigns the lines of one row to the columns: when there are more
// lines than columns, the extra lines belong to the task cell, which is
// the one that wraps.
func fitRow(cells []string, cols []column, numCol int) []string {
	row := make([]string, len(cols))
	if len(cells) <= len(cols) {
		copy(row, cells)
		return row
	}
	taskCol := -1
	for k, c := range cols {
		if c == colTask {
			taskCol = k
			break
		}
	}
	extra := len(cells) - len(cols)
	k := 0
	for c := range cols {
		if c == taskCol {
			row[c] = strings.Join(cells[k:k+extra+1], "")
			k += extra + 1
		} else {
			row[c] = cells[k]
			k++
		}
	}
	return row
}

func itoaSmall(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoaSmall(n/10) + string(rune('0'+n%10))
}

// emitTable writes the rows as numbered tasks with their label lines.
func emitTable(cols []column, rows [][]string) []string {
	hasLead := false
	for _, c := range cols {
		hasLead = hasLead || c == colLead
	}
	out := []string{"", "一、任务分工"}
	for k, row := range rows {
		num := k + 1
		var task, lead, co, resp, due string
		for c, col := range cols {
			v := strings.TrimSpace(row[c])
			// a cell's paragraphs (.docx): one department each in a
			// department column, wrapped text elsewhere
			if col == colLead || col == colCo || col == colResp {
				v = strings.ReplaceAll(v, cellParaMark, "、")
			} else {
				v = strings.ReplaceAll(v, cellParaMark, "")
			}
			switch col {
			case colNum:
				if n, err := atoiStrict(v); err == nil && n > 0 {
					num = n
				}
			case colTask:
				task = v
			case colLead:
				lead = v
			case colCo:
				co = v
			case colResp:
				resp = v
			case colDue:
				due = v
			}
		}
		if task == "" {
			continue
		}
		out = append(out, itoaSmall(num)+"."+task)
		if lead != "" {
			out = append(out, "牵头单位："+lead)
		}
		if resp != "" {
			// beside a 牵头 column, 责任单位 are the co-operating ones
			if hasLead {
				out = append(out, "配合单位："+resp)
			} else {
				out = append(out, "责任单位："+resp)
			}
		}
		if co != "" {
			out = append(out, "配合单位："+co)
		}
		if due != "" {
			out = append(out, "完成时限："+due)
		}
	}
	return append(out, "")
}

type badNumber struct{}

func (badNumber) Error() string { return "not a number" }

func atoiStrict(s string) (int, error) {
	s = strings.TrimRight(strings.TrimSpace(s), ".．、")
	if s == "" || len(s) > 4 {
		return 0, badNumber{}
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, badNumber{}
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
