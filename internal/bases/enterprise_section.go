package bases

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
)

// EnterpriseSection is the bases register's part of an enterprise's page
// (public, as the register is): the bases it operates.
func (s *Service) EnterpriseSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "标准化生产基地", Public: true, Empty: "未登记为基地的经营主体", More: "/bases"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT b.id, b.name, b.kind, b.status, ct.name, b.scale FROM bases b JOIN departments ct ON ct.id = b.county_id
		WHERE b.operator_id = $1 ORDER BY b.name, b.id LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		var id int64
		var name, kind, status, county string
		var scale int
		if err := r.Scan(&id, &name, &kind, &status, &county, &scale); err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: name, Href: fmt.Sprintf("/bases/%d", id), Detail: KindLabels[kind],
			Fields: []enterprise.Field{{Label: "所在县", Value: county}, {Label: "状态", Value: StatusLabels[status]}, {Label: "规模", Value: fmt.Sprint(scale)}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("bases: enterprise section: %w", err)
	}
	return sec, nil
}
