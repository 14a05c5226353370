package search

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"sidi/internal/store"
)

// Filter restricts matches by the record each document refers to: Table is
// joined as "s" on s.id = the document's ref_id, and Where(next) returns
// conditions to add (each starting with " AND ") with their placeholders
// numbered from $next, and the arguments.
type Filter struct {
	Table string
	Where func(next int) (string, []any)
}

// Match is one ranked result.
type Match struct {
	RefID  int64    `json:"ref_id"`
	Score  int      `json:"score"`
	Facets []string `json:"facets"` // the document's Facets
}

// Tiers of Top, best first: the field the whole query matches in.
var tierScores = []int{ScoreTitle, ScoreKeywords, ScoreBody, 0}

// postingCap bounds the count of a token's postings that Top reads to pick
// the rarest token of a query (see Top).
const postingCap = 300

// Top returns the first n matches of q among the documents of kind (and,
// with f, whose record passes f) in rank order: first by the best field the
// whole query matches in — the title (score ScoreTitle), else the keywords
// (ScoreKeywords), else the body (ScoreBody), else its terms are spread
// over several fields (0) — then by the document's Rank and then its RefID,
// both descending. Both engines return the same list.
//
// Each tier is one query that reads its matches in rank order and stops
// once it has enough; the next tier is read only while fewer than n have
// been found, and skips the documents of the tiers before (which are then
// complete). The title and keyword tiers read indexes of their own field
// (SQLite: the search_title and search_kw FTS tables, read backwards by
// rowid; PostgreSQL: the rank-ordered postings of search_postings), so a
// word found in half the titles costs about as much as one found in n of
// them, and a phrase costs in proportion to the titles that hold it, not
// to every record that mentions it anywhere.
//
// On PostgreSQL a phrase of four or more Han characters is looked up as
// the four-character grams that cover it (gramCover), so a four-character
// word is one token, like a two-character one. A title or keyword tier
// with several tokens first counts each token's postings in that field
// (up to postingCap): a token with none ends the tier at once; otherwise
// the rarest token's postings are read in rank order and every other
// token is checked at its position by an index probe (PostgreSQL may
// merge two tokens' postings instead, both being in rank order), so a
// phrase costs about n divided by the share of the rarest token's
// documents that hold the whole query. The body and spread tiers read the
// GIN index of the full vector for the documents holding every token (a
// plain AND needs no look at the vectors themselves), sort these by rank
// and check the phrases and the field in that order only until enough
// match, so that only the vectors read are decompressed.
func Top(ctx context.Context, db *store.DB, q Query, kind Kind, f *Filter, n int) ([]Match, error) {
	if q.Empty() || n <= 0 {
		return nil, nil
	}
	if err := kind.Check(); err != nil {
		return nil, err
	}
	var out []Match
	seen := map[int64]bool{}
	var plan *pgPlan
	if db.Dialect() == store.Postgres {
		var err error
		if plan, err = newPGPlan(ctx, db, q, kind); err != nil {
			return nil, err
		}
	}
	for t, score := range tierScores {
		limit := n - len(out) + len(seen) // enough even if every earlier match comes again
		var ms []Match
		var err error
		switch {
		case db.Dialect() == store.Postgres && t < 2:
			ms, err = pgFieldTier(ctx, db, plan, f, t, limit, score)
		case db.Dialect() == store.Postgres:
			query, args := pgVectorTier(q, kind, f, t, n-len(out), seen)
			ms, err = topRows(ctx, db, query, args, score)
		default:
			query, args := tierSQL(q, kind, f, t, limit)
			ms, err = topRows(ctx, db, query, args, score)
		}
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if !seen[m.RefID] && len(out) < n {
				seen[m.RefID] = true
				out = append(out, m)
			}
		}
		if len(out) >= n {
			break
		}
	}
	return out, nil
}

