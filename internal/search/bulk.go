package search

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"sidi/internal/store"
)

// Batch is a set of documents analysed ahead of writing, for bulk loads:
// NewBatch does the tokenising (it needs no database and may run in another
// goroutine), Insert writes all of them with a few multi-row statements.
// The index content is exactly what Index writes for each document.
type Batch struct {
	docs []Doc
	ids  []int64 // SQLite: the rowids
	an   []Analysis
	err  error
}

// Analysis is what a Batch writes for one document besides its kind, id,
// rank and facets: the token text of each field (SQLite), or the tsvector
// literals of all fields, the title and the keywords and the title and
// keyword postings (PostgreSQL). It depends neither on the document's
// RefID nor on its Rank, so Analyze may run before the record has an id,
// e.g. while an import's rows are parsed.
type Analysis struct {
	cols  [3]string
	tsv   [3]string
	posts []posting // those of tsv[1] and tsv[2]
}

// Analyze analyses doc for dialect d (see Analysis).
func Analyze(d store.Dialect, doc Doc) Analysis {
	ps, cols := analyze(doc)
	if d != store.Postgres {
		return Analysis{cols: cols}
	}
	a, k := field(ps, 'A'), field(ps, 'B')
	return Analysis{tsv: [3]string{tsvector(ps), tsvector(a), tsvector(k)}, posts: append(a, k...)}
}

// SQLiteRow is what SQLite's index holds of d (what Index and Batch write):
// its rowid in the FTS tables and search_docs, and the token text of its
// title, keywords and body as the FTS tables get them. For measuring the
// index's cost outside Sidi (scripts/bench/searchrows).
func SQLiteRow(d Doc) (rowID int64, cols [3]string, err error) {
	_, cols = analyze(d)
	rowID, err = rowid(d.Kind, d.RefID, d.Rank)
	return rowID, cols, err
}

// NewBatch analyses docs for dialect d.
func NewBatch(d store.Dialect, docs []Doc) *Batch {
	an := make([]Analysis, len(docs))
	for i, doc := range docs {
		an[i] = Analyze(d, doc)
	}
	return NewBatchOf(docs, an)
}

// NewBatchOf is the batch of docs whose analyses are an (an[i] made by
// Analyze of docs[i], but for RefID and Rank, for the dialect the batch is
// written to).
func NewBatchOf(docs []Doc, an []Analysis) *Batch {
	b := &Batch{docs: docs, an: an, ids: make([]int64, len(docs))}
	if len(an) != len(docs) {
		b.err = fmt.Errorf("search: %d analyses for %d documents", len(an), len(docs))
	}
	for i, doc := range docs {
		id, err := rowid(doc.Kind, doc.RefID, doc.Rank)
		if err != nil && b.err == nil {
			b.err = err
		}
		b.ids[i] = id
	}
	return b
}

// Len is the number of documents in the batch.
func (b *Batch) Len() int { return len(b.docs) }

// Insert adds the batch's documents inside tx. Unlike Index it does not
// replace: a document already in the index makes it fail (the (kind,
// ref_id) key is unique), and the transaction should be rolled back.
func (b *Batch) Insert(ctx context.Context, db *store.DB, tx *sql.Tx) error {
	return b.InsertConn(ctx, db, tx, nil)
}

