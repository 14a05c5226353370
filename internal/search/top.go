package search

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

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

// pgProbe is how many of the highest-ranked documents PostgreSQL reads to
// estimate how common a phrase is (see Top).
const pgProbe = 2000

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
// rowid; PostgreSQL: title_tsv and kw_tsv), so a word found in half the
// titles costs about as much as one found in n of them, and a phrase costs
// in proportion to the titles that hold it, not to every record that
// mentions it anywhere.
//
// On PostgreSQL a tier costs either about n/d documents read in rank order
// (an index-only scan of search_docs_rank, which carries both fields, when
// a share d of the documents match) or about d·N read through the GIN index
// and sorted. The planner chooses well for single tokens, but it cannot
// estimate a phrase (two or more adjacent bigrams) and takes the GIN path
// even for common ones. For phrases the title and keyword tiers therefore
// read the pgProbe highest-ranked documents first: if they hold enough
// matches, that is the answer; otherwise the share found there decides
// between reading on in rank order and the GIN path (whose rows cost about
// seven times as much).
func Top(ctx context.Context, db *store.DB, q Query, kind string, f *Filter, n int) ([]Match, error) {
	if q.Empty() || n <= 0 {
		return nil, nil
	}
	if _, ok := Kinds[kind]; !ok {
		return nil, fmt.Errorf("search: unknown kind %q", kind)
	}
	phrase := false
	for _, p := range q.Phrases {
		phrase = phrase || len(p) > 1
	}
	var out []Match
	seen := map[int64]bool{}
	for t, score := range tierScores {
		limit := n - len(out) + len(seen) // enough even if every earlier match comes again
		var ms []Match
		var err error
		if db.Dialect() == store.Postgres && phrase && t < 2 {
			query, args := tierSQL(db.Dialect(), q, kind, f, t, limit, pgProbe)
			if ms, err = topRows(ctx, db, query, args, score); err == nil && len(ms) < limit {
				share := float64(len(ms)) / pgProbe
				var docs float64
				err = db.Reader().QueryRowContext(ctx, `SELECT GREATEST(reltuples, 1) FROM pg_class WHERE oid = 'search_docs'::regclass`).Scan(&docs)
				ms = nil
				if err == nil && share*share*7*docs >= float64(limit) {
					query, args := tierSQL(db.Dialect(), q, kind, f, t, limit, math.MaxInt64)
					ms, err = topRows(ctx, db, query, args, score)
				}
			}
		}
		if ms == nil && err == nil {
			query, args := tierSQL(db.Dialect(), q, kind, f, t, limit, 0)
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

// tierSQL selects (ref_id, facets) of the documents matching in tier t, in
// rank order, at most limit. On PostgreSQL a window > 0 reads only that
// many highest-ranked documents, in rank order.
func tierSQL(d store.Dialect, q Query, kind string, f *Filter, t, limit, window int) (string, []any) {
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
	if d == store.Postgres {
		col, weight := [4]string{"title_tsv", "kw_tsv", "tsv", "tsv"}[t], [4]string{"", "", "C", ""}[t]
		from, cond := `search_docs d`, ""
		if window > 0 {
			from = `(SELECT ref_id, rank, facets, ` + col + ` FROM search_docs WHERE kind = ` + arg(kind) +
				` ORDER BY rank DESC, ref_id DESC LIMIT ` + arg(window) + `) d`
			cond = ` WHERE true`
		} else {
			cond = ` WHERE d.kind = ` + arg(kind)
		}
		cond += ` AND d.` + col + ` @@ ` + arg(tsquery(q, weight)) + `::tsquery`
		join, where := filter("d.ref_id")
		return `SELECT d.ref_id, d.facets FROM ` + from + join + cond + where +
			` ORDER BY d.rank DESC, d.ref_id DESC LIMIT ` + arg(limit), args
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
