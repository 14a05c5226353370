package patent

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"sidi/internal/search"
	"sidi/internal/store"
)

// SearchKind is the kind of invention patents in the search index.
const SearchKind = "patent"

// SearchSource makes the patents searchable with the shared Chinese index
// (title as title; holder and number as keywords; the award as body),
// indexed after their writes like the trademark catalogue (search.Drain).
func (s *Service) SearchSource() search.Source {
	return search.Source{Kind: SearchKind, Docs: s.searchDocs}
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *Service) searchDocs(ctx context.Context, q store.Querier, ids []int64) ([]search.Doc, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var docs []search.Doc
	err := store.EachRow(ctx, q, `SELECT id, number, title, holder, award, granted_on FROM patents WHERE id IN `+store.Placeholders(s.db.Dialect(), 1, len(ids)), args, func(r *sql.Rows) error {
		var d search.Doc
		var number, holder, on string
		if err := r.Scan(&d.RefID, &number, &d.Title, &holder, &d.Body, &on); err != nil {
			return err
		}
		d.Kind = SearchKind
		if t, err := time.Parse("2006-01-02", on); err == nil && t.After(epoch) {
			d.Rank = min(int64(t.Sub(epoch).Hours()/24), search.MaxRank)
		}
		d.Keywords = strings.TrimSpace(holder + " " + number)
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("patent: search documents: %w", err)
	}
	return docs, nil
}
