package bizenv

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// sectionPart is one register's share of the enterprise section.
type sectionPart struct {
	roles []auth.Role
	from  string // the SELECT … FROM … with the record's columns
	dept  string // the department column the scope limits
	ent   string // the enterprise column
	item  func(*sql.Rows) (enterprise.SectionItem, error)
}

var sectionParts = []sectionPart{
	{Reviewers, `SELECT o.id, o.kind, o.measure_title, o.received_on, o.closed_on, o.result, COALESCE(d.name, '') FROM fair_oversight o LEFT JOIN departments d ON d.id = o.dept_id`,
		"o.dept_id", "o.enterprise_id", func(r *sql.Rows) (enterprise.SectionItem, error) {
			var id int64
			var kind, title, received, closed, result, dept string
			err := r.Scan(&id, &kind, &title, &received, &closed, &result, &dept)
			return enterprise.SectionItem{Label: "公平竞争审查" + OversightKinds[kind] + "：" + title, Href: fmt.Sprintf("/fair-oversight#o-%d", id), Detail: dept,
				Fields: []enterprise.Field{{Label: "受理日期", Value: received}, {Label: "处理结果", Value: cmp.Or(ResultLabels[result], "办理中")}, {Label: "办结日期", Value: closed}}}, err
		}},
	{Handlers, `SELECT c.id, c.kind, c.ref_no, c.charge, c.received_on, c.closed_on, c.outcome, COALESCE(d.name, '') FROM fee_cases c LEFT JOIN departments d ON d.id = c.dept_id`,
		"c.dept_id", "c.enterprise_id", func(r *sql.Rows) (enterprise.SectionItem, error) {
			var id int64
			var kind, ref, charge, received, closed, outcome, dept string
			err := r.Scan(&id, &kind, &ref, &charge, &received, &closed, &outcome, &dept)
			return enterprise.SectionItem{Label: FeeCaseKinds[kind] + " " + ref + "：" + charge, Href: fmt.Sprintf("/fee-cases#c-%d", id), Detail: dept,
				Fields: []enterprise.Field{{Label: "受理日期", Value: received}, {Label: "处理结果", Value: cmp.Or(outcome, "办理中")}, {Label: "办结日期", Value: closed}}}, err
		}},
}

// EnterpriseSection lists, on an enterprise's page, the fair-competition
// complaints it made and the fee complaints and cases about its charges,
// of the departments in p's scope (the records are not public). p needs a
// role that sees either register.
func (s *Service) EnterpriseSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "公平竞争举报与涉企收费投诉", Empty: "没有关联的举报、收费投诉或案件"}
	seen := false
	for _, part := range sectionParts {
		sc, err := auth.Reach(ctx, s.db.Reader(), p, part.roles...)
		if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrUnauthenticated) {
			continue
		}
		if err != nil {
			return sec, err
		}
		seen = true
		var w kit.Where
		w.Add(part.ent+" = ?", enterpriseID)
		w.Scope(sc, part.dept)
		err = store.EachRow(ctx, s.db.Reader(), part.from+w.SQL()+` ORDER BY 1 DESC LIMIT 50`, w.Values(), func(r *sql.Rows) error {
			it, err := part.item(r)
			sec.Items = append(sec.Items, it)
			return err
		})
		if err != nil {
			return sec, fmt.Errorf("bizenv: enterprise section: %w", err)
		}
	}
	if !seen {
		return sec, apperr.Forbidden("无权查看公平竞争举报与涉企收费投诉")
	}
	return sec, nil
}
