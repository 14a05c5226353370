package search

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tsvectorRef is tsvector as it was before it appended into one buffer.
func tsvectorRef(ps []posting) string {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b posting) int { return cmp.Or(strings.Compare(a.tok, b.tok), cmp.Compare(a.pos, b.pos)) })
	var b strings.Builder
	for i, p := range sorted {
		if i > 0 && sorted[i-1].tok == p.tok {
			b.WriteByte(',')
		} else {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(quoteLexeme(p.tok))
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.pos))
		b.WriteByte(p.weight)
	}
	return b.String()
}

// TestTsvectorLiteral: the literal of analysed documents (and of tokens
// PostgreSQL needs quoted) is what the reference gives.
func TestTsvectorLiteral(t *testing.T) {
	var cases [][]posting
	for i, d := range []Doc{
		{Title: "青海省牦牛肉质量分级", Keywords: "牦牛 分级", Body: "本文件规定了牦牛肉的质量分级要求、检验方法和判定规则。GB/T 19001-2016 ISO 9001:2015"},
		{Title: "O'Neil's \\ test", Body: strings.Repeat("盐湖提锂 清洁能源 ", 60)},
		{},
	} {
		ps, _ := analyze(d)
		if i < 2 && len(ps) == 0 {
			t.Fatalf("document %d has no postings", i)
		}
		cases = append(cases, ps, field(ps, 'A'), field(ps, 'B'))
	}
	cases = append(cases, []posting{{`it's`, 3, 'A'}, {`a\b`, 1, 'B'}, {`it's`, 1, 'A'}, {"x", 1000, 'C'}})
	for i, ps := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got, want := tsvector(ps), tsvectorRef(ps); got != want {
				t.Errorf("tsvector = %q, want %q", got, want)
			}
		})
	}
}
