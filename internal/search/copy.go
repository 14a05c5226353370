package search

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"sidi/internal/store"
)

// Tx runs fn in a write transaction, as store.DB.Tx does (committed when fn
// returns nil, rolled back otherwise), begun on a connection of the writer
// pool held for it; fn gets that connection too, for Batch.InsertConn.
// Statements run through tx; the connection is only for COPY, which
// database/sql cannot issue.
func Tx(ctx context.Context, db *store.DB, fn func(tx *sql.Tx, conn *sql.Conn) error) (err error) {
	start := time.Now()
	conn, err := db.Writer().Conn(ctx)
	if err != nil {
		db.Observer().WriteWait(time.Since(start))
		return fmt.Errorf("search: connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	db.Observer().WriteWait(time.Since(start))
	if err != nil {
		return fmt.Errorf("search: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx, conn); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("search: commit: %w", err)
	}
	return nil
}

// copyPostgres writes the batch with two COPYs on conn, inside tx: the
// documents into search_docs, then the title and keyword postings into
// search_postings, computed here from the same analysis as the vectors
// (addPostings expands the vectors in the database instead; the rows are
// the same). The postings go in the order of their index, so that the
// B-tree's inserts walk its pages once instead of at random.
func (b *Batch) copyPostgres(ctx context.Context, tx *sql.Tx, conn *sql.Conn) error {
	// The GIN index on the vectors takes new entries into its pending list
	// and merges the list into the index once it passes the limit; for a
	// bulk batch, a list of a few batches and the memory to sort it merge
	// in fewer, larger passes. For this transaction only: FlushPending
	// merges what is left after the load.
	if _, err := tx.ExecContext(ctx, `SELECT set_config('gin_pending_list_limit', $1, true), set_config('work_mem', $2, true)`, bulkPendingLimit, bulkWorkMem); err != nil {
		return fmt.Errorf("search: bulk settings: %w", err)
	}
	// The facet label sets, each stored once, and their ids.
	var labels []string
	seen := map[string]bool{}
	for _, d := range b.docs {
		if f := facetText(d); !seen[f] {
			seen[f] = true
			labels = append(labels, f)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_facets(facets) SELECT DISTINCT unnest($1::text[]) ON CONFLICT (facets) DO NOTHING`, labels); err != nil {
		return fmt.Errorf("search: bulk facets: %w", err)
	}
	fset := make(map[string]int64, len(labels))
	rows, err := tx.QueryContext(ctx, `SELECT id, facets FROM search_facets WHERE facets = ANY($1::text[])`, labels)
	if err != nil {
		return fmt.Errorf("search: bulk facets: %w", err)
	}
	for rows.Next() {
		var id int64
		var f string
		if err := rows.Scan(&id, &f); err != nil {
			rows.Close()
			return fmt.Errorf("search: bulk facets: %w", err)
		}
		fset[f] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: bulk facets: %w", err)
	}

	var buf []byte
	for i, d := range b.docs {
		buf = appendCopy(buf, d.Kind.Name)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, d.RefID, 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, d.Rank, 10)
		buf = append(buf, '\t')
		buf = appendCopy(buf, facetText(d))
		buf = append(buf, '\t')
		buf = appendCopy(buf, b.an[i].tsv[0])
		buf = append(buf, '\n')
	}
	if err := copyFrom(ctx, conn, `COPY search_docs(kind, ref_id, rank, facets, tsv) FROM STDIN`, buf); err != nil {
		return fmt.Errorf("search: bulk documents: %w", err)
	}

	// The batch's tokens, each with its id in search_tokens.
	tokID, err := tokenIDs(ctx, tx, b.an)
	if err != nil {
		return err
	}

	// One row per posting, in the order of the index: kind, field, token,
	// rank DESC, ref_id DESC, pos. The documents are put in (kind, rank
	// DESC, ref_id DESC) order and their postings dealt into one list per
	// (kind, field, token) in that order — a document's postings of one
	// token are in ascending positions already — so only the distinct keys
	// need sorting. (The order only saves work.)
	order := make([]int, len(b.docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		a, c := b.docs[x], b.docs[y]
		return cmp.Or(cmp.Compare(a.Kind.Code, c.Kind.Code), cmp.Compare(c.Rank, a.Rank), cmp.Compare(c.RefID, a.RefID))
	})
	type key struct {
		kind  int64
		field byte
		tok   int64
	}
	type row struct {
		rank, refID, fset int64
		pos               int
	}
	lists := map[key][]row{}
	for _, i := range order {
		d := b.docs[i]
		k, f := d.Kind.Code, fset[facetText(d)]
		for _, p := range b.an[i].posts {
			kk := key{k, p.weight, tokID[p.tok]}
			lists[kk] = append(lists[kk], row{d.Rank, d.RefID, f, p.pos})
		}
	}
	keys := make([]key, 0, len(lists))
	for k := range lists {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c key) int {
		return cmp.Or(cmp.Compare(a.kind, c.kind), cmp.Compare(a.field, c.field), cmp.Compare(a.tok, c.tok))
	})
	buf = buf[:0]
	for _, k := range keys {
		for _, r := range lists[k] {
			buf = strconv.AppendInt(buf, r.refID, 10)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, r.rank, 10)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, r.fset, 10)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, k.kind, 10)
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, int64(r.pos), 10)
			buf = append(buf, '\t', k.field, '\t')
			buf = strconv.AppendInt(buf, k.tok, 10)
			buf = append(buf, '\n')
		}
	}
	if err := copyFrom(ctx, conn, `COPY search_postings(ref_id, rank, fset, kind, pos, field, tok_id) FROM STDIN`, buf); err != nil {
		return fmt.Errorf("search: bulk postings: %w", err)
	}
	return nil
}

// tokenIDs adds the title and keyword tokens of an that search_tokens
// lacks and returns the id of each.
func tokenIDs(ctx context.Context, tx *sql.Tx, an []Analysis) (map[string]int64, error) {
	ids := map[string]int64{}
	for i := range an {
		for _, p := range an[i].posts {
			ids[p.tok] = 0
		}
	}
	toks := slices.Sorted(maps.Keys(ids))
	if _, err := tx.ExecContext(ctx, addTokens, toks); err != nil {
		return nil, fmt.Errorf("search: bulk tokens: %w", err)
	}
	err := store.EachRow(ctx, tx, `SELECT id, tok FROM search_tokens WHERE tok = ANY($1::text[])`, []any{toks}, func(r *sql.Rows) error {
		var id int64
		var t string
		err := r.Scan(&id, &t)
		ids[t] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: bulk tokens: %w", err)
	}
	return ids, nil
}

// copyFrom is store.CopyFrom.
func copyFrom(ctx context.Context, conn *sql.Conn, q string, data []byte) error {
	return store.CopyFrom(ctx, conn, q, data)
}

// appendCopy is store.AppendCopy.
func appendCopy(buf []byte, s string) []byte { return store.AppendCopy(buf, s) }

// Settings of a bulk batch's transaction on PostgreSQL (see copyPostgres).
const (
	bulkPendingLimit = "65536"  // kB
	bulkWorkMem      = "131072" // kB
)

// FlushPending merges PostgreSQL's GIN pending list of the search vectors
// into the index, after a bulk load whose batches let it grow (searches
// scan the whole list until then). Nothing on SQLite.
func FlushPending(ctx context.Context, db *store.DB) error {
	if db.Dialect() != store.Postgres {
		return nil
	}
	conn, err := db.Writer().Conn(ctx)
	if err != nil {
		return fmt.Errorf("search: flush pending: %w", err)
	}
	defer conn.Close()
	// Only the index's owner may clean its list; another role leaves it to
	// autovacuum rather than fail an import that has committed.
	if _, err := conn.ExecContext(ctx, `SELECT set_config('work_mem', $1, false), gin_clean_pending_list(c.oid) FROM pg_class c
		WHERE c.oid = 'search_docs_tsv'::regclass AND pg_has_role(c.relowner, 'USAGE')`, bulkWorkMem); err != nil {
		return fmt.Errorf("search: flush pending: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `RESET work_mem`); err != nil {
		return fmt.Errorf("search: flush pending: %w", err)
	}
	return nil
}
