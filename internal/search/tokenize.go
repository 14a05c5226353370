// Package search is Sidi's full-text search, the same on SQLite and
// PostgreSQL. One Go tokenizer turns text into tokens: overlapping bigrams
// for each run of Han characters (and every single Han character apart),
// lower-cased Latin words and digit runs (so code pieces such as "gb", "t",
// "19001", "2016" are words too). SQLite stores the tokens in FTS5 with the
// unicode61 tokenizer, which reads them back exactly; PostgreSQL stores them
// as a 'simple' tsvector built token by token, indexed with GIN. A query is
// an AND of phrases over the same tokens, so 牦牛 matches the bigram token
// "牦牛" and never a text where 牦 and 牛 stand apart.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
)

// Limits shared by both engines so they index exactly the same positions:
// PostgreSQL keeps at most 16383 positions in a tsvector and 256 per lexeme.
const (
	maxPositions  = 16000
	maxPerLexeme  = 255
	gapToken      = "x0x" // SQLite's stand-in for a position gap; no query ever produces it
	maxQueryTerms = 16
	maxRepeat     = 8 // times a token may occur in one phrase of a query
)

type class int

const (
	sep class = iota
	han
	word  // letters of alphabetic scripts
	digit // ASCII and other decimal digits
)

// classOf decides what a rune is. Only runes SQLite's unicode61 tokenizer
// also treats as token characters are kept, so both engines see the same.
func classOf(r rune) class {
	switch {
	case isHan(r):
		return han
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return word
		case r >= '0' && r <= '9':
			return digit
		}
		return sep
	case r < 0x2000 && unicode.IsLetter(r):
		return word
	}
	return sep
}

func isHan(r rune) bool {
	switch {
	case r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xF900 && r <= 0xFAFF, r >= 0x20000 && r <= 0x2B81F:
		return unicode.IsLetter(r)
	case r == 0x3007: // 〇
		return true
	}
	return false
}

// fold is the per-rune normalisation applied before tokenising and before
// highlighting: NFKC (full-width letters and digits become ASCII) and lower case.
func fold(r rune) []rune {
	var out []rune
	for _, x := range norm.NFKC.String(string(r)) {
		out = append(out, unicode.ToLower(x))
	}
	return out
}

// foldString folds every rune of s. ASCII and the CJK Unified Ideographs
// block (which NFKC and lower-casing leave as they are) take a short path;
// TestFoldShortPath checks it against fold.
func foldString(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, r)
		case r >= 0x4E00 && r <= 0x9FFF:
			out = append(out, r)
		default:
			out = append(out, fold(r)...)
		}
	}
	return out
}

// segment is a run of one class.
type segment struct {
	class class
	text  []rune
}

