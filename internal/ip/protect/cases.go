package protect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Case kinds.
const (
	KindTrademark = "trademark"
	KindPatent    = "patent"
	KindGI        = "gi"
)

// KindLabels are the case kinds' Chinese names.
var KindLabels = map[string]string{KindTrademark: "商标", KindPatent: "专利", KindGI: "地理标志"}

// Case statuses.
const (
	StatusClue          = "clue"          // 线索核查
	StatusFiled         = "filed"         // 已立案
	StatusInvestigating = "investigating" // 调查中
	StatusPenalized     = "penalized"     // 已处罚
	StatusTransferred   = "transferred"   // 已移送
	StatusWithdrawn     = "withdrawn"     // 已撤案
)

// StatusLabels are the statuses' Chinese names.
var StatusLabels = map[string]string{StatusClue: "线索核查", StatusFiled: "已立案", StatusInvestigating: "调查中",
	StatusPenalized: "已处罚", StatusTransferred: "已移送", StatusWithdrawn: "已撤案"}

// Case workflow actions.
const (
	StepFile        = "file"        // 立案
	StepInvestigate = "investigate" // 调查
	StepPenalize    = "penalize"    // 处罚决定
	StepTransfer    = "transfer"    // 移送
	StepWithdraw    = "withdraw"    // 撤案
	StepPublish     = "publish"     // 公示处罚决定
)

// StepLabels are the actions' Chinese names.
var StepLabels = map[string]string{"create": "登记线索", StepFile: "立案", StepInvestigate: "调查", StepPenalize: "处罚决定",
	StepTransfer: "移送", StepWithdraw: "撤案", StepPublish: "公示"}

var caseSteps = map[string]struct {
	from []string
	to   string
}{
	StepFile:        {[]string{StatusClue}, StatusFiled},
	StepInvestigate: {[]string{StatusFiled}, StatusInvestigating},
	StepPenalize:    {[]string{StatusInvestigating}, StatusPenalized},
	StepTransfer:    {[]string{StatusFiled, StatusInvestigating}, StatusTransferred},
	StepWithdraw:    {[]string{StatusFiled, StatusInvestigating}, StatusWithdrawn},
	StepPublish:     {[]string{StatusPenalized}, StatusPenalized},
}

// Time limits of 市场监督管理行政处罚程序规定 (SAMR order 2018 No. 2 as
// amended 2021 and 2022; sources in testdata/SOURCES.md): a clue is checked
// and the case filed or not within 15 working days of discovery (art. 18;
// a 15-day extension may be approved), and an ordinary-procedure case is
// decided within 90 days of filing (art. 64; a 30-day extension may be
// approved; suspension, hearings, notices and tests do not count). Working
// days are counted Monday to Friday: public holidays are not known here,
// so the warning errs on the early side.
const (
	FileWorkdays = 15
	DecideDays   = 90
	WarnDays     = 7 // a limit closer than this is a warning
)

// Case is an enforcement case.
type Case struct {
	ID             int64  `json:"id"`
	CaseNo         string `json:"case_no"`
	Kind           string `json:"kind"`
	DeptID         int64  `json:"dept_id"`
	DeptName       string `json:"dept_name"`
	Subject        string `json:"subject"`
	Party          string `json:"party"`
	PartyCode      string `json:"party_code"`
	EnterpriseID   int64  `json:"enterprise_id,omitempty"`
	DiscoveredOn   string `json:"discovered_on"`
	FiledOn        string `json:"filed_on"`
	InvestigatedOn string `json:"investigated_on"`
	ClosedOn       string `json:"closed_on"`
	Status         string `json:"status"`
	DecisionNo     string `json:"decision_no"`
	Violation      string `json:"violation"`
	Penalty        string `json:"penalty"`
	FineFen        int64  `json:"fine_fen"`
	Published      bool   `json:"published"`
	TransferredTo  string `json:"transferred_to"`
	CloseNote      string `json:"close_note"`
	Demo           bool   `json:"demo"`
	// Limit is the time limit now running ("" once decided), with its day.
	Limit    string      `json:"limit,omitempty"`
	LimitDue string      `json:"limit_due,omitempty"`
	Warning  string      `json:"warning,omitempty"` // "" | "soon" | "overdue"
	Events   []CaseEvent `json:"events,omitempty"`
}

// CaseEvent is one step of a case.
type CaseEvent struct {
	At, Action, From, To, Actor, Note string
}

