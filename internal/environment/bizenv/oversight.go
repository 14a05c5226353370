package bizenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// OversightKinds name spot checks (抽查, art. 21) and complaints (举报, art. 22).
var OversightKinds = map[string]string{"spotcheck": "抽查", "complaint": "举报"}

// ResultLabels name the outcomes of a spot check or complaint.
var ResultLabels = map[string]string{"compliant": "未发现问题", "rectify": "督促整改", "unfounded": "举报不实"}

// HandleDays is the handling time a complaint should keep to (days), a
// configurable working figure [verify]: the regulation leaves the time to
// implementing rules, so the list shows the days taken against it.
const HandleDays = 30

// Oversight is a spot check or a complaint about a measure.
type Oversight struct {
	ID           int64  `json:"id"`
	DeptID       int64  `json:"dept_id"`
	DeptName     string `json:"dept_name"`
	Kind         string `json:"kind"`
	MeasureTitle string `json:"measure_title"`
	MeasureID    int64  `json:"measure_id,omitempty"`
	Source       string `json:"source"`
	// CreditCode is the complaining enterprise's (optional; linked to the
	// enterprise directory).
	CreditCode string `json:"credit_code,omitempty"`
	Content    string `json:"content"`
	ReceivedOn string `json:"received_on"`
	ClosedOn   string `json:"closed_on"`
	Result     string `json:"result"`
	ResultNote string `json:"result_note"`
	Demo       bool   `json:"demo"`
	// Days is the handling time: to the closing day, or to today while open.
	Days    int  `json:"days"`
	Overdue bool `json:"overdue"`
}

const oversightCols = `o.id, o.dept_id, COALESCE(d.name, ''), o.kind, o.measure_title, COALESCE(o.measure_id, 0), o.source, o.content, o.received_on, o.closed_on, o.result, o.result_note, o.demo, o.credit_code`

func (s *Service) scanOversight(sc interface{ Scan(...any) error }) (Oversight, error) {
	var o Oversight
	var demo int
	err := sc.Scan(&o.ID, &o.DeptID, &o.DeptName, &o.Kind, &o.MeasureTitle, &o.MeasureID, &o.Source, &o.Content, &o.ReceivedOn, &o.ClosedOn, &o.Result, &o.ResultNote, &demo, &o.CreditCode)
	o.Demo = demo == 1
	end := o.ClosedOn
	if end == "" {
		end = s.today()
	}
	o.Days = daysBetween(o.ReceivedOn, end)
	o.Overdue = o.Kind == "complaint" && o.Days > HandleDays
	return o, err
}

func daysBetween(a, b string) int {
	ta, e1 := time.Parse(time.DateOnly, a)
	tb, e2 := time.Parse(time.DateOnly, b)
	if e1 != nil || e2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// Oversights lists spot checks and complaints in p's scope, open ones first.
func (s *Service) Oversights(ctx context.Context, p auth.Principal, kind string) ([]Oversight, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Reviewers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "o.dept_id")
	if kind != "" {
		if OversightKinds[kind] == "" {
			return nil, apperr.Invalid("类型“%s”无法识别", kit.Clip(kind))
		}
		w.Add("o.kind = ?", kind)
	}
	var out []Oversight
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+oversightCols+` FROM fair_oversight o LEFT JOIN departments d ON d.id = o.dept_id`+w.SQL()+
		` ORDER BY CASE WHEN o.closed_on = '' THEN 0 ELSE 1 END, o.received_on DESC, o.id DESC LIMIT 1000`, w.Values(), func(r *sql.Rows) error {
		o, err := s.scanOversight(r)
		out = append(out, o)
		return err
	})
	return out, err
}

