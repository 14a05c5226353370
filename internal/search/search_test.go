package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// testKind is the kind of the documents of these tests.
var testKind = search.Kind{Name: "test", Code: 127}

var docs = []search.Doc{
	{RefID: 1, Title: "牦牛肉干加工技术规程", Keywords: "DB63/T 2290—2024 牦牛", Body: "本文件规定了牦牛肉干的加工要求。"},
	{RefID: 2, Title: "藏羊养殖技术规范", Keywords: "DB63/T 1000—2020", Body: "适用于牦牛和藏羊的混合放牧。"},
	{RefID: 3, Title: "牧区草场管理规范", Keywords: "", Body: "牦、牛、羊分群管理；白牦与黄牛不同。"},
	{RefID: 4, Title: "柴达木枸杞 干果", Keywords: "GB/T 19001-2016/ISO 9001:2015", Body: "枸杞质量等级"},
	{RefID: 5, Title: "盐湖资源动态监测技术规程", Keywords: "盐湖 钾", Body: "盐湖卤水"},
	{RefID: 6, Title: "工业氯化钠", Keywords: "", Body: "提钾尾盐。湖资料不相干"},
	{RefID: 7, Title: "ＩＳＯ　９００１ 质量管理体系", Keywords: "", Body: "Quality management systems"},
}

func TestTokens(t *testing.T) {
	got := search.Tokens("牦牛肉 ISO9001, 盐")
	want := []string{"牦牛", "牛肉", "", "iso", "9001", "", "盐", "", "牦", "牛", "肉", "盐"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Tokens = %q, want %q", got, want)
	}
}

func TestSearchBothEngines(t *testing.T) {
	results := map[store.Dialect]map[string][]int64{}
	cases := []struct {
		q    string
		want []int64 // ordered by score, then id
	}{
		{"牦牛", []int64{1, 2}},   // 3 has 牦 and 牛 apart: no match
		{"牛", []int64{1, 2, 3}}, // one character
		{"枸杞", []int64{4}},
		{"盐湖", []int64{5}},
		{"盐湖资料", nil}, // 盐湖 and 湖资料 across punctuation in 6: no match
		{"尾盐", []int64{6}},
		{"iso 9001", []int64{7, 4}}, // title above keywords
		{"ＩＳＯ９００１", []int64{7, 4}},  // full width, no space
		{"牦牛 DB63", []int64{1, 2}},  // mixed; terms may match in different fields
		{"2290-2024", []int64{1}},
		{"quality", []int64{7}},
		{"qual", nil}, // whole words only
		{"规程 盐湖", []int64{5}},
		{"技术规", []int64{1, 2, 5}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for _, d := range docs {
				d.Kind = testKind
				if err := search.Index(ctx, db, tx, d); err != nil {
					return err
				}
			}
			// Reindexing replaces.
			d := docs[0]
			d.Kind = testKind
			return search.Index(ctx, db, tx, d)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]int64{}
		for _, tc := range cases {
			q := search.ParseQuery(tc.q)
			sub, args := search.MatchSQL(db.Dialect(), testKind, q, 1)
			rows, err := db.Reader().QueryContext(ctx, `SELECT ref_id, score FROM (`+sub+`) m ORDER BY score DESC, ref_id`, args...)
			if err != nil {
				t.Fatalf("%s: %v", tc.q, err)
			}
			var ids []int64
			var scores []string
			for rows.Next() {
				var id, score int64
				if err := rows.Scan(&id, &score); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
				scores = append(scores, fmt.Sprint(id, ":", score))
			}
			rows.Close()
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("%q → %v (%s), want %v", tc.q, ids, strings.Join(scores, " "), tc.want)
			}
			got[tc.q] = append(ids, 0)
			got[tc.q+"/scores"] = nil
		}
		results[db.Dialect()] = got
		// Removal.
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.Remove(ctx, db, tx, testKind, 1) }); err != nil {
			t.Fatal(err)
		}
	})
	if a, b := results[store.SQLite], results[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Errorf("engines differ:\nsqlite   %v\npostgres %v", a, b)
	}
}