// pgPlan is how the title and keyword tiers of one query read
// PostgreSQL's postings.
type pgPlan struct {
	code    int64
	phrases [][]item         // each phrase as the tokens of the postings
	toks    []string         // the distinct tokens
	ids     map[string]int64 // their ids in search_tokens; a token without one has no postings
	first   map[string][2]int
	// counts[field][i] is the number of postings of toks[i] in the title
	// (0) or keyword (1) field, up to postingCap; nil for one token.
	counts [2][]int
}

// newPGPlan covers the query's phrases with the postings' tokens (with
// four-character grams) and, when there are several, counts each token's
// postings in both fields with one statement.
func newPGPlan(ctx context.Context, db *store.DB, q Query, kind Kind) (*pgPlan, error) {
	p := &pgPlan{code: kind.Code, phrases: make([][]item, len(q.Phrases)), first: map[string][2]int{}}
	for i, ph := range q.Phrases {
		p.phrases[i] = gramCover(ph)
		for j, it := range p.phrases[i] {
			if _, ok := p.first[it.tok]; !ok {
				p.first[it.tok] = [2]int{i, j}
				p.toks = append(p.toks, it.tok)
			}
		}
	}
	var err error
	if p.ids, err = tokenIDsOf(ctx, db, p.toks); err != nil {
		return nil, err
	}
	if len(p.toks) < 2 || len(p.ids) < len(p.toks) {
		return p, nil
	}
	var sel []string
	args := []any{p.code}
	for _, field := range []string{"A", "B"} {
		args = append(args, field)
		fa := "$" + strconv.Itoa(len(args))
		for _, t := range p.toks {
			args = append(args, p.ids[t])
			sel = append(sel, `(SELECT count(*) FROM (SELECT 1 FROM search_postings WHERE kind = $1 AND field = `+fa+` AND tok_id = $`+strconv.Itoa(len(args))+
				` LIMIT `+strconv.Itoa(postingCap)+`) x)`)
		}
	}
	counts := make([]int, 2*len(p.toks))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := db.Reader().QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", "), args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("search: top: %w", err)
	}
	p.counts = [2][]int{counts[:len(p.toks)], counts[len(p.toks):]}
	return p, nil
}

// pgFieldTier reads the title (t 0, field "A") or keyword (t 1, "B") tier
// of Top from PostgreSQL's postings.
func pgFieldTier(ctx context.Context, db *store.DB, plan *pgPlan, f *Filter, t, limit, score int) ([]Match, error) {
	code, field := plan.code, [2]string{"A", "B"}[t]
	if len(plan.ids) < len(plan.toks) {
		return []Match{}, nil // a token found in no title or keywords
	}
	driver := plan.first[plan.toks[0]]
	if counts := plan.counts[t]; counts != nil {
		best := 0
		for i, c := range counts {
			if c == 0 {
				return []Match{}, nil
			}
			if c < counts[best] {
				best = i
			}
		}
		driver = plan.first[plan.toks[best]]
	}
	phrases := plan.phrases
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	kindArg, fieldArg := arg(code), arg(field)
	// probe is the condition that tok sits at position base+off of the
	// same document.
	probe := func(alias, tok, base string, off int, more string) string {
		return ` AND EXISTS (SELECT 1 FROM search_postings ` + alias + ` WHERE ` + alias + `.kind = ` + kindArg + ` AND ` + alias + `.field = ` + fieldArg +
			` AND ` + alias + `.tok_id = ` + arg(plan.ids[tok]) + ` AND ` + alias + `.rank = p.rank AND ` + alias + `.ref_id = p.ref_id` +
			func() string {
				if base == "" {
					return ""
				}
				return ` AND ` + alias + `.pos = ` + base + ` + ` + strconv.Itoa(off)
			}() + more + `)`
	}
	var b strings.Builder
	b.WriteString(`SELECT p.rank, p.ref_id, max(p.fset) FROM search_postings p`)
	join, where := "", ""
	if f != nil {
		join = ` JOIN ` + f.Table + ` s ON s.id = p.ref_id`
	}
	b.WriteString(join)
	dp, dk := phrases[driver[0]], phrases[driver[0]][driver[1]]
	b.WriteString(` WHERE p.kind = ` + kindArg + ` AND p.field = ` + fieldArg + ` AND p.tok_id = ` + arg(plan.ids[dk.tok]))
	for j, it := range dp {
		if j != driver[1] {
			b.WriteString(probe("q"+strconv.Itoa(j), it.tok, "p.pos", it.off-dk.off, ""))
		}
	}
	for i, ph := range phrases {
		if i == driver[0] {
			continue
		}
		// The phrase's first token anywhere in the field, then the others
		// at their offsets from it.
		alias := "r" + strconv.Itoa(i)
		var more strings.Builder
		for j := 1; j < len(ph); j++ {
			more.WriteString(probe(alias+"_"+strconv.Itoa(j), ph[j].tok, alias+".pos", ph[j].off-ph[0].off, ""))
		}
		b.WriteString(probe(alias, ph[0].tok, "", 0, more.String()))
	}
	if f != nil {
		w, fargs := f.Where(len(args) + 1)
		args = append(args, fargs...)
		where = w
	}
	b.WriteString(where)
	b.WriteString(` GROUP BY p.rank, p.ref_id ORDER BY p.rank DESC, p.ref_id DESC LIMIT ` + arg(limit))
	rows, err := db.Reader().QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("search: top: %w", err)
	}
	defer rows.Close()
	ms := []Match{}
	var sets []int64
	for rows.Next() {
		m := Match{Score: score}
		var rank, fset int64
		if err := rows.Scan(&rank, &m.RefID, &fset); err != nil {
			return nil, fmt.Errorf("search: top: %w", err)
		}
		ms = append(ms, m)
		sets = append(sets, fset)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: top: %w", err)
	}
	labels, err := facetSets(ctx, db, sets)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].Facets = labels[sets[i]]
	}
	return ms, nil
}

