package search

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/store"
)

// Doc is one searchable record. Ranking puts a match in Title above one in
// Keywords above one in Body, and among equals a higher Rank first.
type Doc struct {
	Kind     Kind
	RefID    int64 // the record's id in its own table, 1 … MaxRefID
	Rank     int64 // the order among equal matches, 0 … MaxRank; e.g. a date as a day number
	Title    string
	Keywords string
	Body     string
	// Facets are labels of the record that Top returns with each match
	// (e.g. "family:national"), so that callers can count results by them
	// without reading the records; they must not contain spaces.
	Facets []string
}

// Kind is a kind of record in the index, declared by the register that
// owns it: Name is what search_docs, search_pending and search_layout hold,
// Code the number SQLite's FTS rowid (= search_docs.id) starts with —
// code<<56 | Rank<<32 | RefID, so that one kind is one rowid range and
// reading it backwards gives the rank order — and PostgreSQL's
// search_postings.kind holds (the same order is an index on (kind, rank,
// ref_id) there). Both are stored, so neither may change once a database
// holds the kind; no two kinds may share either (services checks this
// over its module list).
type Kind struct {
	Name string
	Code int64 // 1 … MaxKindCode
}

// MaxKindCode is the largest code a Kind may have (the rowid is signed).
const MaxKindCode = 127

func (k Kind) String() string { return k.Name }

// Check returns an error unless k has a name and a code in range.
func (k Kind) Check() error {
	if k.Name == "" || k.Code < 1 || k.Code > MaxKindCode {
		return fmt.Errorf("search: invalid kind %q (code %d)", k.Name, k.Code)
	}
	return nil
}

// CheckKinds returns an error unless every kind is valid and no two share a
// name or a code: kinds sharing a code would share SQLite's rowids and
// PostgreSQL's postings.
func CheckKinds(kinds []Kind) error {
	names, codes := map[string]Kind{}, map[int64]Kind{}
	for _, k := range kinds {
		if err := k.Check(); err != nil {
			return err
		}
		if o, dup := names[k.Name]; dup {
			return fmt.Errorf("search: kind %q declared twice (codes %d and %d)", k.Name, o.Code, k.Code)
		}
		if o, dup := codes[k.Code]; dup {
			return fmt.Errorf("search: kinds %q and %q share code %d", o.Name, k.Name, k.Code)
		}
		names[k.Name], codes[k.Code] = k, k
	}
	return nil
}

// Bounds of Doc fields that go into the rowid.
const (
	MaxRefID = 1<<32 - 1
	MaxRank  = 1<<24 - 1
)

// rowid is the SQLite rowid of d, or an error for an invalid kind or a
// value out of range.
func rowid(kind Kind, refID, rank int64) (int64, error) {
	if err := kind.Check(); err != nil {
		return 0, err
	}
	if refID < 1 || refID > MaxRefID || rank < 0 || rank > MaxRank {
		return 0, fmt.Errorf("search: %s %d: id or rank %d out of range", kind, refID, rank)
	}
	return kind.Code<<56 | rank<<32 | refID, nil
}

// kindRange is the rowid range of kind.
func kindRange(kind Kind) (lo, hi int64) {
	code := kind.Code
	return code << 56, code<<56 | (1<<56 - 1)
}

// posting is one token at one position of the shared position space.
type posting struct {
	tok    string
	pos    int
	weight byte // 'A' title, 'B' keywords, 'C' body
}

