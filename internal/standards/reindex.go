package standards

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/search"
	"sidi/internal/store"
)

// Layouts of the search documents (see migration 0010): raise one when
// searchDoc or declDoc puts a field elsewhere, so that databases indexed by
// an earlier release are rebuilt at start.
// The version also rises when the search package changes what it stores
// for a document (search.Layout).
const (
	stdLayout  = 1 + search.Layout
	declLayout = 2 + search.Layout // 2: indicator names are keywords (they were body text)
)

// EnsureIndex rebuilds the search documents of a kind when they do not
// hold exactly its public records (an interrupted bulk load) or were built
// with another layout (a database of an earlier release). It runs once,
// when the server or the command line opens the database (services.New
// calls it), never on a request: a search of a stale index answers from
// what is there. Later calls in the same process return at once.
func (s *Service) EnsureIndex(ctx context.Context) error {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idxOK {
		return nil
	}
	kinds := []struct {
		kind    search.Kind
		version int
		records string
		rebuild func(context.Context) (int, error)
	}{
		{SearchKind, stdLayout, `SELECT COUNT(*) FROM standards WHERE status <> 'project'`, s.Reindex},
		{DeclSearchKind, declLayout, `SELECT COUNT(*) FROM declarations WHERE status = '` + DeclCurrent + `'`, s.ReindexDeclarations},
	}
	for _, k := range kinds {
		stale, err := s.staleIndex(ctx, k.kind, k.version, k.records)
		if err != nil {
			return err
		}
		if stale {
			if _, err := k.rebuild(ctx); err != nil {
				return err
			}
		}
	}
	s.idxOK = true
	return nil
}

// staleIndex reports whether the documents of kind differ in number from
// its public records or follow another layout than version.
func (s *Service) staleIndex(ctx context.Context, kind search.Kind, version int, records string) (bool, error) {
	var recs, docs, v int
	err := s.db.Reader().QueryRowContext(ctx, `SELECT (`+records+`), (SELECT COUNT(*) FROM search_docs WHERE kind = $1),
		COALESCE((SELECT version FROM search_layout WHERE kind = $1), 0)`, kind.Name).Scan(&recs, &docs, &v)
	if err != nil {
		return false, fmt.Errorf("standards: check the search index: %w", err)
	}
	return recs != docs || v != version, nil
}