// NewCase registers a clue.
type NewCase struct {
	CaseNo       string `json:"case_no"`
	Kind         string `json:"kind"`
	DeptID       int64  `json:"dept_id"`
	Subject      string `json:"subject"`
	Party        string `json:"party"`
	PartyCode    string `json:"party_code"`
	DiscoveredOn string `json:"discovered_on"`
	Demo         bool   `json:"-"`
}

// CaseStep is one person's step on a case.
type CaseStep struct {
	Action        string `json:"action"`
	On            string `json:"on"`             // the step's day (today when empty)
	DecisionNo    string `json:"decision_no"`    // penalize
	Violation     string `json:"violation"`      // penalize
	Penalty       string `json:"penalty"`        // penalize
	Fine          string `json:"fine"`           // penalize: yuan ("5000", "1234.50")
	TransferredTo string `json:"transferred_to"` // transfer
	Note          string `json:"note"`           // withdraw (required)
}

// AddWorkdays is day plus n working days (Monday–Friday).
func AddWorkdays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t.Format(time.DateOnly)
}

func daysBetween(a, b string) int {
	ta, e1 := time.Parse(time.DateOnly, a)
	tb, e2 := time.Parse(time.DateOnly, b)
	if e1 != nil || e2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// limit fills in the time limit running on c at today.
func (c *Case) limit(today string) {
	switch c.Status {
	case StatusClue:
		c.Limit, c.LimitDue = "立案（发现线索后 15 个工作日内）", AddWorkdays(c.DiscoveredOn, FileWorkdays)
	case StatusFiled, StatusInvestigating:
		c.Limit, c.LimitDue = "作出处理决定（立案后 90 日内）", kit.AddDays(c.FiledOn, DecideDays)
	default:
		return
	}
	switch d := daysBetween(today, c.LimitDue); {
	case d < 0:
		c.Warning = "overdue"
	case d <= WarnDays:
		c.Warning = "soon"
	}
}

const caseCols = `c.id, c.case_no, c.kind, c.dept_id, COALESCE(d.name, ''), c.subject, c.party, c.party_code, COALESCE(c.enterprise_id, 0),
	c.discovered_on, c.filed_on, c.investigated_on, c.closed_on, c.status, c.decision_no, c.violation, c.penalty, c.fine_fen,
	c.published, c.transferred_to, c.close_note, c.demo`

const caseFrom = ` FROM ip_cases c LEFT JOIN departments d ON d.id = c.dept_id`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var pub, demo int
	err := sc.Scan(&c.ID, &c.CaseNo, &c.Kind, &c.DeptID, &c.DeptName, &c.Subject, &c.Party, &c.PartyCode, &c.EnterpriseID,
		&c.DiscoveredOn, &c.FiledOn, &c.InvestigatedOn, &c.ClosedOn, &c.Status, &c.DecisionNo, &c.Violation, &c.Penalty, &c.FineFen,
		&pub, &c.TransferredTo, &c.CloseNote, &demo)
	c.Published, c.Demo = pub == 1, demo == 1
	return c, err
}

func (s *Service) caseByID(ctx context.Context, q store.Querier, id int64) (Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, apperr.NotFound("案件 %d 不存在", id)
	}
	if err != nil {
		return Case{}, fmt.Errorf("protect: case %d: %w", id, err)
	}
	c.limit(s.today())
	return c, nil
}