// analyze lays the three fields out in one position space with gaps
// between them, applying the limits both engines share. It returns the
// postings (for PostgreSQL) and each field's token text (for SQLite), which
// describe exactly the same positions.
func analyze(d Doc) ([]posting, [3]string) {
	var ps []posting
	var cols [3]string
	fields := [3]string{d.Title, d.Keywords, d.Body}
	toks := [3][]string{Tokens(d.Title), Tokens(d.Keywords), Tokens(d.Body)}
	n := len(toks[0]) + len(toks[1]) + len(toks[2])
	count := make(map[string]int, n)
	ps = make([]posting, 0, n)
	pos := 1
	for i := range fields {
		w := byte('A' + i)
		var b strings.Builder
		b.Grow(len(fields[i]) * 3)
		for _, tok := range toks[i] {
			if pos > maxPositions {
				break
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			if tok == "" || count[tok] >= maxPerLexeme {
				b.WriteString(gapToken)
			} else {
				count[tok]++
				ps = append(ps, posting{tok, pos, w})
				b.WriteString(tok)
			}
			pos++
		}
		cols[i] = b.String()
		pos++ // a gap between fields
	}
	return append(ps, grams(ps)...), cols
}

// Layout numbers what the index stores for a document; the owners of the
// documents add it to their own layout version, so raising it rebuilds
// every kind. 1: four-character grams of the title and keywords
// (PostgreSQL's postings and vectors).
const Layout = 1

// grams returns the four-character grams of the title and keyword fields
// (PostgreSQL only; see Top): one at the position of every bigram that
// starts three bigrams posted at consecutive positions, i.e. four Han
// characters in one run (runs are separated by a position without a
// token). A gram shares its position with its first bigram, so it takes
// no position of its own, and the bigrams stay as they are: SQLite, the
// body and every phrase check read only the bigrams. A gram occurs at
// most as often as its first bigram, so the limit per lexeme holds.
func grams(ps []posting) []posting {
	var out []posting
	for i := 0; i+2 < len(ps); i++ {
		a, b, c := ps[i], ps[i+1], ps[i+2]
		if a.weight == 'C' || b.weight != a.weight || c.weight != a.weight || b.pos != a.pos+1 || c.pos != a.pos+2 {
			continue
		}
		if !isBigram(a.tok) || !isBigram(b.tok) || !isBigram(c.tok) {
			continue
		}
		out = append(out, posting{a.tok + c.tok, a.pos, a.weight})
	}
	return out
}

// isBigram reports whether tok is two Han characters.
func isBigram(tok string) bool {
	n := 0
	for _, r := range tok {
		if !isHan(r) {
			return false
		}
		n++
	}
	return n == 2
}

// gramCover rewrites a phrase for the postings of PostgreSQL: a run of
// three or more Han bigrams (four or more characters) is covered by
// four-character grams at offsets 0, 3, 6, … and one ending at the
// phrase's last bigram; each item is a token and its offset in the
// phrase. Consecutive bigram positions lie in one run, so the grams
// together hold exactly the phrase's bigrams at their positions.
func gramCover(p Phrase) []item {
	if len(p) < 3 {
		return items(p)
	}
	for _, t := range p {
		if !isBigram(t) {
			return items(p)
		}
	}
	var out []item
	last := len(p) - 3
	for off := 0; ; off += 3 {
		if off >= last {
			off = last
		}
		out = append(out, item{p[off] + p[off+2], off})
		if off == last {
			return out
		}
	}
}

// item is a token of a phrase at an offset from the phrase's start.
type item struct {
	tok string
	off int
}

func items(p Phrase) []item {
	out := make([]item, len(p))
	for i, t := range p {
		out[i] = item{t, i}
	}
	return out
}

// field keeps the postings of one field ('A' title, 'B' keywords).
func field(ps []posting, w byte) []posting {
	var out []posting
	for _, p := range ps {
		if p.weight == w {
			out = append(out, p)
		}
	}
	return out
}

func facetText(d Doc) string { return strings.Join(d.Facets, " ") }

// tsvector renders postings as a PostgreSQL tsvector literal: lexemes in
// byte order, each with its positions ascending (a token has at most one
// posting per position).
func tsvector(ps []posting) string {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b posting) int { return cmp.Or(strings.Compare(a.tok, b.tok), cmp.Compare(a.pos, b.pos)) })
	size := 0
	for _, p := range sorted {
		size += len(p.tok) + 10
	}
	b := make([]byte, 0, size)
	for i, p := range sorted {
		if i > 0 && sorted[i-1].tok == p.tok {
			b = append(b, ',')
		} else {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendLexeme(b, p.tok)
			b = append(b, ':')
		}
		b = strconv.AppendInt(b, int64(p.pos), 10)
		b = append(b, p.weight)
	}
	return string(b)
}

