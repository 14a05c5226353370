package search

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"sidi/internal/store"
)

// Doc is one searchable record. Ranking puts a match in Title above one in
// Keywords above one in Body.
type Doc struct {
	Kind     string // e.g. "standard", "declaration"
	RefID    int64  // the record's id in its own table
	Title    string
	Keywords string
	Body     string
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
	count := map[string]int{}
	pos := 1
	for i, text := range []string{d.Title, d.Keywords, d.Body} {
		w := byte('A' + i)
		var b strings.Builder
		for _, tok := range Tokens(text) {
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
	return ps, cols
}

// tsvector renders postings as a PostgreSQL tsvector literal.
func tsvector(ps []posting) string {
	byTok := map[string][]posting{}
	for _, p := range ps {
		byTok[p.tok] = append(byTok[p.tok], p)
	}
	toks := make([]string, 0, len(byTok))
	for t := range byTok {
		toks = append(toks, t)
	}
	sort.Strings(toks)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(t))
		b.WriteByte(':')
		for j, p := range byTok[t] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p.pos))
			b.WriteByte(p.weight)
		}
	}
	return b.String()
}

func quoteLexeme(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t) + "'"
}

// Index adds or replaces d inside tx.
func Index(ctx context.Context, db *store.DB, tx *sql.Tx, d Doc) error {
	ps, cols := analyze(d)
	switch db.Dialect() {
	case store.Postgres:
		_, err := tx.ExecContext(ctx, `INSERT INTO search_docs(kind, ref_id, tsv) VALUES ($1, $2, $3::tsvector)
			ON CONFLICT (kind, ref_id) DO UPDATE SET tsv = EXCLUDED.tsv`, d.Kind, d.RefID, tsvector(ps))
		if err != nil {
			return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
		}
		return nil
	default:
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2`, d.Kind, d.RefID).Scan(&id)
		switch {
		case err == sql.ErrNoRows:
			if err := tx.QueryRowContext(ctx, `INSERT INTO search_docs(kind, ref_id) VALUES ($1, $2) RETURNING id`, d.Kind, d.RefID).Scan(&id); err != nil {
				return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
			}
		case err != nil:
			return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
		default:
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, id); err != nil {
				return fmt.Errorf("search: reindex %s %d: %w", d.Kind, d.RefID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts(rowid, title, keywords, body) VALUES ($1, $2, $3, $4)`, id, cols[0], cols[1], cols[2]); err != nil {
			return fmt.Errorf("search: index %s %d: %w", d.Kind, d.RefID, err)
		}
		return nil
	}
}

// Remove drops a record from the index.
func Remove(ctx context.Context, db *store.DB, tx *sql.Tx, kind string, refID int64) error {
	if db.Dialect() == store.SQLite {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2)`, kind, refID); err != nil {
			return fmt.Errorf("search: remove: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2`, kind, refID); err != nil {
		return fmt.Errorf("search: remove: %w", err)
	}
	return nil
}

// Scores of a match by field. A record matching in several fields adds them.
const (
	ScoreTitle    = 100
	ScoreKeywords = 10
	ScoreBody     = 1
)

// MatchSQL returns a subquery yielding (ref_id, score) for the records of
// kind that match q, with its arguments numbered from $next. Every term must
// match (in any field); the score adds ScoreTitle when the whole query
// matches inside the title, ScoreKeywords for the keywords and ScoreBody
// for the body, identically on both engines.
func MatchSQL(d store.Dialect, kind string, q Query, next int) (string, []any) {
	n := func(k int) string { return "$" + strconv.Itoa(next+k) }
	if d == store.Postgres {
		sql := `SELECT d.ref_id AS ref_id, (CASE WHEN d.tsv @@ ` + n(1) + `::tsquery THEN 100 ELSE 0 END + CASE WHEN d.tsv @@ ` + n(2) +
			`::tsquery THEN 10 ELSE 0 END + CASE WHEN d.tsv @@ ` + n(3) + `::tsquery THEN 1 ELSE 0 END) AS score
			FROM search_docs d WHERE d.kind = ` + n(4) + ` AND d.tsv @@ ` + n(0) + `::tsquery`
		return sql, []any{tsquery(q, ""), tsquery(q, "A"), tsquery(q, "B"), tsquery(q, "C"), kind}
	}
	sql := `SELECT d.ref_id AS ref_id, m.score AS score FROM (SELECT id, SUM(w) AS score FROM (
		SELECT rowid AS id, 0 AS w FROM search_fts WHERE search_fts MATCH ` + n(0) + `
		UNION ALL SELECT rowid, 100 FROM search_fts WHERE search_fts MATCH ` + n(1) + `
		UNION ALL SELECT rowid, 10 FROM search_fts WHERE search_fts MATCH ` + n(2) + `
		UNION ALL SELECT rowid, 1 FROM search_fts WHERE search_fts MATCH ` + n(3) + `) GROUP BY id) m
		JOIN search_docs d ON d.id = m.id WHERE d.kind = ` + n(4)
	return sql, []any{ftsQuery(q, ""), ftsQuery(q, "title"), ftsQuery(q, "keywords"), ftsQuery(q, "body"), kind}
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
