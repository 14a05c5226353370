package bizenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Measure statuses.
const (
	MeasureDraft     = "draft"
	MeasureConcluded = "concluded"
	MeasureIssued    = "issued"
	MeasureWithdrawn = "withdrawn"
)

// MeasureStatusLabels are the statuses' Chinese names.
var MeasureStatusLabels = map[string]string{MeasureDraft: "起草审查中", MeasureConcluded: "已作出审查结论", MeasureIssued: "已出台", MeasureWithdrawn: "已撤回"}

// Conclusions.
const (
	ConclusionPass      = "pass"
	ConclusionException = "exception"
	ConclusionFail      = "fail"
)

// ConclusionLabels are the conclusions' Chinese names.
var ConclusionLabels = map[string]string{ConclusionPass: "不具有排除、限制竞争效果，可以出台", ConclusionException: "符合例外规定，可以出台",
	ConclusionFail: "具有排除、限制竞争效果，不得出台（应调整后重新审查）"}

// Checklist verdicts.
const (
	VerdictClear     = "clear"
	VerdictRestricts = "restricts"
)

// VerdictLabels name the verdicts.
var VerdictLabels = map[string]string{VerdictClear: "不涉及", VerdictRestricts: "涉及"}

// OpinionLabels name the kinds of opinion.
var OpinionLabels = map[string]string{"stakeholder": "利害关系人意见", "expert": "专家意见", "public": "社会公众意见"}

// DocKinds are the kinds of measure.
var DocKinds = []string{"规章", "规范性文件", "其他政策性文件", "具体政策措施"}

// Measure is a draft measure under fair-competition review.
type Measure struct {
	ID                   int64     `json:"id"`
	DeptID               int64     `json:"dept_id"`
	DeptName             string    `json:"dept_name"`
	Title                string    `json:"title"`
	DocKind              string    `json:"doc_kind"`
	Summary              string    `json:"summary"`
	DraftedOn            string    `json:"drafted_on"`
	Checklist            string    `json:"checklist"`
	Status               string    `json:"status"`
	Conclusion           string    `json:"conclusion"`
	ConclusionNote       string    `json:"conclusion_note"`
	ExceptionGround      string    `json:"exception_ground"`
	ExceptionAlternative string    `json:"exception_alternative"`
	ExceptionLimit       string    `json:"exception_limit"`
	ConcludedOn          string    `json:"concluded_on"`
	IssuedOn             string    `json:"issued_on"`
	DocNo                string    `json:"doc_no"`
	Demo                 bool      `json:"demo"`
	Answers              []Answer  `json:"answers,omitempty"`
	Opinions             []Opinion `json:"opinions,omitempty"`
}

// Answer is the review's verdict on one checklist row.
type Answer struct {
	Item    string `json:"item"`
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
}

// Opinion is a stakeholder's, expert's or the public's opinion.
type Opinion struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Source     string `json:"source"`
	Content    string `json:"content"`
	ReceivedOn string `json:"received_on"`
	Adopted    bool   `json:"adopted"`
}

// NewMeasure registers a draft.
type NewMeasure struct {
	DeptID    int64  `json:"dept_id"`
	Title     string `json:"title"`
	DocKind   string `json:"doc_kind"`
	Summary   string `json:"summary"`
	DraftedOn string `json:"drafted_on"`
	Demo      bool   `json:"-"`
}

// Conclusion is the review's conclusion on a measure.
type Conclusion struct {
	Result      string `json:"result"` // pass | exception | fail
	Note        string `json:"note"`
	Ground      string `json:"ground"`      // exception: the ground's code
	Alternative string `json:"alternative"` // exception: why no less restrictive alternative exists
	Limit       string `json:"limit"`       // exception: time limit or end condition
	On          string `json:"on"`
}

const measureCols = `m.id, m.dept_id, COALESCE(d.name, ''), m.title, m.doc_kind, m.summary, m.drafted_on, m.checklist, m.status, m.conclusion,
	m.conclusion_note, m.exception_ground, m.exception_alternative, m.exception_limit, m.concluded_on, m.issued_on, m.doc_no, m.demo`

