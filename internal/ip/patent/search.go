package patent

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/search"
	"sidi/internal/store"
)

// SearchKind is the kind of invention patents in the search index; its
// code is stored (see search.Kind) and must never change.
var SearchKind = search.Kind{Name: "patent", Code: 24}

// SearchSource makes the patents searchable with the shared Chinese index
// (title as title; holder and number as keywords; the award as body),
// indexed after their writes like the trademark catalogue (search.Drain).
func (s *Service) SearchSource() search.Source {
	return search.Source{Kind: SearchKind, Docs: s.searchDocs}
}

func (s *Service) searchDocs(ctx context.Context, q store.Querier, ids []int64) ([]search.Doc, error) {
	var docs []search.Doc
	err := store.EachRow(ctx, q, `SELECT id, number, title, holder, award, granted_on FROM patents WHERE id IN `+store.Placeholders(s.db.Dialect(), 1, len(ids)), store.Args(ids), func(r *sql.Rows) error {
		var d search.Doc
		var number, holder, on string
		if err := r.Scan(&d.RefID, &number, &d.Title, &holder, &d.Body, &on); err != nil {
			return err
		}
		d.Kind = SearchKind
		d.Rank = search.DayRank(on)
		d.Keywords = strings.TrimSpace(holder + " " + number)
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("patent: search documents: %w", err)
	}
	return docs, nil
}