// Case returns a case in p's scope with its steps; outside the scope it
// does not exist.
func (s *Service) Case(ctx context.Context, p auth.Principal, id int64) (Case, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Case{}, err
	}
	c, err := s.caseByID(ctx, s.db.Reader(), id)
	if err != nil {
		return Case{}, err
	}
	if !sc.Allows(c.DeptID) {
		return Case{}, apperr.NotFound("案件 %d 不存在", id)
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT at, action, from_status, to_status, actor, note FROM ip_case_events WHERE case_id = $1 ORDER BY id`,
		[]any{id}, func(r *sql.Rows) error {
			var e CaseEvent
			if err := r.Scan(&e.At, &e.Action, &e.From, &e.To, &e.Actor, &e.Note); err != nil {
				return err
			}
			c.Events = append(c.Events, e)
			return nil
		})
	return c, err
}

// CaseFilter narrows the case list.
type CaseFilter struct {
	Status  string // "" all, "open" not closed, or a status
	Warning bool   // only those with a warning
	Limit   int
}

// Cases lists the cases in p's scope: open ones by their time limit, then
// the closed, newest first.
func (s *Service) Cases(ctx context.Context, p auth.Principal, f CaseFilter) ([]Case, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "c.dept_id")
	switch {
	case f.Status == "":
	case f.Status == "open":
		w.Raw("c.status IN ('clue', 'filed', 'investigating')")
	case StatusLabels[f.Status] != "":
		w.Add("c.status = ?", f.Status)
	default:
		return nil, apperr.Invalid("状态“%s”无法识别", kit.Clip(f.Status))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	q := `SELECT ` + caseCols + caseFrom + w.SQL() + ` ORDER BY c.id DESC LIMIT ` + w.Args.Add(f.Limit)
	var out []Case
	today := s.today()
	err = store.EachRow(ctx, s.db.Reader(), q, w.Values(), func(r *sql.Rows) error {
		c, err := scanCase(r)
		if err != nil {
			return err
		}
		c.limit(today)
		if !f.Warning || c.Warning != "" {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// CreateCase registers a clue in a department of p's scope, audited.
func (s *Service) CreateCase(ctx context.Context, p auth.Principal, n NewCase) (Case, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Case{}, err
	}
	var errs kit.Errors
	n.CaseNo = kit.Text(&errs, "case_no", "案件编号", n.CaseNo, 64, true)
	if KindLabels[n.Kind] == "" {
		errs.Add("kind", "案件类别须为商标、专利或地理标志")
	}
	n.Subject = kit.Text(&errs, "subject", "案由", n.Subject, 200, true)
	n.Party, n.PartyCode = party(&errs, "party", n.Party, n.PartyCode)
	n.DiscoveredOn = s.day(&errs, "discovered_on", "发现线索日期", n.DiscoveredOn, true)
	if err := errs.Err(); err != nil {
		return Case{}, err
	}
	var ent any // the party in the enterprise directory
	return s.cases().Save(ctx, kit.Write[Case]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Case) (err error) {
			if err := kit.DeptIn(ctx, tx, sc, n.DeptID, "承办部门"); err != nil {
				return err
			}
			ent, err = s.ent.LinkTx(ctx, tx, p, n.PartyCode, n.Party, n.Demo)
			return err
		},
		Exec: func(tx *sql.Tx, _ Case) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO ip_cases(case_no, kind, dept_id, subject, party, party_code, enterprise_id, discovered_on,
			filed_on, investigated_on, closed_on, status, decision_no, violation, penalty, fine_fen, published, transferred_to, close_note, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', '', '', 'clue', '', '', '', 0, 0, '', '', $9, $10, $10) RETURNING id`,
				n.CaseNo, n.Kind, n.DeptID, n.Subject, n.Party, n.PartyCode, ent, n.DiscoveredOn, store.BoolInt(n.Demo), s.stamp()).Scan(&id)
			if err != nil {
				return 0, err
			}
			return id, s.caseEvent(ctx, tx, p, id, "create", "", StatusClue, n.Subject)
		},
		Conflict: func() string { return fmt.Sprintf("案件编号 %s 已存在", n.CaseNo) }})
}

// cases is the kit's write skeleton for cases: one outside the caller's
// scope does not exist.
func (s *Service) cases() kit.Spec[Case] {
	return kit.Spec[Case]{DB: s.db, Entity: "ip_case", Noun: "案件", Load: s.caseByID,
		Dept: func(c Case) int64 { return c.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("案件 %d 不存在", id) }}
}

// caseEvent records a step of case id in its history (the audit entry is
// the kit's).
func (s *Service) caseEvent(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64, action, from, to, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO ip_case_events(case_id, at, action, from_status, to_status, actor, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, s.stamp(), action, from, to, p.Actor().Name, note); err != nil {
		return fmt.Errorf("protect: case %d event: %w", id, err)
	}
	return nil
}

