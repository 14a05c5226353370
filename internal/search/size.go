package search

import (
	"context"
	"fmt"

	"sidi/internal/store"
)

// Size is the disk space of the search index in bytes: Index is the
// full-text structures themselves (SQLite: the shadow tables of the three
// FTS5 tables; PostgreSQL: the GIN index and the postings table with its
// index), Docs the document table
// with its other indexes (on PostgreSQL this holds the tsvectors, including their
// TOAST storage).
type Size struct {
	Index int64 `json:"index_bytes"`
	Docs  int64 `json:"docs_bytes"`
}

// Total is Index plus Docs.
func (s Size) Total() int64 { return s.Index + s.Docs }

// IndexSize measures the index: SQLite through the dbstat table (pages in
// use, by table), PostgreSQL through pg_relation_size.
func IndexSize(ctx context.Context, db *store.DB) (Size, error) {
	var s Size
	var err error
	if db.Dialect() == store.Postgres {
		err = db.Reader().QueryRowContext(ctx, `SELECT g + p, pg_total_relation_size('search_docs'::regclass) - g FROM
			(SELECT pg_relation_size('search_docs_tsv'::regclass) AS g, pg_total_relation_size('search_postings'::regclass) AS p) x`).Scan(&s.Index, &s.Docs)
	} else {
		err = db.Reader().QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN name LIKE 'search_fts%' OR name LIKE 'search_title%' OR name LIKE 'search_kw%' THEN pgsize END), 0),
			COALESCE(SUM(CASE WHEN name = 'search_docs' OR tbl_name_is_docs THEN pgsize END), 0)
			FROM (SELECT d.name, d.pgsize, (m.tbl_name = 'search_docs' AND m.type = 'index') AS tbl_name_is_docs
				FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name)`).Scan(&s.Index, &s.Docs)
	}
	if err != nil {
		return s, fmt.Errorf("search: index size: %w", err)
	}
	return s, nil
}