const measureFrom = ` FROM fair_measures m LEFT JOIN departments d ON d.id = m.dept_id`

func scanMeasure(sc interface{ Scan(...any) error }) (Measure, error) {
	var m Measure
	var demo int
	err := sc.Scan(&m.ID, &m.DeptID, &m.DeptName, &m.Title, &m.DocKind, &m.Summary, &m.DraftedOn, &m.Checklist, &m.Status, &m.Conclusion,
		&m.ConclusionNote, &m.ExceptionGround, &m.ExceptionAlternative, &m.ExceptionLimit, &m.ConcludedOn, &m.IssuedOn, &m.DocNo, &demo)
	m.Demo = demo == 1
	return m, err
}

// loadMeasure reads a measure with its answers and opinions.
func (s *Service) loadMeasure(ctx context.Context, q store.Querier, id int64) (Measure, error) {
	m, err := scanMeasure(q.QueryRowContext(ctx, `SELECT `+measureCols+measureFrom+` WHERE m.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Measure{}, apperr.NotFound("政策措施 %d 不存在", id)
	}
	if err != nil {
		return Measure{}, fmt.Errorf("bizenv: measure %d: %w", id, err)
	}
	err = store.EachRow(ctx, q, `SELECT item, verdict, note FROM fair_checks WHERE measure_id = $1`, []any{id}, func(r *sql.Rows) error {
		var a Answer
		err := r.Scan(&a.Item, &a.Verdict, &a.Note)
		m.Answers = append(m.Answers, a)
		return err
	})
	if err != nil {
		return Measure{}, err
	}
	// Answers in checklist order.
	if c, ok := ChecklistVersion(m.Checklist); ok {
		order := map[string]int{}
		for i, it := range c.Items() {
			order[it.Code] = i
		}
		sort.SliceStable(m.Answers, func(i, j int) bool { return order[m.Answers[i].Item] < order[m.Answers[j].Item] })
	}
	err = store.EachRow(ctx, q, `SELECT id, kind, source, content, received_on, adopted FROM fair_opinions WHERE measure_id = $1 ORDER BY id`, []any{id}, func(r *sql.Rows) error {
		var o Opinion
		var adopted int
		err := r.Scan(&o.ID, &o.Kind, &o.Source, &o.Content, &o.ReceivedOn, &adopted)
		o.Adopted = adopted == 1
		m.Opinions = append(m.Opinions, o)
		return err
	})
	return m, err
}

// measures is the kit's write skeleton for measures: a measure outside the
// caller's scope does not exist.
func (s *Service) measures() kit.Spec[Measure] {
	return kit.Spec[Measure]{DB: s.db, Entity: "fair_measure", Noun: "政策措施", Load: s.loadMeasure,
		Dept: func(m Measure) int64 { return m.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("政策措施 %d 不存在", id) }}
}

// Measure returns a measure in p's scope; outside it, it does not exist.
func (s *Service) Measure(ctx context.Context, p auth.Principal, id int64) (Measure, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Drafters...)
	if err != nil {
		return Measure{}, err
	}
	m, err := s.loadMeasure(ctx, s.db.Reader(), id)
	if err != nil {
		return Measure{}, err
	}
	if !sc.Allows(m.DeptID) {
		return Measure{}, apperr.NotFound("政策措施 %d 不存在", id)
	}
	return m, nil
}

// Measures lists the measures in p's scope, newest first; status "" is all.
func (s *Service) Measures(ctx context.Context, p auth.Principal, status string) ([]Measure, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Drafters...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "m.dept_id")
	if status != "" {
		if MeasureStatusLabels[status] == "" {
			return nil, apperr.Invalid("状态“%s”无法识别", kit.Clip(status))
		}
		w.Add("m.status = ?", status)
	}
	var out []Measure
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+measureCols+measureFrom+w.SQL()+` ORDER BY m.id DESC LIMIT 1000`, w.Values(), func(r *sql.Rows) error {
		m, err := scanMeasure(r)
		out = append(out, m)
		return err
	})
	return out, err
}

// CreateMeasure registers a draft in a department of p's scope; the
// checklist is the version in force on the drafting day.
func (s *Service) CreateMeasure(ctx context.Context, p auth.Principal, n NewMeasure) (Measure, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Drafters...)
	if err != nil {
		return Measure{}, err
	}
	var errs kit.Errors
	n.Title = kit.Text(&errs, "title", "政策措施名称", n.Title, 200, true)
	n.Summary = kit.Text(&errs, "summary", "主要内容", n.Summary, 2000, false)
	if !slices.Contains(DocKinds, n.DocKind) {
		errs.Add("doc_kind", "文件类型须为%s之一", strings.Join(DocKinds, "、"))
	}
	n.DraftedOn = s.day(&errs, "drafted_on", "起草日期", n.DraftedOn, true)
	if err := errs.Err(); err != nil {
		return Measure{}, err
	}
	return s.measures().Save(ctx, kit.Write[Measure]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Measure) error { return kit.DeptIn(ctx, tx, sc, n.DeptID, "部门") },
		Exec: func(tx *sql.Tx, _ Measure) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO fair_measures(dept_id, title, doc_kind, summary, drafted_on, checklist, status, conclusion, conclusion_note,
			exception_ground, exception_alternative, exception_limit, concluded_on, issued_on, doc_no, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'draft', '', '', '', '', '', '', '', '', $7, $8, $8) RETURNING id`,
				n.DeptID, n.Title, n.DocKind, n.Summary, n.DraftedOn, ChecklistFor(n.DraftedOn).Version, store.BoolInt(n.Demo), s.stamp()).Scan(&id)
			return id, err
		}})
}