// Step moves a case one step along its workflow, audited in the same
// transaction.
func (s *Service) Step(ctx context.Context, p auth.Principal, id int64, st CaseStep) (Case, error) {
	tr, ok := caseSteps[st.Action]
	if !ok {
		return Case{}, apperr.Invalid("操作“%s”无法识别", kit.Clip(st.Action))
	}
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Case{}, err
	}
	var errs kit.Errors
	if strings.TrimSpace(st.On) == "" {
		st.On = s.today()
	}
	st.On = s.day(&errs, "on", "日期", st.On, true)
	var fine int64
	switch st.Action {
	case StepPenalize:
		st.DecisionNo = kit.Text(&errs, "decision_no", "处罚决定书文号", st.DecisionNo, 64, true)
		st.Violation = kit.Text(&errs, "violation", "违法行为", st.Violation, 500, true)
		st.Penalty = kit.Text(&errs, "penalty", "处罚内容", st.Penalty, 500, true)
		if strings.TrimSpace(st.Fine) != "" {
			if fine, ok = ParseYuan(st.Fine); !ok {
				errs.Add("fine", "罚没金额“%s”无效：请填写不小于 0 的金额（元，最多两位小数）", kit.Clip(st.Fine))
			}
		}
	case StepTransfer:
		st.TransferredTo = kit.Text(&errs, "transferred_to", "移送机关", st.TransferredTo, 100, true)
	case StepWithdraw:
		st.Note = kit.Text(&errs, "note", "撤案理由", st.Note, 500, true)
	}
	st.Note = kit.Text(&errs, "note", "说明", st.Note, 500, false)
	if err := errs.Err(); err != nil {
		return Case{}, err
	}
	return s.cases().Save(ctx, kit.Write[Case]{By: p.Actor(), Scope: &sc, ID: id, Action: st.Action,
		Check: func(_ *sql.Tx, before Case) error {
			if !slices.Contains(tr.from, before.Status) {
				return apperr.Conflict("案件当前为“%s”，不能%s", StatusLabels[before.Status], StepLabels[st.Action])
			}
			if st.Action == StepPublish && before.Published {
				return apperr.Conflict("处罚决定已公示")
			}
			prev := map[string]string{StatusClue: before.DiscoveredOn, StatusFiled: before.FiledOn, StatusInvestigating: before.InvestigatedOn, StatusPenalized: before.ClosedOn}[before.Status]
			if st.On < prev {
				return kit.Errors{{Field: "on", Msg: fmt.Sprintf("日期不能早于上一环节（%s）", prev)}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Case) (int64, error) { return id, s.step(ctx, tx, p, before, st, tr.to, fine) }})
}

// step writes a case's move to status to, with what the step records, and
// its event.
func (s *Service) step(ctx context.Context, tx *sql.Tx, p auth.Principal, before Case, st CaseStep, to string, fine int64) error {
	id := before.ID
	set, args := "", []any{to, s.stamp()}
	add := func(col string, v any) { args = append(args, v); set += fmt.Sprintf(", %s = $%d", col, len(args)) }
	switch st.Action {
	case StepFile:
		add("filed_on", st.On)
	case StepInvestigate:
		add("investigated_on", st.On)
	case StepPenalize:
		add("closed_on", st.On)
		add("decision_no", st.DecisionNo)
		add("violation", st.Violation)
		add("penalty", st.Penalty)
		add("fine_fen", fine)
	case StepTransfer:
		add("closed_on", st.On)
		add("transferred_to", st.TransferredTo)
	case StepWithdraw:
		add("closed_on", st.On)
		add("close_note", st.Note)
	case StepPublish:
		add("published", 1)
	}
	args = append(args, id)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE ip_cases SET status = $1, updated_at = $2%s WHERE id = $%d`, set, len(args)), args...); err != nil {
		return fmt.Errorf("protect: case %d %s: %w", id, st.Action, err)
	}
	return s.caseEvent(ctx, tx, p, id, st.Action, before.Status, to, st.Note)
}

// Decision is a published penalty decision: all the public sees of a case.
type Decision struct {
	DecisionNo string `json:"decision_no"`
	Party      string `json:"party"`
	Violation  string `json:"violation"`
	Penalty    string `json:"penalty"`
	FineFen    int64  `json:"fine_fen"`
	Fine       string `json:"fine"` // yuan
	DecidedOn  string `json:"decided_on"`
	Demo       bool   `json:"demo"`
}

// PublicDecisions lists the published penalty decisions, newest first;
// anyone may read them. Nothing else of a case leaves this package without
// a handler's scope.
func (s *Service) PublicDecisions(ctx context.Context, limit int) ([]Decision, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []Decision
	err := store.EachRow(ctx, s.db.Reader(), `SELECT decision_no, party, violation, penalty, fine_fen, closed_on, demo FROM ip_cases
		WHERE status = 'penalized' AND published = 1 ORDER BY closed_on DESC, id DESC LIMIT $1`, []any{limit}, func(r *sql.Rows) error {
		var d Decision
		var demo int
		if err := r.Scan(&d.DecisionNo, &d.Party, &d.Violation, &d.Penalty, &d.FineFen, &d.DecidedOn, &demo); err != nil {
			return err
		}
		d.Fine, d.Demo = Yuan(d.FineFen), demo == 1
		out = append(out, d)
		return nil
	})
	return out, err
}
