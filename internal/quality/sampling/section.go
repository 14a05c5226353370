package sampling

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/store"
)

// EnterpriseSection is the register's part of an enterprise's page: its
// published notices of failed batches (public, like the notice page).
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "产品质量监督抽查不合格公告", Public: true, Empty: "无不合格产品公告", More: "/sampling-notices"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT product, sampled_on, failed_items, outcome, notice_on, report_no FROM sampling_batches
		WHERE enterprise_id = $1 AND notice_on <> '' ORDER BY notice_on DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		var product, sampled, items, outcome, notice, report string
		if err := r.Scan(&product, &sampled, &items, &outcome, &notice, &report); err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: product, Detail: fmt.Sprintf("%s 公告：%s", notice, OutcomeLabels[outcome]),
			Fields: []enterprise.Field{{Label: "抽样日期", Value: sampled}, {Label: "不合格项目", Value: items}, {Label: "检验报告编号", Value: report}}})
		return nil
	})
	return sec, err
}
