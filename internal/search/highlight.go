package search

import "strings"

// Segment is a piece of a snippet; Mark pieces matched the query. Templates
// print Text escaped and wrap marked pieces in <mark>.
type Segment struct {
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

// Highlight returns a window of at most width runes of text around the first
// match of q, with every match marked. Without a match it returns the start
// of the text.
func Highlight(text string, q Query, width int) []Segment {
	orig := []rune(text)
	// folded[i] comes from orig[src[i]].
	var folded []rune
	var src []int
	for i, r := range orig {
		for _, f := range fold(r) {
			folded = append(folded, f)
			src = append(src, i)
		}
	}
	marked := make([]bool, len(orig))
	first := -1
	for _, s := range q.Surface {
		for _, piece := range surfacePieces(s) {
			pr := []rune(piece)
			if len(pr) == 0 {
				continue
			}
			for i := 0; i+len(pr) <= len(folded); i++ {
				if !equalRunes(folded[i:i+len(pr)], pr) {
					continue
				}
				// Words match whole words only.
				if classOf(pr[0]) != han {
					if i > 0 && classOf(folded[i-1]) == classOf(pr[0]) {
						continue
					}
					if end := i + len(pr); end < len(folded) && classOf(folded[end]) == classOf(pr[len(pr)-1]) {
						continue
					}
				}
				for k := i; k < i+len(pr); k++ {
					marked[src[k]] = true
				}
				if first < 0 || src[i] < first {
					first = src[i]
				}
			}
		}
	}
	start := 0
	if first > width/3 {
		start = first - width/3
	}
	end := start + width
	if end > len(orig) {
		end = len(orig)
		if end-width > 0 && end-width < start {
			start = end - width
		}
	}
	var out []Segment
	if start > 0 {
		out = append(out, Segment{Text: "…"})
	}
	for i := start; i < end; {
		j := i
		for j < end && marked[j] == marked[i] {
			j++
		}
		out = append(out, Segment{Text: string(orig[i:j]), Mark: marked[i]})
		i = j
	}
	if end < len(orig) {
		out = append(out, Segment{Text: "…"})
	}
	return out
}

// surfacePieces splits a surface form into what can be found verbatim:
// a Han run as a whole, words and digit runs one by one.
func surfacePieces(s string) []string {
	if s == "" {
		return nil
	}
	if isHan([]rune(s)[0]) {
		return []string{s}
	}
	return strings.Fields(s)
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