func (s *Service) oversightByID(ctx context.Context, q store.Querier, id int64) (Oversight, error) {
	o, err := s.scanOversight(q.QueryRowContext(ctx, `SELECT `+oversightCols+` FROM fair_oversight o LEFT JOIN departments d ON d.id = o.dept_id WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Oversight{}, apperr.NotFound("记录 %d 不存在", id)
	}
	return o, err
}

// CreateOversight registers a spot check or complaint in a department of
// p's scope; MeasureID, when set, must be a measure in that scope.
func (s *Service) CreateOversight(ctx context.Context, p auth.Principal, o Oversight) (Oversight, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Reviewers...)
	if err != nil {
		return Oversight{}, err
	}
	var errs kit.Errors
	if OversightKinds[o.Kind] == "" {
		errs.Add("kind", "类型须为抽查或举报")
	}
	o.MeasureTitle = kit.Text(&errs, "measure_title", "政策措施名称", o.MeasureTitle, 200, true)
	o.Source = kit.Text(&errs, "source", map[bool]string{true: "举报人", false: "抽查单位"}[o.Kind == "complaint"], o.Source, 100, true)
	o.CreditCode = creditCode(&errs, "credit_code", map[bool]string{true: "举报企业统一社会信用代码", false: "被抽查单位统一社会信用代码"}[o.Kind == "complaint"], o.CreditCode)
	o.Content = kit.Text(&errs, "content", "内容", o.Content, 2000, true)
	o.ReceivedOn = s.day(&errs, "received_on", "受理日期", o.ReceivedOn, true)
	if err := errs.Err(); err != nil {
		return Oversight{}, err
	}
	var measure, ent any // the measure reviewed, the enterprise in the directory
	return s.oversights().Save(ctx, kit.Write[Oversight]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Oversight) (err error) {
			if err := kit.DeptIn(ctx, tx, sc, o.DeptID, "部门"); err != nil {
				return err
			}
			if o.MeasureID != 0 {
				m, err := s.loadMeasure(ctx, tx, o.MeasureID)
				if err != nil || !sc.Allows(m.DeptID) {
					return kit.Errors{{Field: "measure_id", Msg: "关联的政策措施不存在或不在您的数据范围内"}}
				}
				measure = o.MeasureID
			}
			ent, err = s.ensureEnterprise(ctx, tx, p, o.CreditCode, o.Source, o.Demo)
			return err
		},
		Exec: func(tx *sql.Tx, _ Oversight) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO fair_oversight(dept_id, kind, measure_title, measure_id, source, content, received_on, closed_on, result, result_note, demo, created_at, updated_at, credit_code, enterprise_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', '', $8, $9, $9, $10, $11) RETURNING id`, o.DeptID, o.Kind, o.MeasureTitle, measure, o.Source, o.Content, o.ReceivedOn, store.BoolInt(o.Demo), s.stamp(), o.CreditCode, ent).Scan(&id)
			return id, err
		}})
}

// oversights is the kit's write skeleton for spot checks and complaints:
// one outside the caller's scope does not exist.
func (s *Service) oversights() kit.Spec[Oversight] {
	return kit.Spec[Oversight]{DB: s.db, Entity: "fair_oversight", Noun: "记录", Load: s.oversightByID,
		Dept: func(o Oversight) int64 { return o.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("记录 %d 不存在", id) }}
}

// CloseOversight records the outcome of a spot check or complaint.
func (s *Service) CloseOversight(ctx context.Context, p auth.Principal, id int64, result, note, on string) (Oversight, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Reviewers...)
	if err != nil {
		return Oversight{}, err
	}
	var errs kit.Errors
	if ResultLabels[result] == "" {
		errs.Add("result", "请选择处理结果")
	}
	note = kit.Text(&errs, "result_note", "处理情况", note, 2000, true)
	if strings.TrimSpace(on) == "" {
		on = s.today()
	}
	on = s.day(&errs, "closed_on", "办结日期", on, true)
	if err := errs.Err(); err != nil {
		return Oversight{}, err
	}
	return s.oversights().Save(ctx, kit.Write[Oversight]{By: p.Actor(), Scope: &sc, ID: id, Action: "close",
		Check: func(_ *sql.Tx, before Oversight) error {
			if err := closable("记录", before.ClosedOn, before.ReceivedOn, on); err != nil {
				return err
			}
			if result == "unfounded" && before.Kind != "complaint" {
				return kit.Errors{{Field: "result", Msg: "抽查的结果不能是“举报不实”"}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Oversight) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE fair_oversight SET closed_on = $1, result = $2, result_note = $3, updated_at = $4 WHERE id = $5`, on, result, note, s.stamp(), id)
			return id, err
		}})
}