// appendLexeme appends quoteLexeme(t) to b without a string of its own
// (a lexeme's quoted copy was a third of tsvector's time).
func appendLexeme(b []byte, t string) []byte {
	b = append(b, '\'')
	if !strings.ContainsAny(t, `\'`) {
		b = append(b, t...)
	} else {
		b = append(b, lexemeQuoter.Replace(t)...)
	}
	return append(b, '\'')
}

// lexemeQuoter escapes a lexeme; built once (a Replacer is safe for
// concurrent use, and building one per lexeme was most of a bulk load's
// client time on PostgreSQL).
var lexemeQuoter = strings.NewReplacer(`\`, `\\`, `'`, `''`)

func quoteLexeme(t string) string {
	if !strings.ContainsAny(t, `\'`) {
		return "'" + t + "'"
	}
	return "'" + lexemeQuoter.Replace(t) + "'"
}

// Index adds or replaces d inside tx. The document goes into the full
// index (all three fields) and, for the first two tiers of Top, into a
// title-only and a keywords-only index: SQLite's search_title and search_kw
// FTS tables, PostgreSQL's search_postings.
func Index(ctx context.Context, db *store.DB, tx *sql.Tx, d Doc) error {
	id, err := rowid(d.Kind, d.RefID, d.Rank)
	if err != nil {
		return err
	}
	ps, cols := analyze(d)
	switch db.Dialect() {
	case store.Postgres:
		if err := dropPostings(ctx, tx, d.Kind, d.RefID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO search_docs(kind, ref_id, rank, facets, tsv) VALUES ($1, $2, $3, $4, $5::tsvector)
			ON CONFLICT (kind, ref_id) DO UPDATE SET rank = EXCLUDED.rank, facets = EXCLUDED.facets, tsv = EXCLUDED.tsv`,
			d.Kind.Name, d.RefID, d.Rank, facetText(d), tsvector(ps))
		if err != nil {
			return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
		}
		return addPostings(ctx, tx, d.Kind, []int64{d.RefID}, []int64{d.Rank}, []string{facetText(d)}, [][2]string{{tsvector(field(ps, 'A')), tsvector(field(ps, 'B'))}})
	default:
		if err := Remove(ctx, db, tx, d.Kind, d.RefID); err != nil {
			return err
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO search_docs(id, kind, ref_id, rank, facets) VALUES ($1, $2, $3, $4, $5)`, []any{id, d.Kind.Name, d.RefID, d.Rank, facetText(d)}},
			{`INSERT INTO search_fts(rowid, title, keywords, body) VALUES ($1, $2, $3, $4)`, []any{id, cols[0], cols[1], cols[2]}},
			{`INSERT INTO search_title(rowid, title) VALUES ($1, $2)`, []any{id, cols[0]}},
			{`INSERT INTO search_kw(rowid, keywords) VALUES ($1, $2)`, []any{id, cols[1]}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
			}
		}
		return nil
	}
}

// PostgreSQL keeps the tokens of the title ('A') and keyword ('B') fields
// also in search_postings, one row per token and position, with a btree in
// rank order (migration 0008): Top reads the title and keyword tiers there.
// The rows are the title and keyword tokens of the document's tsvector
// (rendered by tsvector from the same analysis), expanded inside the
// database, so they hold exactly the same tokens and positions. A posting
// names its token by the id of search_tokens (migration 0032): the btree's
// key is then all integers, which makes building it after a bulk load
// about three times cheaper than with the token's text.

// addTokens puts the tokens toks (sorted, distinct) into search_tokens,
// those not there yet; the sort keeps concurrent writers of the same new
// tokens in one order. Checking first spares the identity a value for
// every token already known.
const addTokens = `INSERT INTO search_tokens(tok) SELECT t FROM unnest($1::text[]) t
	WHERE NOT EXISTS (SELECT 1 FROM search_tokens s WHERE s.tok = t) ORDER BY t ON CONFLICT (tok) DO NOTHING`

