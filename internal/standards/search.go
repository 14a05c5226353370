package standards

import (
	"context"
	"database/sql"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sidi/internal/search"
	"sidi/internal/store"
)

// Params are a public search: free text (words, or a code in any form)
// and filters. Dates are YYYY-MM-DD bounds on the publication date.
type Params struct {
	Q          string `json:"q"`
	Family     string `json:"family"`
	Status     string `json:"status"` // current, upcoming, replaced, withdrawn
	ICS        string `json:"ics"`    // prefix: 67 or 67.120
	CCS        string `json:"ccs"`    // prefix: B or B43
	Tag        string `json:"tag"`
	Kind       string `json:"kind"` // standard or drug
	IssuedFrom string `json:"issued_from"`
	IssuedTo   string `json:"issued_to"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// Limit bounds a search: at most Limit results are ranked, paged and
// counted by facet. A query matching more (a single character can match a
// fifth of the registry) says so with Result.More and shows the first
// Limit, so its cost does not grow with the registry.
const Limit = 500

// Hit is one result.
type Hit struct {
	Standard
	Score   int              `json:"score"`
	Snippet []search.Segment `json:"snippet"`
	TitleHL []search.Segment `json:"title_highlighted"`
}

// Facet is a count of results by one value.
type Facet struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Result is a page of hits with facets over the ranked results.
type Result struct {
	Params  Params             `json:"params"`
	Total   int                `json:"total"` // ranked results (at most Limit)
	More    bool               `json:"more"`  // more than Limit records match; Total and the facets cover the first Limit
	Pages   int                `json:"pages"`
	ByCode  bool               `json:"by_code"` // the query was read as a standard code
	Code    *Code              `json:"code,omitempty"`
	Hits    []Hit              `json:"hits"`
	Facets  map[string][]Facet `json:"facets"`
	Invalid []string           `json:"invalid,omitempty"` // filters ignored as malformed
}

// Search runs a public search. Ranking: an exact code match first; then a
// match of the whole query in the title, else in the keywords (code, ICS,
// CCS, tags), else in the text, else with its words spread over these;
// within each, the most recently published first (then the most recently
// registered). Projects not yet published are never shown.
func (s *Service) Search(ctx context.Context, p Params) (Result, error) {
	if p.PerPage <= 0 || p.PerPage > 100 {
		p.PerPage = 20
	}
	if p.Page <= 0 {
		p.Page = 1
	}
	res := Result{Params: p, Hits: []Hit{}, Facets: map[string][]Facet{}}
	q := strings.TrimSpace(p.Q)
	query, err := search.Parse(q)
	if err != nil {
		return res, err
	}
	where, _ := s.filters(p, 1, &res)
	filter := func(next int) (string, []any) {
		var scratch Result
		return s.filters(p, next, &scratch)
	}
	code := ParseCode(q)
	var top []search.Match
	// sqlTop ranks records straight from the registry: cond selects them.
	sqlTop := func(cond string, cargs []any, score int) error {
		args := append([]any{}, cargs...)
		w, fargs := filter(len(args) + 1)
		args = append(args, fargs...)
		args = append(args, Limit+1)
		return store.EachRow(ctx, s.db.Reader(), `SELECT s.id, s.family, s.status, s.kind FROM standards s WHERE s.status <> 'project'`+cond+w+
			` ORDER BY s.issued DESC, s.id DESC LIMIT $`+strconv.Itoa(len(args)), args, func(r *sql.Rows) error {
			m := search.Match{Score: score}
			var f, st, k string
			err := r.Scan(&m.RefID, &f, &st, &k)
			m.Facets = []string{"family:" + f, "status:" + st, "kind:" + k}
			top = append(top, m)
			return err
		})
	}
	switch {
	case q != "" && code.Valid:
		res.ByCode, res.Code = true, &code
		if code.Year == 0 && code.Amendment == "" && code.Adopted == "" {
			// Without a year: every edition of the number.
			err = sqlTop(` AND (s.code_key = $1 OR (s.code_key >= $2 AND s.code_key < $3))`, []any{code.Normalized, code.Normalized + "-", code.Normalized + "."}, 1000)
		} else {
			err = sqlTop(` AND s.code_key = $1`, []any{code.Normalized}, 1000)
		}
		if err == nil {
			err = s.tagFacets(ctx, top)
		}
		if err == nil && len(top) == 0 && !query.Empty() {
			// A code not in the registry: fall back to the words of the query.
			res.ByCode = false
			top, err = s.topWords(ctx, query, where, filter)
		}
	case !query.Empty():
		top, err = s.topWords(ctx, query, where, filter)
	case q != "":
		return res, nil // only punctuation: nothing can match
	default:
		if err = sqlTop("", nil, 0); err == nil {
			err = s.tagFacets(ctx, top)
		}
	}
	if err != nil {
		return res, err
	}
	if len(top) > Limit {
		top, res.More = top[:Limit], true
	}
	res.Total = len(top)
	res.Pages = (res.Total + p.PerPage - 1) / p.PerPage
	// A page past the last has no hits (and p.Page-1 times p.PerPage
	// cannot overflow for a page up to Pages).
	if p.Page <= res.Pages {
		offset := (p.Page - 1) * p.PerPage
		if err := s.loadHits(ctx, &res, top[offset:min(offset+p.PerPage, len(top))], query); err != nil {
			return res, err
		}
	}
	s.facets(&res, top)
	return res, nil
}

// topWords ranks the records matching the words of query (Limit+1 at most,
// to tell whether there are more than Limit).
func (s *Service) topWords(ctx context.Context, query search.Query, where string, filter func(int) (string, []any)) ([]search.Match, error) {
	var f *search.Filter
	if where != "" {
		f = &search.Filter{Table: "standards", Where: filter}
	}
	return search.Top(ctx, s.db, query, SearchKind, f, Limit+1)
}

// tagFacets adds the tag facet labels to results ranked from the registry.
func (s *Service) tagFacets(ctx context.Context, top []search.Match) error {
	if len(top) == 0 {
		return nil
	}
	ids := make([]int64, len(top))
	at := map[int64]int{}
	for i, m := range top {
		ids[i], at[m.RefID] = m.RefID, i
	}
	set, arg := s.idList(ids, "$1")
	return store.EachRow(ctx, s.db.Reader(), `SELECT standard_id, tag FROM standard_tags WHERE standard_id IN (`+set+`)`, []any{arg}, func(r *sql.Rows) error {
		var id int64
		var t string
		err := r.Scan(&id, &t)
		top[at[id]].Facets = append(top[at[id]].Facets, "tag:"+t)
		return err
	})
}

// facetLabels are the labels of a record in the search index, for counting
// results by family, status, kind and tag without reading the records.
func facetLabels(r record) []string {
	out := []string{"family:" + familyOf(r), "status:" + r.Status, "kind:" + r.Kind}
	for _, t := range r.Tags {
		out = append(out, "tag:"+t)
	}
	return out
}

// idList renders ids as one argument and the SQL that reads it as a set.
func (s *Service) idList(ids []int64, arg string) (string, string) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	if s.db.Dialect() == store.Postgres {
		return `SELECT unnest(` + arg + `::bigint[])`, "{" + strings.Join(parts, ",") + "}"
	}
	return `SELECT value FROM json_each(` + arg + `)`, "[" + strings.Join(parts, ",") + "]"
}

// loadHits reads the records of one page, in order.
func (s *Service) loadHits(ctx context.Context, res *Result, page []search.Match, query search.Query) error {
	ids := make([]int64, len(page))
	at := map[int64]int{}
	for i, m := range page {
		ids[i], at[m.RefID] = m.RefID, i
	}
	set, arg := s.idList(ids, "$1")
	hits := make([]Hit, len(page))
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+stdColumns+` FROM standards WHERE id IN (`+set+`)`, []any{arg}, func(r *sql.Rows) error {
		st, err := s.scanStandard(r)
		if err != nil {
			return err
		}
		i := at[st.ID]
		h := &hits[i]
		h.Standard, h.Score = st, page[i].Score
		h.Tags = []string{}
		h.TitleHL = search.Highlight(st.Title, query, 200)
		body := st.Scope
		if body == "" {
			body = strings.TrimSpace(st.DraftingUnits + " " + st.Committee)
		}
		h.Snippet = search.Highlight(body, query, 90)
		return nil
	})
	if err != nil {
		return err
	}
	res.Hits = hits
	return s.tagsOf(ctx, res.Hits)
}

// facets counts family, status, kind and tag over the ranked results.
func (s *Service) facets(res *Result, top []search.Match) {
	counts := map[string]map[string]int{"family": {}, "status": {}, "kind": {}, "tag": {}}
	for _, m := range top {
		for _, f := range m.Facets {
			if name, v, ok := strings.Cut(f, ":"); ok && counts[name] != nil {
				counts[name][v]++
			}
		}
	}
	labels := map[string]func(string) string{
		"family": func(v string) string { return FamilyLabels[v] },
		"status": func(v string) string { return StatusLabels[v] },
		"kind": func(v string) string {
			if v == KindDrug {
				return "药品质量标准"
			}
			return "标准"
		},
		"tag": func(v string) string { return v },
	}
	for name, m := range counts {
		fs := []Facet{}
		for v, n := range m {
			fs = append(fs, Facet{Value: v, Label: labels[name](v), Count: n})
		}
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].Count != fs[j].Count {
				return fs[i].Count > fs[j].Count
			}
			return fs[i].Value < fs[j].Value
		})
		res.Facets[name] = fs
	}
}

func (s *Service) tagsOf(ctx context.Context, hits []Hit) error {
	if len(hits) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ph := make([]string, len(hits))
	args := make([]any, len(hits))
	for i, h := range hits {
		idx[h.ID] = i
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = h.ID
	}
	return store.EachRow(ctx, s.db.Reader(), `SELECT standard_id, tag FROM standard_tags WHERE standard_id IN (`+strings.Join(ph, ",")+`) ORDER BY standard_id, tag`, args, func(r *sql.Rows) error {
		var id int64
		var t string
		if err := r.Scan(&id, &t); err != nil {
			return err
		}
		hits[idx[id]].Tags = append(hits[idx[id]].Tags, t)
		return nil
	})
}

// filters renders the WHERE conditions of p, numbering arguments from n.
func (s *Service) filters(p Params, n int, res *Result) (string, []any) {
	var b strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(n+len(args)-1)
	}
	if _, ok := FamilyLabels[p.Family]; ok {
		b.WriteString(" AND s.family = " + arg(p.Family))
	} else if p.Family != "" {
		res.Invalid = append(res.Invalid, "family")
	}
	switch p.Status {
	case "":
	case PublicCurrent:
		b.WriteString(" AND s.status = 'active' AND s.implemented <= " + arg(s.today()))
	case PublicUpcoming:
		b.WriteString(" AND s.status = 'active' AND s.implemented > " + arg(s.today()))
	case StatusActive, StatusReplaced, StatusWithdrawn:
		b.WriteString(" AND s.status = " + arg(p.Status))
	default:
		res.Invalid = append(res.Invalid, "status")
	}
	if p.Kind == KindStandard || p.Kind == KindDrug {
		b.WriteString(" AND s.kind = " + arg(p.Kind))
	}
	if ics := CleanClassifier(p.ICS); ics != "" {
		if reICSPrefix.MatchString(ics) {
			// ICS is a ;-separated list: match a code that equals or starts with the prefix.
			b.WriteString(" AND (';' || s.ics || ';') LIKE " + arg("%;"+ics+"%"))
		} else {
			res.Invalid = append(res.Invalid, "ics")
		}
	}
	if ccs := CleanClassifier(p.CCS); ccs != "" {
		if reCCSPrefix.MatchString(ccs) {
			b.WriteString(" AND (';' || s.ccs || ';') LIKE " + arg("%;"+ccs+"%"))
		} else {
			res.Invalid = append(res.Invalid, "ccs")
		}
	}
	if p.Tag != "" {
		if contains(DomainTags, p.Tag) {
			b.WriteString(" AND EXISTS (SELECT 1 FROM standard_tags t2 WHERE t2.standard_id = s.id AND t2.tag = " + arg(p.Tag) + ")")
		} else {
			res.Invalid = append(res.Invalid, "tag")
		}
	}
	if d, ok := ParseDate(p.IssuedFrom); ok && d != "" {
		b.WriteString(" AND s.issued >= " + arg(d))
	} else if !ok {
		res.Invalid = append(res.Invalid, "issued_from")
	}
	if d, ok := ParseDate(p.IssuedTo); ok && d != "" {
		b.WriteString(" AND s.issued <> '' AND s.issued <= " + arg(d))
	} else if !ok {
		res.Invalid = append(res.Invalid, "issued_to")
	}
	return b.String(), args
}

var (
	reICSPrefix = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{1,3}(\.[0-9]{1,2})?)?$`)
	reCCSPrefix = regexp.MustCompile(`^[A-HJ-NP-Z]([0-9]{1,2})?$`)
)