// tokenCacheKey names, among a store.DB's Local values, the
// *cached[string, int64] of the ids of search_tokens by token that
// searches have looked up. A token's id never changes (rows are only
// added), so the cache cannot go stale; tokens not (yet) in the table are
// not cached.
type tokenCacheKey struct{}

// tokenIDsOf returns the ids of those of toks that search_tokens holds.
func tokenIDsOf(ctx context.Context, db *store.DB, toks []string) (map[string]int64, error) {
	return lookupCached(ctx, db, tokenCacheKey{}, toks, `SELECT tok, id FROM search_tokens WHERE tok = ANY($1::text[])`, "tokens",
		func(r *sql.Rows) (string, int64, error) {
			var t string
			var id int64
			err := r.Scan(&t, &id)
			return t, id, err
		})
}

// facetCacheKey names, among a store.DB's Local values, the
// *cached[int64, []string] of the facet label sets of search_facets by id. A set's id never changes (rows are only added), so the cache
// cannot go stale.
type facetCacheKey struct{}

// facetSets returns the labels of the facet sets ids.
func facetSets(ctx context.Context, db *store.DB, ids []int64) (map[int64][]string, error) {
	return lookupCached(ctx, db, facetCacheKey{}, ids, `SELECT id, facets FROM search_facets WHERE id = ANY($1::bigint[])`, "facets",
		func(r *sql.Rows) (int64, []string, error) {
			var id int64
			var f string
			err := r.Scan(&id, &f)
			return id, strings.Fields(f), err
		})
}