func TestHighlight(t *testing.T) {
	segs := search.Highlight("本文件规定了牦牛肉干的加工要求，牦 牛分开。", search.ParseQuery("牦牛"), 100)
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	if b.String() != "本文件规定了[牦牛]肉干的加工要求，牦 牛分开。" {
		t.Fatalf("highlight = %s", b.String())
	}
	segs = search.Highlight("ＩＳＯ ９００１ and isometric", search.ParseQuery("iso"), 100)
	if len(segs) < 2 || !segs[0].Mark || segs[0].Text != "ＩＳＯ" {
		t.Fatalf("highlight = %+v", segs)
	}
}

// topDocs is the corpus of TestTop.
var topDocs = []search.Doc{
	{RefID: 1, Rank: 10, Title: "牦牛肉干", Body: "枸杞"},
	{RefID: 2, Rank: 30, Title: "牦牛乳粉"},
	{RefID: 3, Rank: 20, Title: "藏羊", Keywords: "牦牛 DB63"},
	{RefID: 4, Rank: 40, Title: "草场", Body: "牦牛放牧"},
	{RefID: 5, Rank: 50, Title: "牦牛", Keywords: "DB63"},
	{RefID: 6, Rank: 35, Title: "生态旅游服务规范", Body: "生态 旅游"},
	{RefID: 7, Rank: 5, Title: "旅游", Keywords: "生态旅游"},
	// Four-character grams (PostgreSQL's postings): a run broken by a
	// space or punctuation is no phrase; long phrases are covered by
	// overlapping grams; a repeated character sequence.
	{RefID: 8, Rank: 60, Title: "盐湖卤水 检验方法", Keywords: "氯化钾含量"},
	{RefID: 9, Rank: 61, Title: "盐湖卤水检·验方法", Keywords: "氯化钾 含量"},
	{RefID: 10, Rank: 62, Title: "中华人民共和国国家标准", Keywords: "哈哈哈哈哈"},
}

// topCase is a query of n results and the results wanted (ref:score).
type topCase struct {
	q    string
	n    int
	want []string
}

// topCases are the queries of TestTop over topDocs with their results.
var topCases = []topCase{
	{"牦牛", 10, []string{"5:100", "2:100", "1:100", "3:10", "4:1"}},
	{"牦牛", 3, []string{"5:100", "2:100", "1:100"}},
	{"牦牛 db63", 10, []string{"3:10", "5:0"}}, // 5 has 牦牛 in the title and DB63 in the keywords
	{"生态旅游", 10, []string{"6:100", "7:10"}},
	{"牦牛 枸杞", 10, []string{"1:0"}},
	{"羊", 10, []string{"3:100"}},
	{"骆驼", 10, nil},
	{"检验方法", 10, []string{"8:100"}},
	{"盐湖卤水检", 10, []string{"9:100"}},
	{"盐湖卤水检验", 10, nil}, // 8 and 9 break it into two runs
	{"卤水检验方法", 10, nil},
	{"氯化钾含量", 10, []string{"8:10"}},
	{"盐湖 检验方法", 10, []string{"8:100"}},
	{"氯化钾含量 盐湖卤水", 10, []string{"8:0"}},
	{"中华人民共和国国家标准", 10, []string{"10:100"}},
	{"人民共和国国家", 10, []string{"10:100"}},
	{"共和国国家标", 10, []string{"10:100"}},
	{"哈哈哈哈", 10, []string{"10:10"}},
	{"哈哈哈哈哈哈", 10, nil},
}

// checkTop runs Top for each of cases over the documents of kind "test"
// and reports results that differ from the case's; it returns them all.
func checkTop(t *testing.T, db *store.DB, cases []topCase) []string {
	t.Helper()
	var all []string
	for _, c := range cases {
		ms, err := search.Top(context.Background(), db, search.ParseQuery(c.q), testKind, nil, c.n)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%d:%d", m.RefID, m.Score))
		}
		if !reflect.DeepEqual(out, c.want) {
			t.Errorf("%s: %q (n %d) → %v, want %v", db.Dialect(), c.q, c.n, out, c.want)
		}
		all = append(all, out...)
	}
	return all
}

