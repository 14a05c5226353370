package trademark

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/search"
	"sidi/internal/store"
)

// SearchKind is the kind of the catalogue's marks in the search index; its
// code is stored (see search.Kind) and must never change.
var SearchKind = search.Kind{Name: "trademark", Code: 23}

// SearchSource makes the marks searchable with the shared Chinese index:
// a mark's name is the title; its owner, registration number and Madrid
// number the keywords; its classes the body. Writes only list the marks
// (search.Enqueue), so that a monthly extract of a million rows imports at
// the register's own speed; search.Drain indexes them afterwards (the
// server in the background, `sidi import` before it exits), and Search
// reads the marks still waiting by their text meanwhile.
func (s *Service) SearchSource() search.Source {
	return search.Source{Kind: SearchKind, Docs: s.searchDocs}
}

func (s *Service) searchDocs(ctx context.Context, q store.Querier, ids []int64) ([]search.Doc, error) {
	var docs []search.Doc
	err := store.EachRow(ctx, q, `SELECT id, reg_no, name, owner, madrid_no, classes, registered_on FROM trademarks WHERE id IN `+store.Placeholders(s.db.Dialect(), 1, len(ids)), store.Args(ids), func(r *sql.Rows) error {
		var d search.Doc
		var regNo, owner, madrid, classes, on string
		if err := r.Scan(&d.RefID, &regNo, &d.Title, &owner, &madrid, &classes, &on); err != nil {
			return err
		}
		d.Kind = SearchKind
		d.Rank = search.DayRank(on)
		d.Keywords = strings.TrimSpace(owner + " " + regNo + " " + madrid)
		if classes != "" {
			d.Body = "第" + strings.ReplaceAll(classes, ";", "类 第") + "类"
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("trademark: search documents: %w", err)
	}
	return docs, nil
}
