package search_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/search"
)

// TestParseBounds: a query typed by a user is refused, with a message, when
// it is longer than MaxQueryRunes or has more than MaxQueryTerms phrases,
// and a token repeated in a phrase (标×N) is looked up once.
func TestParseBounds(t *testing.T) {
	cases := []struct {
		q       string
		phrases []search.Phrase
		surface []string
		err     string // part of the message; "" for no error
	}{
		{q: "牦牛", phrases: []search.Phrase{{"牦牛"}}, surface: []string{"牦牛"}},
		// 99 bigrams 标标: eight at most in a phrase, each piece kept once.
		{q: strings.Repeat("标", 100), phrases: []search.Phrase{rep("标标", 8), rep("标标", 3)}, surface: []string{strings.Repeat("标", 9), strings.Repeat("标", 4)}},
		{q: strings.Repeat("哈", 6), phrases: []search.Phrase{rep("哈哈", 5)}, surface: []string{strings.Repeat("哈", 6)}},
		{q: strings.Repeat("标", 101), err: "检索词过长：最多 100 个字符（当前 101 个）"},
		{q: strings.Repeat("标", 700), err: "检索词过长：最多 100 个字符（当前 700 个）"},
		{q: strings.Repeat("x", 2048), err: "检索词过长"},
		// Spaces are collapsed before counting.
		{q: "  牦牛    肉干  ", phrases: []search.Phrase{{"牦牛"}, {"肉干"}}, surface: []string{"牦牛", "肉干"}},
		{q: "标准化标准", phrases: []search.Phrase{{"标准", "准化", "化标", "标准"}}, surface: []string{"标准化标准"}},
		{q: "牦牛 牦牛 牦牛", phrases: []search.Phrase{{"牦牛"}}, surface: []string{"牦牛"}},
		{q: "iso 9001 iso 9001", phrases: []search.Phrase{{"iso"}, {"9001"}}, surface: []string{"iso", "9001"}},
		{q: strings.Repeat("ISO9001-", 9), phrases: []search.Phrase{strings.Fields(strings.Repeat("iso 9001 ", 8)), {"iso", "9001"}},
			surface: []string{strings.TrimSpace(strings.Repeat("iso 9001 ", 8)), "iso 9001"}},
		{q: "一 二 三 四 五 六 七 八", phrases: []search.Phrase{{"一"}, {"二"}, {"三"}, {"四"}, {"五"}, {"六"}, {"七"}, {"八"}},
			surface: []string{"一", "二", "三", "四", "五", "六", "七", "八"}},
		{q: "一 二 三 四 五 六 七 八 九", err: "检索词过多：最多 8 个词（当前 9 个）"},
		{q: strings.Repeat("牦牛 肉干 ", 3), phrases: []search.Phrase{{"牦牛"}, {"肉干"}}, surface: []string{"牦牛", "肉干"}},
	}
	for _, tc := range cases {
		q, err := search.Parse(tc.q)
		if tc.err != "" {
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), tc.err) {
				t.Errorf("Parse(%.20q): error %v, want invalid %q", tc.q, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%.20q): %v", tc.q, err)
			continue
		}
		if !reflect.DeepEqual(q.Phrases, tc.phrases) || !reflect.DeepEqual(q.Surface, tc.surface) {
			t.Errorf("Parse(%.20q) = %q %q, want %q %q", tc.q, q.Phrases, q.Surface, tc.phrases, tc.surface)
		}
	}
}

func rep(tok string, n int) search.Phrase {
	p := make(search.Phrase, n)
	for i := range p {
		p[i] = tok
	}
	return p
}
