package plan

import (
	"strings"
	"unicode/utf8"
)

// parseHeader fills the notice metadata and the title from the lines above
// the plan body (lines[:bodyStart]). Every field is optional: a bare plan
// without its covering notice still parses.
func parseHeader(lines []line, bodyStart int, doc *Document) {
	pre := lines[:bodyStart]

	notice := -1
	seen := 0
	for i, l := range pre {
		if l.kind == lineBlank {
			continue
		}
		if seen++; seen > 8 {
			break
		}
		if l.kind == lineText && isNoticeTitle(l.raw) {
			notice = i
			break
		}
	}
	var planFromNotice, issuerFromNotice string
	if notice >= 0 {
		doc.NoticeTitle = pre[notice].raw
		planFromNotice, issuerFromNotice = splitNoticeTitle(doc.NoticeTitle)
	}

	recipients := -1
	var dated string
	// The salutation comes before the notice's prose; a line ending in a
	// colon after it ("现通知如下：") is not the list of recipients.
	sawProse := false
	for i, l := range pre {
		if l.kind == lineText && strings.Contains(l.raw, "。") {
			sawProse = true
		}
		switch {
		case l.kind == lineMeta && strings.HasPrefix(l.raw, "发布日期"):
			if d, ok := findDate(l.raw); ok && doc.Published == "" {
				doc.Published = d
			}
		case l.kind == lineMeta && strings.HasPrefix(l.raw, "成文日期"):
			if d, ok := findDate(l.raw); ok && dated == "" {
				dated = d
			}
		case l.kind == lineDate && doc.Issued == "":
			doc.Issued, _ = parseDateLine(l.raw)
			if i > 0 {
				if p := prevNonBlank(pre, i); p >= 0 && pre[p].issuer {
					doc.Issuer = pre[p].raw
				}
			}
		case l.kind == lineText && recipients < 0 && i > notice && !sawProse && isRecipientsLine(l.raw):
			recipients = i
			doc.Recipients = strings.TrimSpace(strings.TrimRight(l.raw, ":： "))
		}
	}
	if doc.Issued == "" {
		// Plans published without a covering notice sign at the end.
		for i := len(lines) - 1; i >= bodyStart; i-- {
			if lines[i].kind == lineDate {
				doc.Issued, _ = parseDateLine(lines[i].raw)
				if p := prevNonBlank(lines, i); p >= 0 && lines[p].issuer {
					doc.Issuer = lines[p].raw
				}
				break
			}
		}
	}
	if doc.Issued == "" {
		doc.Issued = dated
	}
	if doc.Issuer == "" {
		doc.Issuer = issuerFromNotice
	}

	doc.Title = chooseTitle(titleRuns(pre, notice, recipients), planFromNotice)
}

func prevNonBlank(lines []line, i int) int {
	for j := i - 1; j >= 0; j-- {
		if lines[j].kind != lineBlank {
			return j
		}
	}
	return -1
}

// isNoticeTitle recognises "XX关于印发YY的通知".
func isNoticeTitle(s string) bool {
	if strings.Contains(s, "。") || !strings.HasSuffix(strings.TrimRight(s, " "), "通知") {
		return false
	}
	return strings.Contains(s, "关于") || strings.Contains(s, "印发") || strings.Contains(s, "转发")
}

// splitNoticeTitle takes "XX关于印发YY的通知" apart into the plan title YY and
// the issuer XX, the fallbacks when the text does not give them separately.
func splitNoticeTitle(s string) (plan, issuer string) {
	if i := strings.Index(s, "关于"); i > 0 {
		issuer = strings.TrimSpace(s[:i])
	}
	body := s
	for _, verb := range []string{"印发", "转发", "发布"} {
		if i := strings.Index(body, verb); i >= 0 {
			body = body[i+len(verb):]
			break
		}
	}
	if i := strings.LastIndex(body, "的通知"); i >= 0 {
		body = body[:i]
	} else if i := strings.LastIndex(body, "通知"); i >= 0 {
		body = body[:i]
	}
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "《") && strings.HasSuffix(body, "》") {
		body = strings.TrimSuffix(strings.TrimPrefix(body, "《"), "》")
	}
	return body, issuer
}

// isRecipientsLine recognises the salutation "各市、自治州人民政府，省政府各委、办、厅、局:".
func isRecipientsLine(s string) bool {
	if !(strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")) {
		return false
	}
	if strings.Contains(s, "。") || utf8.RuneCountInString(s) > 200 || strings.HasPrefix(s, "附件") {
		return false
	}
	for _, w := range []string{"各", "人民政府", "部门", "单位", "委", "厅", "局"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isTitleLike tells whether a line could be (part of) the plan's title:
// short, with no sentence punctuation and not cut on a comma.
func isTitleLike(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 60 {
		return false
	}
	if strings.ContainsAny(s, "。！？!?；;：:") || strings.Contains(s, "……") {
		return false
	}
	return !(strings.HasSuffix(s, "，") || strings.HasSuffix(s, ",") || strings.HasSuffix(s, "、"))
}

// titleRuns lists the runs of consecutive title-like lines above the body;
// a title may be broken over several lines, as on the seed.
func titleRuns(pre []line, notice, recipients int) []string {
	var runs []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, joinLines(cur))
			cur = nil
		}
	}
	for i, l := range pre {
		switch {
		case l.kind == lineBlank:
		case l.kind == lineText && i != notice && i != recipients && isTitleLike(l.raw):
			cur = append(cur, l.raw)
		default:
			flush()
		}
	}
	flush()
	return runs
}

// chooseTitle prefers the run that the notice names; without a notice it
// takes the first run that reads like a plan's name.
func chooseTitle(runs []string, fromNotice string) string {
	key := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	if fromNotice != "" {
		want := key(fromNotice)
		for _, r := range runs {
			if key(r) == want {
				return r
			}
		}
		for _, r := range runs {
			k := key(r)
			if utf8.RuneCountInString(k) >= 4 && (strings.Contains(want, k) || strings.Contains(k, want)) {
				return r
			}
		}
		return fromNotice
	}
	for _, r := range runs {
		for _, w := range planWords {
			if strings.Contains(r, w) {
				return r
			}
		}
	}
	if len(runs) > 0 {
		return runs[0]
	}
	return ""
}
