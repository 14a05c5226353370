package standards

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
)

// sectionMax bounds the lines of a section; the module's list has the rest.
const sectionMax = 50

// EnterpriseSection is the standards self-declarations' part of an
// enterprise's page (public): its current declarations, newest first.
func (s *Service) EnterpriseSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "企业标准自我声明", Public: true, Empty: "尚无公开的自我声明", More: "/declarations"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, standard_code, standard_title, declared_on, review_due FROM declarations
		WHERE enterprise_id = $1 AND status = $2 ORDER BY declared_on DESC, id DESC LIMIT `+fmt.Sprint(sectionMax),
		[]any{enterpriseID, DeclCurrent}, func(r *sql.Rows) error {
			var id int64
			var code, title, declared, due string
			if err := r.Scan(&id, &code, &title, &declared, &due); err != nil {
				return err
			}
			sec.Items = append(sec.Items, enterprise.SectionItem{Label: code + " " + title, Href: fmt.Sprintf("/declarations/%d", id),
				Fields: []enterprise.Field{{Label: "声明日期", Value: declared}, {Label: "复核期限", Value: due}}})
			return nil
		})
	if err != nil {
		return sec, fmt.Errorf("standards: enterprise section: %w", err)
	}
	return sec, nil
}