// InsertConn is Insert where conn is the connection tx runs on (see Tx), or
// nil. With a connection, PostgreSQL gets the documents and their postings
// with COPY inside tx; the rows are the same as Insert's.
func (b *Batch) InsertConn(ctx context.Context, db *store.DB, tx *sql.Tx, conn *sql.Conn) error {
	if b.err != nil {
		return b.err
	}
	if len(b.docs) == 0 {
		return nil
	}
	if db.Dialect() == store.Postgres && conn != nil {
		return b.copyPostgres(ctx, tx, conn)
	}
	if db.Dialect() == store.Postgres {
		err := insertRows(ctx, db.Dialect(), tx, `INSERT INTO search_docs(kind, ref_id, rank, facets, tsv) VALUES `, []string{"", "", "", "", "::tsvector"}, len(b.docs), func(i int) []any {
			d := b.docs[i]
			return []any{d.Kind.Name, d.RefID, d.Rank, facetText(d), b.an[i].tsv[0]}
		})
		if err != nil {
			return err
		}
		type part struct {
			ids, ranks []int64
			facets     []string
			ts         [][2]string
		}
		byKind := map[Kind]*part{}
		var kinds []Kind
		for i, d := range b.docs {
			p := byKind[d.Kind]
			if p == nil {
				p = &part{}
				byKind[d.Kind] = p
				kinds = append(kinds, d.Kind)
			}
			p.ids, p.ranks, p.facets = append(p.ids, d.RefID), append(p.ranks, d.Rank), append(p.facets, facetText(d))
			p.ts = append(p.ts, [2]string{b.an[i].tsv[1], b.an[i].tsv[2]})
		}
		for _, k := range kinds {
			p := byKind[k]
			if err := addPostings(ctx, tx, k, p.ids, p.ranks, p.facets, p.ts); err != nil {
				return err
			}
		}
		return nil
	}
	// In rowid order, in each of the three FTS tables: FTS5 flushes its pending terms to a new segment
	// whenever a transaction writes a rowid below the one before, and the
	// rowid leads with the rank, so documents in the order of their ids
	// (dates at random) flushed one tiny segment every other row and the
	// merges of those segments were most of an import's CPU.
	order := make([]int, len(b.docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(b.ids[x], b.ids[y]) })
	// And in as few statements as SQLite takes (bulkStatement): FTS5 also
	// flushes at the start of every statement that opens a savepoint in
	// the transaction, as a multi-row INSERT into a virtual table or with an
	// explicit rowid does, so 100 documents a statement left a segment of
	// 100 documents in each table, and merging those was again most of the
	// write.
	for _, t := range []struct {
		head string
		cols int
		row  func(i int, args []any) []any
	}{
		{`INSERT INTO search_docs(id, kind, ref_id, rank, facets) VALUES `, 5, func(i int, args []any) []any {
			d := b.docs[i]
			return append(args, b.ids[i], d.Kind.Name, d.RefID, d.Rank, facetText(d))
		}},
		{`INSERT INTO search_fts(rowid, title, keywords, body) VALUES `, 4, func(i int, args []any) []any {
			c := &b.an[i].cols
			return append(args, b.ids[i], c[0], c[1], c[2])
		}},
		{`INSERT INTO search_title(rowid, title) VALUES `, 2, func(i int, args []any) []any { return append(args, b.ids[i], b.an[i].cols[0]) }},
		{`INSERT INTO search_kw(rowid, keywords) VALUES `, 2, func(i int, args []any) []any { return append(args, b.ids[i], b.an[i].cols[1]) }},
	} {
		cols := make([]int, t.cols)
		for j := range cols {
			cols[j] = -1
		}
		err := store.InsertShared(ctx, tx, "search", t.head, cols, nil, bulkStatement(t.cols, len(b.docs)), len(b.docs), func(i int, args []any) []any {
			return t.row(order[i], args)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// maxVariables is SQLite's limit of bound values per statement
// (SQLITE_MAX_VARIABLE_NUMBER of the driver's build).
const maxVariables = 32766

// bulkStatement is how many rows of cols values each a statement of n rows
// takes on SQLite: all of them when the limit of bound values allows,
// else as many rows per statement as it allows, spread evenly.
func bulkStatement(cols, n int) int {
	per := maxVariables / cols
	stmts := (n + per - 1) / per
	return max(1, (n+stmts-1)/max(stmts, 1))
}

// insertRows is store.InsertRows for this package.
func insertRows(ctx context.Context, d store.Dialect, tx *sql.Tx, head string, casts []string, n int, row func(i int) []any) error {
	return store.InsertRows(ctx, d, tx, "search", head, casts, n, row)
}

// pgBulkIndexes are the PostgreSQL indexes that WithoutIndexes drops and
// rebuilds; their definitions are those of the migrations.
var pgBulkIndexes = []struct{ name, ddl string }{
	{"search_docs_tsv", `CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv)`},
	{"search_docs_rank", `CREATE INDEX search_docs_rank ON search_docs(kind, rank DESC, ref_id DESC) INCLUDE (facets)`},
	{"search_postings_tok", `CREATE INDEX search_postings_tok ON search_postings(kind, field, tok_id, rank DESC, ref_id DESC, pos) INCLUDE (fset)`},
}

// DeferIndexes is for a bulk load inside tx into a search index that holds
// no document of any kind (a new database): on PostgreSQL it drops the
// search tables' indexes (pgBulkIndexes) in tx and returns the function
// that builds them again in tx, to be called before the commit — one build
// over the loaded documents instead of an index kept up row by row. Until
// the commit other transactions wait for the tables (there is nothing to
// find in them yet); a rollback leaves the indexes as they were. On SQLite
// it turns FTS5's merging off in the three FTS tables (automatic merges,
// and crisis merges until a level holds 1,000 segments: 5M documents in
// batches of 5,000; FTS5 refuses a 2,001st segment), and build
// merges each into one segment and turns merging on again: merging as
// segments came (four at a time, level by level; sixteen with automerge
// off) rewrote the index once a level, where one merge at the end
// rewrites it once. With documents in the index it does nothing.
func DeferIndexes(ctx context.Context, db *store.DB, tx *sql.Tx) (build func() error, err error) {
	build = func() error { return nil }
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_docs LIMIT 1) x`).Scan(&n); err != nil {
		return nil, fmt.Errorf("search: defer indexes: %w", err)
	}
	if n > 0 {
		return build, nil
	}
	if db.Dialect() != store.Postgres {
		return deferMerges(ctx, tx)
	}
	for _, ix := range pgBulkIndexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return nil, fmt.Errorf("search: drop %s: %w", ix.name, err)
		}
	}
	return func() error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('maintenance_work_mem', '256MB', true)`); err != nil {
			return fmt.Errorf("search: index settings: %w", err)
		}
		for _, ix := range pgBulkIndexes {
			if _, err := tx.ExecContext(ctx, ix.ddl); err != nil {
				return fmt.Errorf("search: build %s: %w", ix.name, err)
			}
		}
		return nil
	}, nil
}

// ftsTables are SQLite's FTS5 tables of the index.
var ftsTables = []string{"search_fts", "search_title", "search_kw"}

// FTS5's defaults of 'automerge' and 'crisismerge' (the migrations keep
// them), and the 'crisismerge' of a first load.
const (
	ftsAutomerge       = 4
	ftsCrisismerge     = 16
	ftsBulkCrisismerge = 1000
)

// deferMerges is DeferIndexes on SQLite.
func deferMerges(ctx context.Context, tx *sql.Tx) (build func() error, err error) {
	set := func(t, k string, v int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO `+t+`(`+t+`, rank) VALUES ($1, $2)`, k, v)
		return err
	}
	for _, t := range ftsTables {
		if err := errors.Join(set(t, "automerge", 0), set(t, "crisismerge", ftsBulkCrisismerge)); err != nil {
			return nil, fmt.Errorf("search: %s merges off: %w", t, err)
		}
	}
	return func() error {
		for _, t := range ftsTables {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+t+`(`+t+`) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("search: %s optimize: %w", t, err)
			}
			if err := errors.Join(set(t, "automerge", ftsAutomerge), set(t, "crisismerge", ftsCrisismerge)); err != nil {
				return fmt.Errorf("search: %s merges on: %w", t, err)
			}
		}
		return nil
	}, nil
}