// TestTop checks the tiered, rank-ordered top-k on both engines: the title
// tier first, then keywords, text and words spread over fields, each newest
// (highest rank) first; the single-field indexes and the bulk path agree
// with Index; n cuts the list.
func TestTop(t *testing.T) {
	ranked, cases := topDocs, topCases
	got := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			var bulk []search.Doc
			for i, d := range ranked {
				d.Kind = testKind
				if i%2 == 0 {
					if err := search.Index(ctx, db, tx, d); err != nil {
						return err
					}
				} else {
					bulk = append(bulk, d)
				}
			}
			return search.NewBatch(db.Dialect(), bulk).Insert(ctx, db, tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		got[db.Dialect()] = checkTop(t, db, cases)
	})
	if a, b := got[store.SQLite], got[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Errorf("engines differ:\nsqlite   %v\npostgres %v", a, b)
	}
}

// TestTopAfterChanges checks that replacing and removing documents leave
// no trace in any tier (PostgreSQL keeps title and keyword postings apart)
// and that ranked matches carry their facet labels.
func TestTopAfterChanges(t *testing.T) {
	got := map[store.Dialect][]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			bulk := []search.Doc{
				{Kind: testKind, RefID: 1, Rank: 10, Title: "牦牛肉干加工规程", Keywords: "DB63", Facets: []string{"family:local"}},
				{Kind: testKind, RefID: 2, Rank: 20, Title: "藏羊", Keywords: "牦牛肉 T/QH", Facets: []string{"family:group", "tag:牧"}},
				{Kind: testKind, RefID: 3, Rank: 30, Title: "青稞", Body: "牦牛肉干", Facets: []string{"family:local"}},
			}
			if err := search.NewBatch(db.Dialect(), bulk).Insert(ctx, db, tx); err != nil {
				return err
			}
			// 1 changes its title and rank; 3 is removed; 4 is new.
			if err := search.Index(ctx, db, tx, search.Doc{Kind: testKind, RefID: 1, Rank: 5, Title: "藏羊肉干", Keywords: "牦牛 DB63", Facets: []string{"family:national"}}); err != nil {
				return err
			}
			if err := search.Remove(ctx, db, tx, testKind, 3); err != nil {
				return err
			}
			return search.Index(ctx, db, tx, search.Doc{Kind: testKind, RefID: 4, Rank: 1, Title: "牦牛肉干", Facets: []string{"family:local"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"牦牛肉干", []string{"4:100:[family:local]"}},
			{"牦牛", []string{"4:100:[family:local]", "2:10:[family:group tag:牧]", "1:10:[family:national]"}},
			{"藏羊 肉干", []string{"1:100:[family:national]"}},
			{"青稞", nil},
			{"加工", nil},
		} {
			ms, err := search.Top(ctx, db, search.ParseQuery(c.q), testKind, nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, fmt.Sprintf("%d:%d:%v", m.RefID, m.Score, m.Facets))
			}
			if !reflect.DeepEqual(out, c.want) {
				t.Errorf("%q → %v, want %v", c.q, out, c.want)
			}
			got[db.Dialect()] = append(got[db.Dialect()], out...)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return search.RemoveKind(ctx, db, tx, testKind) }); err != nil {
			t.Fatal(err)
		}
		if ms, err := search.Top(ctx, db, search.ParseQuery("牦牛"), testKind, nil, 10); err != nil || len(ms) != 0 {
			t.Errorf("after RemoveKind: %v %v", ms, err)
		}
	})
	if a, b := got[store.SQLite], got[store.Postgres]; a != nil && b != nil && !reflect.DeepEqual(a, b) {
		t.Errorf("engines differ:\nsqlite   %v\npostgres %v", a, b)
	}
}
