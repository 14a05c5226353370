package awards

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
)

// EnterpriseSection is the register's part of an enterprise's page
// (public): the quality awards and nominations it received and its
// QC-circle results and activities. Applications still under review or
// not awarded, and every score, stay off it.
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "质量奖与质量活动", Public: true, Empty: "没有以该统一社会信用代码登记的质量奖或质量小组成果", More: "/quality-awards"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+appCols+` FROM quality_award_applications WHERE enterprise_id = $1 AND result IN ($2, $3) ORDER BY year DESC LIMIT 50`,
		[]any{enterpriseID, ResultAwarded, ResultNominated}, func(r *sql.Rows) error {
			a, err := scanApplication(r)
			if err != nil {
				return err
			}
			sidi := "否"
			if a.ServesSidi {
				sidi = "是：" + a.SidiField
			}
			sec.Items = append(sec.Items, enterprise.SectionItem{Label: strconv.Itoa(a.Year) + " 年青海省质量奖" + map[string]string{ResultAwarded: "", ResultNominated: "提名奖"}[a.Result], Href: "/quality-awards?year=" + strconv.Itoa(a.Year),
				Fields: []enterprise.Field{{Label: "结果", Value: a.ResultLabel}, {Label: "授奖日期", Value: a.AwardedOn}, {Label: "服务“四地”建设", Value: sidi}}})
			return nil
		})
	if err != nil {
		return sec, fmt.Errorf("awards: enterprise section: %w", err)
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+activityCols+` FROM quality_activities WHERE enterprise_id = $1 ORDER BY held_on DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		a, err := scanActivity(r)
		if err != nil {
			return err
		}
		award := a.Award
		if award == "" {
			award = "—"
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: a.Title, Href: "/quality-zones", Detail: a.KindLabel,
			Fields: []enterprise.Field{{Label: "年度", Value: strconv.Itoa(a.Year)}, {Label: "领域", Value: a.Field}, {Label: "奖项", Value: award}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("awards: enterprise section: %w", err)
	}
	return sec, nil
}