// cached is one database's cache of values that never change once stored.
type cached[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// lookupCached returns the values of keys: from the cache db keeps under
// the Local key cache, and
// for the keys not there from query (its one argument the missing keys,
// each row scanned by scan into a key and its value), which are then
// cached. Keys the query does not return are left out and not cached.
func lookupCached[K comparable, V any](ctx context.Context, db *store.DB, cache any, keys []K, query, what string, scan func(*sql.Rows) (K, V, error)) (map[K]V, error) {
	c := db.Local(cache, func() any { return &cached[K, V]{m: map[K]V{}} }).(*cached[K, V])
	out := make(map[K]V, len(keys))
	var missing []K
	asked := map[K]bool{}
	c.mu.Lock()
	for _, k := range keys {
		if v, ok := c.m[k]; ok {
			out[k] = v
		} else if !asked[k] {
			asked[k] = true
			missing = append(missing, k)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	found := map[K]V{}
	err := store.EachRow(ctx, db.Reader(), query, []any{missing}, func(r *sql.Rows) error {
		k, v, err := scan(r)
		found[k] = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %s: %w", what, err)
	}
	c.mu.Lock()
	for k, v := range found {
		c.m[k], out[k] = v, v
	}
	c.mu.Unlock()
	return out, nil
}

func topRows(ctx context.Context, db *store.DB, query string, args []any, score int) ([]Match, error) {
	rows, err := db.Reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: top: %w", err)
	}
	defer rows.Close()
	ms := []Match{}
	for rows.Next() {
		m := Match{Score: score}
		var facets string
		if err := rows.Scan(&m.RefID, &facets); err != nil {
			return nil, fmt.Errorf("search: top: %w", err)
		}
		m.Facets = strings.Fields(facets)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: top: %w", err)
	}
	return ms, nil
}

// pgVectorTier selects (ref_id, facets) of at most limit documents that
// match in tier t (2 body, 3 spread) and are not in seen, in rank order.
func pgVectorTier(q Query, kind Kind, f *Filter, t, limit int, seen map[int64]bool) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var all []string
	for _, p := range q.Phrases {
		for _, tok := range p {
			all = append(all, quoteLexeme(tok))
		}
	}
	var b strings.Builder
	b.WriteString(`SELECT d.ref_id, d.rank, d.facets, d.tsv FROM search_docs d`)
	if f != nil {
		b.WriteString(` JOIN ` + f.Table + ` s ON s.id = d.ref_id`)
	}
	b.WriteString(` WHERE d.kind = ` + arg(kind.Name) + ` AND d.tsv @@ ` + arg(strings.Join(all, " & ")) + `::tsquery`)
	if len(seen) > 0 {
		ids := make([]int64, 0, len(seen))
		for id := range seen {
			ids = append(ids, id)
		}
		b.WriteString(` AND NOT d.ref_id = ANY(` + arg(ids) + `::bigint[])`)
	}
	if f != nil {
		w, fargs := f.Where(len(args) + 1)
		args = append(args, fargs...)
		b.WriteString(w)
	}
	weight := [4]string{"", "", "C", ""}[t]
	// OFFSET 0 keeps the check of the full query above the sort.
	return `SELECT c.ref_id, c.facets FROM (` + b.String() + ` ORDER BY d.rank DESC, d.ref_id DESC OFFSET 0) c WHERE c.tsv @@ ` +
		arg(tsquery(q, weight)) + `::tsquery LIMIT ` + arg(limit), args
}

// tierSQL selects (ref_id, facets) of the documents matching in tier t, in
// rank order, at most limit, on SQLite.
func tierSQL(q Query, kind Kind, f *Filter, t, limit int) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	filter := func(ref string) (string, string) {
		if f == nil {
			return "", ""
		}
		w, fargs := f.Where(len(args) + 1)
		args = append(args, fargs...)
		return ` JOIN ` + f.Table + ` s ON s.id = ` + ref, w
	}
	table, expr := [4]string{"search_title", "search_kw", "search_fts", "search_fts"}[t], ftsQuery(q, "")
	if t == 2 {
		expr = ftsQuery(q, "body")
	}
	lo, hi := kindRange(kind)
	match, from, to := arg(expr), arg(lo), arg(hi)
	join, where := filter("(f.rowid & 4294967295)")
	return `SELECT f.rowid & 4294967295, d.facets FROM ` + table + ` f JOIN search_docs d ON d.id = f.rowid` + join +
		` WHERE f.` + table + ` MATCH ` + match + ` AND f.rowid BETWEEN ` + from + ` AND ` + to + where +
		` ORDER BY f.rowid DESC LIMIT ` + arg(limit), args
}