// addPostings writes the postings of documents of one kind from their
// title and keyword tsvector literals (ts[i] = {title, keywords} of
// refIDs[i], whose facet labels are facets[i]).
func addPostings(ctx context.Context, tx *sql.Tx, kind Kind, refIDs, ranks []int64, facets []string, ts [][2]string) error {
	if len(refIDs) == 0 {
		return nil
	}
	title, kw := make([]string, len(ts)), make([]string, len(ts))
	for i, t := range ts {
		title[i], kw[i] = t[0], t[1]
	}
	// The facet label sets, each stored once.
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_facets(facets) SELECT DISTINCT unnest($1::text[]) ON CONFLICT (facets) DO NOTHING`, facets); err != nil {
		return fmt.Errorf("search: facets of %s: %w", kind, err)
	}
	var toks []string
	err := store.EachRow(ctx, tx, `SELECT DISTINCT u.lexeme FROM unnest($1::text[] || $2::text[]) x(v), unnest(x.v::tsvector) u ORDER BY 1`, []any{title, kw}, func(r *sql.Rows) error {
		var t string
		err := r.Scan(&t)
		toks = append(toks, t)
		return err
	})
	if err == nil {
		_, err = tx.ExecContext(ctx, addTokens, toks)
	}
	if err != nil {
		return fmt.Errorf("search: tokens of %s: %w", kind, err)
	}
	_, err = tx.ExecContext(ctx, `WITH x AS (SELECT x.ref_id, x.rank, f.id AS fset, x.t, x.k FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[]) x(ref_id, rank, facets, t, k)
			JOIN search_facets f ON f.facets = x.facets)
		INSERT INTO search_postings(ref_id, rank, fset, kind, pos, field, tok_id)
		SELECT x.ref_id, x.rank, x.fset, $1::smallint, p, 'A'::"char", s.id FROM x, unnest(x.t::tsvector) u JOIN search_tokens s ON s.tok = u.lexeme, unnest(u.positions) p
		UNION ALL
		SELECT x.ref_id, x.rank, x.fset, $1::smallint, p, 'B'::"char", s.id FROM x, unnest(x.k::tsvector) u JOIN search_tokens s ON s.tok = u.lexeme, unnest(u.positions) p`,
		kind.Code, refIDs, ranks, facets, title, kw)
	if err != nil {
		return fmt.Errorf("search: postings of %s: %w", kind, err)
	}
	return nil
}

// dropPostings deletes the postings of one document, found through the
// title and keyword tokens of its indexed vector, before the document
// changes. The tokens are read first and named as constants, so that every
// column of the delete is a condition of the postings' index (an index
// probe per token): joined to the vector's tokens in one statement, the
// planner could probe by kind and field alone — without statistics, e.g.
// in a bulk load's transaction — and read every posting of the kind.
func dropPostings(ctx context.Context, tx *sql.Tx, kind Kind, refID int64) error {
	var rank int64
	var title, kw []int64
	err := store.EachRow(ctx, tx, `SELECT d.rank, s.id, u.weights::text FROM search_docs d, unnest(d.tsv) u JOIN search_tokens s ON s.tok = u.lexeme
		WHERE d.kind = $1 AND d.ref_id = $2`, []any{kind.Name, refID}, func(r *sql.Rows) error {
		var tok int64
		var weights string
		err := r.Scan(&rank, &tok, &weights)
		if strings.Contains(weights, "A") {
			title = append(title, tok)
		}
		if strings.Contains(weights, "B") {
			kw = append(kw, tok)
		}
		return err
	})
	if err == nil && len(title)+len(kw) > 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM search_postings WHERE kind = $1 AND ref_id = $2 AND rank = $3
			AND (field = 'A' AND tok_id = ANY($4::int[]) OR field = 'B' AND tok_id = ANY($5::int[]))`, kind.Code, refID, rank, title, kw)
	}
	if err != nil {
		return fmt.Errorf("search: postings of %s %d: %w", kind, refID, err)
	}
	return nil
}

// sqliteTables are SQLite's FTS tables, all keyed by the same rowid.
var sqliteTables = []string{"search_fts", "search_title", "search_kw"}