// setLayout records inside tx that kind's documents follow layout version.
func setLayout(ctx context.Context, tx *sql.Tx, kind search.Kind, version int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO search_layout(kind, version) VALUES ($1, $2) ON CONFLICT (kind) DO UPDATE SET version = excluded.version`, kind.Name, version)
	if err != nil {
		return fmt.Errorf("standards: search layout: %w", err)
	}
	return nil
}

// rebuild replaces the search documents of kind in one transaction,
// records its layout version, and adds the documents chunk returns for the
// records after id last (in id order) until it returns none.
func (s *Service) rebuild(ctx context.Context, kind search.Kind, version int, chunk func(tx *sql.Tx, last int64) (docs []search.Doc, next int64, err error)) (int, error) {
	n := 0
	err := search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
		if err := search.RemoveKind(ctx, s.db, tx, kind); err != nil {
			return err
		}
		if err := setLayout(ctx, tx, kind, version); err != nil {
			return err
		}
		for last := int64(0); ; {
			docs, next, err := chunk(tx, last)
			if err != nil || next == last {
				return err
			}
			if err := search.NewBatch(s.db.Dialect(), docs).InsertConn(ctx, s.db, tx, conn); err != nil {
				return err
			}
			n += len(docs)
			last = next
		}
	})
	if err != nil {
		return 0, fmt.Errorf("standards: reindex %s: %w", kind, err)
	}
	return n, nil
}

// reindexChunk is the number of records read at a time by a rebuild.
const reindexChunk = 2000

// ReindexDeclarations rebuilds the search documents of the current
// declarations and returns how many it indexed.
func (s *Service) ReindexDeclarations(ctx context.Context) (int, error) {
	return s.rebuild(ctx, DeclSearchKind, declLayout, func(tx *sql.Tx, last int64) ([]search.Doc, int64, error) {
		var ds []Declaration
		err := store.EachRow(ctx, tx, `SELECT `+declColumns+` FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id
			WHERE d.status = $1 AND d.id > $2 ORDER BY d.id LIMIT $3`, []any{DeclCurrent, last, reindexChunk}, func(r *sql.Rows) error {
			d, err := s.scanDecl(r)
			ds = append(ds, d)
			return err
		})
		if err != nil || len(ds) == 0 {
			return nil, last, err
		}
		ptrs := make([]*Declaration, len(ds))
		for i := range ds {
			ptrs[i] = &ds[i]
		}
		if err := s.declParts(ctx, tx, ptrs); err != nil {
			return nil, last, err
		}
		docs := make([]search.Doc, len(ds))
		for i, d := range ds {
			docs[i] = declDoc(d)
		}
		return docs, ds[len(ds)-1].ID, nil
	})
}

// Reindex rebuilds the search index of the registry from the records and
// returns how many it indexed.
func (s *Service) Reindex(ctx context.Context) (int, error) {
	return s.rebuild(ctx, SearchKind, stdLayout, func(tx *sql.Tx, last int64) ([]search.Doc, int64, error) {
		return s.docChunk(ctx, tx, last)
	})
}

// EachSearchDoc calls fn with the search document of every public record
// in id order, as Reindex builds them, reading in one read transaction.
func (s *Service) EachSearchDoc(ctx context.Context, fn func(search.Doc) error) error {
	tx, err := s.db.Reader().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("standards: search documents: %w", err)
	}
	defer tx.Rollback()
	for last := int64(0); ; {
		docs, next, err := s.docChunk(ctx, tx, last)
		if err != nil || next == last {
			return err
		}
		for _, d := range docs {
			if err := fn(d); err != nil {
				return err
			}
		}
		last = next
	}
}

// docChunk reads the records after id last (at most reindexChunk, in id
// order) and returns the search documents of the public ones and the last
// id read (last when there are none).
func (s *Service) docChunk(ctx context.Context, tx *sql.Tx, last int64) ([]search.Doc, int64, error) {
	var sts []Standard
	err := store.EachRow(ctx, tx, `SELECT `+stdColumns+` FROM standards WHERE id > $1 ORDER BY id LIMIT $2`, []any{last, reindexChunk}, func(r *sql.Rows) error {
		st, err := s.scanStandard(r)
		sts = append(sts, st)
		return err
	})
	if err != nil || len(sts) == 0 {
		return nil, last, err
	}
	lo, hi := sts[0].ID, sts[len(sts)-1].ID
	at := map[int64]*Standard{}
	for i := range sts {
		at[sts[i].ID] = &sts[i]
	}
	err = store.EachRow(ctx, tx, `SELECT standard_id, tag FROM standard_tags WHERE standard_id BETWEEN $1 AND $2 ORDER BY standard_id, tag`, []any{lo, hi}, func(r *sql.Rows) error {
		var id int64
		var t string
		err := r.Scan(&id, &t)
		at[id].Tags = append(at[id].Tags, t)
		return err
	})
	if err != nil {
		return nil, last, err
	}
	err = store.EachRow(ctx, tx, `SELECT standard_id, target FROM standard_relations WHERE kind = 'replaces' AND standard_id BETWEEN $1 AND $2 ORDER BY standard_id, target_key`, []any{lo, hi}, func(r *sql.Rows) error {
		var id int64
		var rel Relation
		err := r.Scan(&id, &rel.Code)
		at[id].Replaces = append(at[id].Replaces, rel)
		return err
	})
	if err != nil {
		return nil, last, err
	}
	var docs []search.Doc
	for _, st := range sts {
		if st.Status == StatusProject {
			continue
		}
		// Stored records were validated when written; the record
		// is rebuilt the same way to give the same document.
		r, _ := s.validate(InputOf(st))
		docs = append(docs, searchDoc(st.ID, r))
	}
	return docs, hi, nil
}

// reindexOne rewrites the search document of one record inside tx.
func (s *Service) reindexOne(ctx context.Context, tx *sql.Tx, id int64) error {
	st, err := s.getTx(ctx, tx, id)
	if err != nil {
		return err
	}
	r, _ := s.validate(InputOf(st))
	if st.Status == StatusProject {
		return search.Remove(ctx, s.db, tx, SearchKind, id)
	}
	return search.Index(ctx, s.db, tx, searchDoc(id, r))
}
