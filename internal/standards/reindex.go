package standards

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/search"
	"sidi/internal/store"
)

// ensureIndex rebuilds the search index once per process when it does not
// hold exactly the public records (after the migration that changed the
// index layout, or an interrupted bulk load).
func (s *Service) ensureIndex(ctx context.Context) error {
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idxOK {
		return nil
	}
	var recs, docs int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM standards WHERE status <> 'project'), (SELECT COUNT(*) FROM search_docs WHERE kind = $1)`, searchKind).Scan(&recs, &docs); err != nil {
		return fmt.Errorf("standards: check the search index: %w", err)
	}
	if recs != docs {
		if _, err := s.Reindex(ctx); err != nil {
			return err
		}
	}
	s.idxOK = true
	return nil
}

// Reindex rebuilds the search index of the registry from the records and
// returns how many it indexed.
func (s *Service) Reindex(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := search.RemoveKind(ctx, s.db, tx, searchKind); err != nil {
			return err
		}
		const chunk = 2000
		for last := int64(0); ; {
			var sts []Standard
			err := store.EachRow(ctx, tx, `SELECT `+stdColumns+` FROM standards WHERE id > $1 ORDER BY id LIMIT $2`, []any{last, chunk}, func(r *sql.Rows) error {
				st, err := s.scanStandard(r)
				sts = append(sts, st)
				return err
			})
			if err != nil || len(sts) == 0 {
				return err
			}
			lo, hi := sts[0].ID, sts[len(sts)-1].ID
			last = hi
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
				return err
			}
			err = store.EachRow(ctx, tx, `SELECT standard_id, target FROM standard_relations WHERE kind = 'replaces' AND standard_id BETWEEN $1 AND $2 ORDER BY standard_id, target_key`, []any{lo, hi}, func(r *sql.Rows) error {
				var id int64
				var rel Relation
				err := r.Scan(&id, &rel.Code)
				at[id].Replaces = append(at[id].Replaces, rel)
				return err
			})
			if err != nil {
				return err
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
			if err := search.NewBatch(s.db.Dialect(), docs).Insert(ctx, s.db, tx); err != nil {
				return err
			}
			n += len(docs)
		}
	})
	return n, err
}

// reindexOne rewrites the search document of one record inside tx.
func (s *Service) reindexOne(ctx context.Context, tx *sql.Tx, id int64) error {
	st, err := s.getTx(ctx, tx, id)
	if err != nil {
		return err
	}
	r, _ := s.validate(InputOf(st))
	if st.Status == StatusProject {
		return search.Remove(ctx, s.db, tx, searchKind, id)
	}
	return search.Index(ctx, s.db, tx, searchDoc(id, r))
}