// Remove drops a record from the index.
func Remove(ctx context.Context, db *store.DB, tx *sql.Tx, kind Kind, refID int64) error {
	if err := kind.Check(); err != nil {
		return err
	}
	if db.Dialect() == store.SQLite {
		for _, t := range sqliteTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE rowid = (SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2)`, kind.Name, refID); err != nil {
				return fmt.Errorf("search: remove: %w", err)
			}
		}
	}
	if db.Dialect() == store.Postgres {
		if err := dropPostings(ctx, tx, kind, refID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind.Name, refID); err != nil {
		return fmt.Errorf("search: remove: %w", err)
	}
	return nil
}

// RemoveKind drops every record of kind from the index.
func RemoveKind(ctx context.Context, db *store.DB, tx *sql.Tx, kind Kind) error {
	if err := kind.Check(); err != nil {
		return err
	}
	if db.Dialect() == store.SQLite {
		lo, hi := kindRange(kind)
		for _, t := range sqliteTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE rowid BETWEEN $1 AND $2`, lo, hi); err != nil {
				return fmt.Errorf("search: remove %s: %w", kind, err)
			}
		}
	}
	if db.Dialect() == store.Postgres {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_postings WHERE kind = $1`, kind.Code); err != nil {
			return fmt.Errorf("search: remove %s: %w", kind, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1`, kind.Name); err != nil {
		return fmt.Errorf("search: remove %s: %w", kind, err)
	}
	return nil
}

// Scores of a match by field. A record matching in several fields adds them.
const (
	ScoreTitle    = 100
	ScoreKeywords = 10
	ScoreBody     = 1
)

// MatchSQL returns a subquery yielding (ref_id, score) for all the records
// of kind that match q, with its arguments numbered from $next. Every term
// must match (in any field); the score adds ScoreTitle when the whole query
// matches inside the title, ScoreKeywords for the keywords and ScoreBody
// for the body, identically on both engines. Its cost grows with the
// number of matches; Top and Count read only as many as they need.
func MatchSQL(d store.Dialect, kind Kind, q Query, next int) (string, []any) {
	n := func(k int) string { return "$" + strconv.Itoa(next+k) }
	if d == store.Postgres {
		sql := `SELECT d.ref_id AS ref_id, (CASE WHEN d.tsv @@ ` + n(1) + `::tsquery THEN 100 ELSE 0 END + CASE WHEN d.tsv @@ ` + n(2) +
			`::tsquery THEN 10 ELSE 0 END + CASE WHEN d.tsv @@ ` + n(3) + `::tsquery THEN 1 ELSE 0 END) AS score
			FROM search_docs d WHERE d.kind = ` + n(4) + ` AND d.tsv @@ ` + n(0) + `::tsquery`
		return sql, []any{tsquery(q, ""), tsquery(q, "A"), tsquery(q, "B"), tsquery(q, "C"), kind.Name}
	}
	// The kind is a rowid range; the low 32 bits of the rowid are the ref_id.
	in := ` AND rowid BETWEEN ` + n(4) + ` AND ` + n(5)
	sql := `SELECT id & 4294967295 AS ref_id, SUM(w) AS score FROM (
		SELECT rowid AS id, 0 AS w FROM search_fts WHERE search_fts MATCH ` + n(0) + in + `
		UNION ALL SELECT rowid, 100 FROM search_fts WHERE search_fts MATCH ` + n(1) + in + `
		UNION ALL SELECT rowid, 10 FROM search_fts WHERE search_fts MATCH ` + n(2) + in + `
		UNION ALL SELECT rowid, 1 FROM search_fts WHERE search_fts MATCH ` + n(3) + in + `) GROUP BY id`
	lo, hi := kindRange(kind)
	return sql, []any{ftsQuery(q, ""), ftsQuery(q, "title"), ftsQuery(q, "keywords"), ftsQuery(q, "body"), lo, hi}
}

func ftsQuery(q Query, col string) string {
	parts := make([]string, len(q.Phrases))
	for i, p := range q.Phrases {
		parts[i] = `"` + strings.Join(p, " ") + `"`
	}
	e := strings.Join(parts, " AND ")
	if col != "" {
		return col + " : (" + e + ")"
	}
	return e
}

func tsquery(q Query, weight string) string {
	parts := make([]string, len(q.Phrases))
	for i, p := range q.Phrases {
		toks := make([]string, len(p))
		for j, t := range p {
			toks[j] = quoteLexeme(t)
			if weight != "" {
				toks[j] += ":" + weight
			}
		}
		parts[i] = "(" + strings.Join(toks, " <-> ") + ")"
	}
	return strings.Join(parts, " & ")
}
