package protect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Request kinds.
const (
	AssistKind    = "assist"    // 维权援助
	MediationKind = "mediation" // 纠纷调解
)

// AssistKindLabels are the request kinds' Chinese names.
var AssistKindLabels = map[string]string{AssistKind: "维权援助", MediationKind: "纠纷调解"}

// OutcomeLabels are the outcomes of a closed request.
var OutcomeLabels = map[string]string{"assisted": "已提供援助", "settled": "调解成功", "failed": "调解不成", "withdrawn": "申请人撤回", "refused": "不予受理"}

// DefaultDueDays is the deadline given when a request names none: the
// practice of the 知识产权维权援助 centres is to answer within a month and
// to close a mediation within 60 days [practice; a department may set
// its own in the request].
var DefaultDueDays = map[string]int{AssistKind: 30, MediationKind: 60}

// Assist is a rights-assistance or mediation request.
type Assist struct {
	ID          int64  `json:"id"`
	ReqNo       string `json:"req_no"`
	Kind        string `json:"kind"`
	DeptID      int64  `json:"dept_id"`
	Applicant   string `json:"applicant"`
	Respondent  string `json:"respondent"`
	Matter      string `json:"matter"`
	ReceivedOn  string `json:"received_on"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"` // open | closed
	Outcome     string `json:"outcome"`
	OutcomeNote string `json:"outcome_note"`
	ClosedOn    string `json:"closed_on"`
	Overdue     bool   `json:"overdue"` // open past its deadline, or closed after it
	Demo        bool   `json:"demo"`
}

const assistCols = `id, req_no, kind, dept_id, applicant, respondent, matter, received_on, due_on, status, outcome, outcome_note, closed_on, demo`

func (s *Service) scanAssist(sc interface{ Scan(...any) error }) (Assist, error) {
	var a Assist
	var demo int
	err := sc.Scan(&a.ID, &a.ReqNo, &a.Kind, &a.DeptID, &a.Applicant, &a.Respondent, &a.Matter, &a.ReceivedOn, &a.DueOn, &a.Status, &a.Outcome, &a.OutcomeNote, &a.ClosedOn, &demo)
	a.Demo = demo == 1
	end := a.ClosedOn
	if a.Status == "open" {
		end = s.today()
	}
	a.Overdue = end > a.DueOn
	return a, err
}

// CreateAssist registers a request in a department of p's scope, audited.
func (s *Service) CreateAssist(ctx context.Context, p auth.Principal, a Assist) (Assist, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Assist{}, err
	}
	var errs kit.Errors
	a.ReqNo = kit.Text(&errs, "req_no", "受理编号", a.ReqNo, 64, true)
	if AssistKindLabels[a.Kind] == "" {
		errs.Add("kind", "类别须为维权援助或纠纷调解")
	}
	a.Applicant = kit.Text(&errs, "applicant", "申请人", a.Applicant, 100, true)
	a.Respondent = kit.Text(&errs, "respondent", "被申请人", a.Respondent, 100, a.Kind == MediationKind)
	a.Matter = kit.Text(&errs, "matter", "事项", a.Matter, 500, true)
	a.ReceivedOn = s.day(&errs, "received_on", "受理日期", a.ReceivedOn, true)
	if due := strings.TrimSpace(a.DueOn); due == "" {
		a.DueOn = kit.AddDays(a.ReceivedOn, DefaultDueDays[a.Kind])
	} else if d, ok := kit.ParseDate(due); !ok || d < a.ReceivedOn || d > kit.AddDays(a.ReceivedOn, 366) {
		errs.Add("due_on", "办结期限须在受理日期之后一年以内")
	} else {
		a.DueOn = d
	}
	if err := errs.Err(); err != nil {
		return Assist{}, err
	}
	return s.assists().Save(ctx, kit.Write[Assist]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Assist) error { return kit.DeptIn(ctx, tx, sc, a.DeptID, "承办部门") },
		Exec: func(tx *sql.Tx, _ Assist) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO ip_assists(req_no, kind, dept_id, applicant, respondent, matter, received_on, due_on, status, outcome, outcome_note, closed_on, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', '', '', '', $9, $10, $10) RETURNING id`,
				a.ReqNo, a.Kind, a.DeptID, a.Applicant, a.Respondent, a.Matter, a.ReceivedOn, a.DueOn, store.BoolInt(a.Demo), s.stamp()).Scan(&id)
			return id, err
		},
		Conflict: func() string { return fmt.Sprintf("受理编号 %s 已存在", a.ReqNo) }})
}

// assists is the kit's write skeleton for requests: one outside the
// caller's scope does not exist.
func (s *Service) assists() kit.Spec[Assist] {
	return kit.Spec[Assist]{DB: s.db, Entity: "ip_assist", Noun: "申请", Load: s.assistByID,
		Dept: func(a Assist) int64 { return a.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("申请 %d 不存在", id) }}
}

func (s *Service) assistByID(ctx context.Context, q store.Querier, id int64) (Assist, error) {
	a, err := s.scanAssist(q.QueryRowContext(ctx, `SELECT `+assistCols+` FROM ip_assists WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Assist{}, apperr.NotFound("申请 %d 不存在", id)
	}
	if err != nil {
		return Assist{}, fmt.Errorf("protect: request %d: %w", id, err)
	}
	return a, nil
}

// CloseAssist records a request's outcome, audited.
func (s *Service) CloseAssist(ctx context.Context, p auth.Principal, id int64, outcome, note, on string) (Assist, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Assist{}, err
	}
	var errs kit.Errors
	if OutcomeLabels[outcome] == "" {
		errs.Add("outcome", "请选择办理结果")
	}
	note = kit.Text(&errs, "outcome_note", "办理情况", note, 1000, true)
	if strings.TrimSpace(on) == "" {
		on = s.today()
	}
	on = s.day(&errs, "closed_on", "办结日期", on, true)
	if err := errs.Err(); err != nil {
		return Assist{}, err
	}
	return s.assists().Save(ctx, kit.Write[Assist]{By: p.Actor(), Scope: &sc, ID: id, Action: "close",
		Check: func(_ *sql.Tx, before Assist) error {
			if before.Status != "open" {
				return apperr.Conflict("申请已办结")
			}
			if on < before.ReceivedOn {
				return kit.Errors{{Field: "closed_on", Msg: "办结日期不能早于受理日期"}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Assist) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE ip_assists SET status = 'closed', outcome = $1, outcome_note = $2, closed_on = $3, updated_at = $4 WHERE id = $5`,
				outcome, note, on, s.stamp(), id)
			return id, err
		}})
}

// Assists lists the requests in p's scope, open ones by deadline first.
func (s *Service) Assists(ctx context.Context, p auth.Principal, overdueOnly bool) ([]Assist, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "dept_id")
	var out []Assist
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+assistCols+` FROM ip_assists`+w.SQL()+
		` ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, due_on, id LIMIT 1000`, w.Values(), func(r *sql.Rows) error {
		a, err := s.scanAssist(r)
		if err == nil && (!overdueOnly || a.Overdue) {
			out = append(out, a)
		}
		return err
	})
	return out, err
}