// segments splits folded text into Han runs and word/digit runs. Word and
// digit runs separated only by punctuation or spaces stay in one "alnum"
// group (returned as consecutive segments with joined=true) so code pieces
// keep adjacent positions.
func segments(rs []rune) []segment {
	var out []segment
	for i := 0; i < len(rs); {
		c := classOf(rs[i])
		if c == sep {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && classOf(rs[j]) == c {
			j++
		}
		out = append(out, segment{class: c, text: rs[i:j]})
		i = j
	}
	return out
}

// Tokens returns the token stream of one field: for every Han run its
// bigrams (a one-character run gives its character), word and digit tokens
// in order, "" where a position gap keeps phrases from spanning runs, then
// after a gap every distinct Han character once (for one-character queries).
func Tokens(text string) []string {
	var out, singles []string
	var seen map[rune]bool // made with the first Han run
	prevHan := false
	for _, sg := range segments(foldString(text)) {
		if sg.class == han {
			if len(out) > 0 {
				out = append(out, "")
			}
			if len(sg.text) == 1 {
				out = append(out, string(sg.text))
			}
			for k := 0; k+1 < len(sg.text); k++ {
				out = append(out, string(sg.text[k:k+2]))
			}
			if seen == nil {
				seen = make(map[rune]bool, 2*len(sg.text))
			}
			for _, r := range sg.text {
				if !seen[r] {
					seen[r] = true
					singles = append(singles, string(r))
				}
			}
			prevHan = true
			continue
		}
		if prevHan {
			out = append(out, "")
			prevHan = false
		}
		out = append(out, string(sg.text))
	}
	if len(singles) > 0 {
		out = append(out, "")
		out = append(out, singles...)
	}
	return out
}

// Phrase is a sequence of tokens that must occur at adjacent positions.
type Phrase []string

// Query is an AND of phrases, parsed from what a user typed.
type Query struct {
	Phrases []Phrase
	// Surface are the folded strings to highlight.
	Surface []string
}

// Empty reports whether the query has nothing to search for.
func (q Query) Empty() bool { return len(q.Phrases) == 0 }

// Bounds of a query typed by a user (Parse): longer queries cost more
// than any search is worth and are refused with a message.
const (
	MaxQueryRunes = 100 // characters, spaces collapsed
	MaxQueryTerms = 8   // distinct phrases
)

// Parse checks what a user typed against MaxQueryRunes and MaxQueryTerms,
// refusing longer queries with apperr.Invalid, and parses it (ParseQuery).
// Every public search (pages, API, command line) goes through it.
func Parse(s string) (Query, error) {
	if err := CheckLength(s); err != nil {
		return Query{}, err
	}
	q := parse(s, 0)
	if n := len(q.Phrases); n > MaxQueryTerms {
		return Query{}, apperr.Invalid("检索词过多：最多 %d 个词（当前 %d 个），请减少检索词后重试", MaxQueryTerms, n)
	}
	return q, nil
}

// CheckLength refuses a query longer than MaxQueryRunes characters once
// its runs of spaces are one space each. The web layer applies it to every
// query parameter named q, the free text of all public lists.
func CheckLength(s string) error {
	n := 0
	for i, f := range strings.Fields(s) {
		if i > 0 {
			n++
		}
		n += utf8.RuneCountInString(f)
	}
	if n > MaxQueryRunes {
		return apperr.Invalid("检索词过长：最多 %d 个字符（当前 %d 个），请缩短后重试", MaxQueryRunes, n)
	}
	return nil
}

// ParseQuery turns user input into phrases: every Han run becomes the
// phrase of its bigrams (a single character stays itself); words and digits
// typed together (ISO 9001, 19001-2016) form one phrase. Spaces separate
// terms; all terms must match. A phrase holds a token at most maxRepeat
// times: it is cut before a token it already holds that often (标 typed
// 700 times is the phrase of 标 nine times, then the rest), and phrases are
// kept once, so a repeated word or character costs what it costs a few
// times; shorter repetitions stay exact (哈哈哈哈哈哈 does not match
// 哈哈哈哈哈). At most maxQueryTerms phrases are kept.
func ParseQuery(s string) Query { return parse(s, maxQueryTerms) }

// parse is ParseQuery keeping at most limit phrases (0: all).
func parse(s string, limit int) Query {
	var q Query
	seen := map[string]bool{}
	add := func(p Phrase, surface func(i, j int) string) {
		for start := 0; start < len(p); {
			end := start + 1
			in := map[string]int{p[start]: 1}
			for end < len(p) && in[p[end]] < maxRepeat {
				in[p[end]]++
				end++
			}
			piece := p[start:end]
			sf := surface(start, end)
			start = end
			if limit > 0 && len(q.Phrases) >= limit {
				return
			}
			key := strings.Join(piece, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
			q.Phrases = append(q.Phrases, piece)
			q.Surface = append(q.Surface, sf)
		}
	}
	for _, term := range strings.Fields(s) {
		var alnum Phrase
		flush := func() {
			words := alnum
			add(words, func(i, j int) string { return strings.Join(words[i:j], " ") })
			alnum = nil
		}
		for _, sg := range segments(foldString(term)) {
			if sg.class != han {
				alnum = append(alnum, string(sg.text))
				continue
			}
			flush()
			text := sg.text
			if len(text) == 1 {
				add(Phrase{string(text)}, func(int, int) string { return string(text) })
				continue
			}
			var p Phrase
			for k := 0; k+1 < len(text); k++ {
				p = append(p, string(text[k:k+2]))
			}
			// Bigrams i..j-1 cover the characters i..j.
			add(p, func(i, j int) string { return string(text[i : j+1]) })
		}
		flush()
	}
	return q
}