// WithoutIndexes runs load, a bulk load, with PostgreSQL's search indexes
// dropped, and builds them again afterwards (even when load fails): building
// a GIN index once is much faster than updating it row by row. Searches
// meanwhile see no index, so this is for loading a database nobody uses yet.
// On SQLite it just runs load.
func WithoutIndexes(ctx context.Context, db *store.DB, load func() error) (err error) {
	if db.Dialect() != store.Postgres {
		return load()
	}
	for _, ix := range pgBulkIndexes {
		if _, err := db.Writer().ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return fmt.Errorf("search: drop %s: %w", ix.name, err)
		}
	}
	defer func() {
		conn, cerr := db.Writer().Conn(context.WithoutCancel(ctx))
		if cerr != nil {
			err = errors.Join(err, cerr)
			return
		}
		defer conn.Close()
		conn.ExecContext(ctx, `SET maintenance_work_mem = '256MB'`)
		for _, ix := range pgBulkIndexes {
			if _, cerr := conn.ExecContext(context.WithoutCancel(ctx), ix.ddl); cerr != nil {
				err = errors.Join(err, fmt.Errorf("search: rebuild %s: %w", ix.name, cerr))
			}
		}
		conn.ExecContext(ctx, `RESET maintenance_work_mem`)
	}()
	return load()
}
