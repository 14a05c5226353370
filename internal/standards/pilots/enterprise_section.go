package pilots

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
)

// PilotsSection is the pilots' part of an enterprise's page (public): the
// approved pilots it undertakes.
func (s *Service) PilotsSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "标准化试点", Public: true, Empty: "尚无承担的标准化试点", More: "/pilots"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, name, level, stage, approved_on FROM pilots
		WHERE org_id = $1 AND approved_on <> '' ORDER BY approved_on DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		var id int64
		var name, level, stage, approved string
		if err := r.Scan(&id, &name, &level, &stage, &approved); err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: name, Href: fmt.Sprintf("/pilots/%d", id), Detail: LevelLabels[level],
			Fields: []enterprise.Field{{Label: "环节", Value: StageLabels[stage]}, {Label: "批准日期", Value: approved}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("pilots: enterprise section: %w", err)
	}
	return sec, nil
}

// RewardsSection is the standard rewards' part of an enterprise's page
// (public): the rewards in force.
func (s *Service) RewardsSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "标准奖励", Public: true, Empty: "尚无标准奖励", More: "/projects"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT standard_code, level, role, amount_fen, awarded_on FROM standard_rewards
		WHERE enterprise_id = $1 AND status = 'active' ORDER BY awarded_on DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		var code, level, role, awarded string
		var fen int64
		if err := r.Scan(&code, &level, &role, &fen, &awarded); err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: code, Detail: label(RewardLevels, level) + " · " + label(RewardRoles, role),
			Fields: []enterprise.Field{{Label: "金额（元）", Value: FormatFen(fen)}, {Label: "奖励日期", Value: awarded}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("pilots: enterprise section: %w", err)
	}
	return sec, nil
}