// change runs one audited change of a measure in p's scope: load it, check
// it is still open (not issued or withdrawn), apply f, reload and audit.
func (s *Service) change(ctx context.Context, p auth.Principal, roles []auth.Role, id int64, action string, f func(tx *sql.Tx, m Measure) error) (Measure, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, roles...)
	if err != nil {
		return Measure{}, err
	}
	return s.measures().Save(ctx, kit.Write[Measure]{By: p.Actor(), Scope: &sc, ID: id, Action: action,
		Check: func(_ *sql.Tx, before Measure) error {
			if before.Status == MeasureIssued || before.Status == MeasureWithdrawn {
				return apperr.Conflict("政策措施已%s，不能再修改审查记录", strings.TrimPrefix(MeasureStatusLabels[before.Status], "已"))
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Measure) (int64, error) {
			if err := f(tx, before); err != nil {
				return 0, err
			}
			_, err := tx.ExecContext(ctx, `UPDATE fair_measures SET updated_at = $1 WHERE id = $2`, s.stamp(), id)
			return id, err
		}})
}

// Answer records the checklist verdicts (item code → clear | restricts,
// with notes). Changing answers after a conclusion withdraws the
// conclusion: the measure must be concluded again.
func (s *Service) Answer(ctx context.Context, p auth.Principal, id int64, answers []Answer) (Measure, error) {
	if len(answers) == 0 {
		return Measure{}, kit.Errors{{Field: "answers", Msg: "请至少填写一项审查标准的结论"}}
	}
	return s.change(ctx, p, Drafters, id, "answer", func(tx *sql.Tx, m Measure) error {
		c, _ := ChecklistVersion(m.Checklist)
		var errs kit.Errors
		for i, a := range answers {
			if !c.has(a.Item) {
				errs.Add("item", "审查标准“%s”不在《%s》清单中", kit.Clip(a.Item), c.Title)
				continue
			}
			if VerdictLabels[a.Verdict] == "" {
				errs.Add(a.Item, "审查标准 %s 的结论须为“涉及”或“不涉及”", a.Item)
			}
			answers[i].Note = kit.Text(&errs, a.Item+"_note", "说明", a.Note, 500, a.Verdict == VerdictRestricts)
		}
		if err := errs.Err(); err != nil {
			return err
		}
		for _, a := range answers {
			if _, err := tx.ExecContext(ctx, `DELETE FROM fair_checks WHERE measure_id = $1 AND item = $2`, id, a.Item); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fair_checks(measure_id, item, verdict, note) VALUES ($1, $2, $3, $4)`, id, a.Item, a.Verdict, a.Note); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE fair_measures SET status = 'draft', conclusion = '', conclusion_note = '', exception_ground = '',
			exception_alternative = '', exception_limit = '', concluded_on = '' WHERE id = $1`, id)
		return err
	})
}

// AddOpinion records an opinion on a measure.
func (s *Service) AddOpinion(ctx context.Context, p auth.Principal, id int64, o Opinion) (Measure, error) {
	var errs kit.Errors
	if OpinionLabels[o.Kind] == "" {
		errs.Add("kind", "意见类型须为利害关系人、专家或社会公众")
	}
	o.Source = kit.Text(&errs, "source", "意见提出方", o.Source, 100, true)
	o.Content = kit.Text(&errs, "content", "意见内容", o.Content, 2000, true)
	o.ReceivedOn = s.day(&errs, "received_on", "收到日期", o.ReceivedOn, true)
	if err := errs.Err(); err != nil {
		return Measure{}, err
	}
	return s.change(ctx, p, Drafters, id, "opinion", func(tx *sql.Tx, m Measure) error {
		if o.ReceivedOn < m.DraftedOn {
			return kit.Errors{{Field: "received_on", Msg: fmt.Sprintf("收到日期不能早于起草日期（%s）", m.DraftedOn)}}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO fair_opinions(measure_id, kind, source, content, received_on, adopted, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, o.Kind, o.Source, o.Content, o.ReceivedOn, store.BoolInt(o.Adopted), s.stamp())
		return err
	})
}

// Conclude records the review's conclusion. Every checklist row must be
// answered and stakeholders heard first; "pass" needs no row that
// restricts competition, "exception" and "fail" at least one, and the
// exception path names a ground of its checklist version, why no less
// restrictive alternative exists and a time limit or end condition.
func (s *Service) Conclude(ctx context.Context, p auth.Principal, id int64, c Conclusion) (Measure, error) {
	var errs kit.Errors
	if ConclusionLabels[c.Result] == "" {
		errs.Add("result", "请选择审查结论")
	}
	if strings.TrimSpace(c.On) == "" {
		c.On = s.today()
	}
	c.On = s.day(&errs, "on", "结论日期", c.On, true)
	c.Note = kit.Text(&errs, "note", "结论说明", c.Note, 2000, c.Result != ConclusionPass)
	ex := c.Result == ConclusionException
	c.Alternative = kit.Text(&errs, "alternative", "无替代方案的说明", c.Alternative, 1000, ex)
	c.Limit = kit.Text(&errs, "limit", "实施期限或终止条件", c.Limit, 200, ex)
	if !ex {
		c.Ground, c.Alternative, c.Limit = "", "", ""
	}
	if err := errs.Err(); err != nil {
		return Measure{}, err
	}
	return s.change(ctx, p, Reviewers, id, "conclude", func(tx *sql.Tx, m Measure) error {
		if err := Gate(m, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE fair_measures SET status = 'concluded', conclusion = $1, conclusion_note = $2, exception_ground = $3,
			exception_alternative = $4, exception_limit = $5, concluded_on = $6 WHERE id = $7`, c.Result, c.Note, c.Ground, c.Alternative, c.Limit, c.On, id)
		return err
	})
}

// Gate checks a conclusion against the measure's review record (no
// database): the rules of Conclude.
func Gate(m Measure, c Conclusion) error {
	cl, ok := ChecklistVersion(m.Checklist)
	if !ok {
		return fmt.Errorf("bizenv: measure %d: unknown checklist %q", m.ID, m.Checklist)
	}
	answered := map[string]string{}
	for _, a := range m.Answers {
		answered[a.Item] = a.Verdict
	}
	var missing []string
	restricts := 0
	for _, it := range cl.Items() {
		switch answered[it.Code] {
		case "":
			missing = append(missing, it.Code)
		case VerdictRestricts:
			restricts++
		}
	}
	if len(missing) > 0 {
		return apperr.Conflict("尚有 %d 项审查标准未填写结论（%s），不能作出审查结论", len(missing), strings.Join(missing, "、"))
	}
	heard := false
	for _, o := range m.Opinions {
		heard = heard || o.Kind == "stakeholder" || o.Kind == "public"
	}
	if !heard {
		return apperr.Conflict("尚未听取利害关系人或社会公众意见（%s），不能作出审查结论", cl.Title)
	}
	if c.On < m.DraftedOn {
		return kit.Errors{{Field: "on", Msg: fmt.Sprintf("结论日期不能早于起草日期（%s）", m.DraftedOn)}}
	}
	switch c.Result {
	case ConclusionPass:
		if restricts > 0 {
			return apperr.Conflict("有 %d 项审查标准涉及排除、限制竞争，结论不能为“不具有排除、限制竞争效果”：请适用例外规定或作出不得出台的结论", restricts)
		}
	case ConclusionException, ConclusionFail:
		if restricts == 0 {
			return apperr.Conflict("没有涉及排除、限制竞争的审查标准，结论应为“不具有排除、限制竞争效果”")
		}
		if c.Result == ConclusionException {
			if _, ok := cl.exception(c.Ground); !ok {
				return kit.Errors{{Field: "ground", Msg: fmt.Sprintf("请选择《%s》规定的例外情形", cl.Title)}}
			}
		}
	}
	return nil
}

// Issue marks a measure issued (出台). Only a measure whose review
// concluded it may be issued (pass or exception) can be: 公平竞争审查条例
// art. 18 — a measure not reviewed, or found in breach, may not be issued.
func (s *Service) Issue(ctx context.Context, p auth.Principal, id int64, docNo, on string) (Measure, error) {
	var errs kit.Errors
	docNo = kit.Text(&errs, "doc_no", "文号", docNo, 64, true)
	if strings.TrimSpace(on) == "" {
		on = s.today()
	}
	on = s.day(&errs, "issued_on", "出台日期", on, true)
	if err := errs.Err(); err != nil {
		return Measure{}, err
	}
	return s.change(ctx, p, Reviewers, id, "issue", func(tx *sql.Tx, m Measure) error {
		if m.Status != MeasureConcluded || (m.Conclusion != ConclusionPass && m.Conclusion != ConclusionException) {
			return apperr.Conflict("该政策措施未经公平竞争审查或审查结论为不得出台，不能标记为已出台（《公平竞争审查条例》第十八条）")
		}
		if on < m.ConcludedOn {
			return kit.Errors{{Field: "issued_on", Msg: fmt.Sprintf("出台日期不能早于审查结论日期（%s）", m.ConcludedOn)}}
		}
		_, err := tx.ExecContext(ctx, `UPDATE fair_measures SET status = 'issued', issued_on = $1, doc_no = $2 WHERE id = $3`, on, docNo, id)
		return err
	})
}

// Withdraw withdraws a draft (not issued).
func (s *Service) Withdraw(ctx context.Context, p auth.Principal, id int64, note string) (Measure, error) {
	var errs kit.Errors
	note = kit.Text(&errs, "note", "撤回理由", note, 500, true)
	if err := errs.Err(); err != nil {
		return Measure{}, err
	}
	return s.change(ctx, p, Reviewers, id, "withdraw", func(tx *sql.Tx, m Measure) error {
		_, err := tx.ExecContext(ctx, `UPDATE fair_measures SET status = 'withdrawn', conclusion_note = $1 WHERE id = $2`, note, id)
		return err
	})
}
