package pilots

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

// StageRecord is one dated step of a pilot.
type StageRecord struct {
	Stage     string `json:"stage"`
	Label     string `json:"label"`
	Date      string `json:"date"`
	Note      string `json:"note,omitempty"`
	CreatedBy string `json:"created_by,omitempty"`
}

// Pilot is a standardization pilot. Contact, Note, the stage authors and
// milestone notes are for staff; the public sees the rest (see public).
type Pilot struct {
	ID             int64            `json:"id"`
	Name           string           `json:"name"`
	OrgName        string           `json:"org_name"`
	OrgCreditCode  string           `json:"org_credit_code,omitempty"`
	OrgID          int64            `json:"org_id,omitempty"` // the enterprise directory entry; OrgName is then its current name
	Prefecture     string           `json:"prefecture"`
	PrefectureName string           `json:"prefecture_name"`
	Field          string           `json:"field"`
	FieldLabel     string           `json:"field_label"`
	Level          string           `json:"level"`
	LevelLabel     string           `json:"level_label"`
	DeptID         int64            `json:"dept_id"`
	DeptName       string           `json:"dept_name"`
	Summary        string           `json:"summary"`
	Outcomes       string           `json:"outcomes"`
	Contact        string           `json:"contact,omitempty"`
	Stage          string           `json:"stage"`
	StageLabel     string           `json:"stage_label"`
	AppliedOn      string           `json:"applied_on"`
	ApprovedOn     string           `json:"approved_on"`
	AcceptedOn     string           `json:"accepted_on"`
	RevokedOn      string           `json:"revoked_on"`
	Demo           bool             `json:"demo"`
	Note           string           `json:"note,omitempty"`
	Stages         []StageRecord    `json:"stages"`
	Milestones     []Milestone      `json:"milestones"`
	Standards      []LinkedStandard `json:"standards"`
	Overdue        int              `json:"overdue_milestones"`
	Next           []Option         `json:"next_stages,omitempty"`
	Editable       bool             `json:"editable"`
	CreatedAt      string           `json:"created_at,omitempty"`
	UpdatedAt      string           `json:"updated_at,omitempty"`
}

// Public reports whether the pilot is shown to everyone: from 批准立项 on.
func (p Pilot) Public() bool { return p.ApprovedOn != "" }

// public strips what only staff see.
func (p Pilot) public() Pilot {
	p.Contact, p.Note, p.CreatedAt, p.UpdatedAt, p.Next = "", "", "", "", nil
	if p.Demo {
		p.Note = DemoNote
	}
	for i := range p.Stages {
		p.Stages[i].CreatedBy = ""
	}
	for i := range p.Milestones {
		p.Milestones[i].Note = ""
	}
	return p
}

// PilotInput is what an editor submits to register or change a pilot.
type PilotInput struct {
	Name          string `json:"name"`
	OrgName       string `json:"org_name"`
	OrgCreditCode string `json:"org_credit_code"`
	Prefecture    string `json:"prefecture"` // region code or name
	Field         string `json:"field"`      // tag or label
	Level         string `json:"level"`      // key or label
	DeptID        int64  `json:"dept_id"`
	Dept          string `json:"dept"` // code or name, when DeptID is 0
	Summary       string `json:"summary"`
	Outcomes      string `json:"outcomes"`
	Contact       string `json:"contact"`
	AppliedOn     string `json:"applied_on"` // creation only: the 申报 date
	Demo          bool   `json:"demo"`
	Note          string `json:"note"`
}

type pilotRow struct {
	PilotInput
	deptName string
}

func (s *Service) validatePilot(ctx context.Context, q querier, in PilotInput, create bool) (pilotRow, error) {
	var c checker
	r := pilotRow{PilotInput: in}
	r.Name = c.text("试点名称", in.Name, 200, true, false)
	r.OrgName = c.text("承担单位", in.OrgName, 200, true, false)
	r.OrgCreditCode = c.creditCode("统一社会信用代码", in.OrgCreditCode)
	if k, ok := lookup(Prefectures, in.Prefecture); ok {
		r.Prefecture = k
	} else if strings.TrimSpace(in.Prefecture) == "" {
		c.bad("所在市州", "请选择所在市州")
	} else {
		c.bad("所在市州", "所在市州“%s”无效，应为青海省八个市州之一", strings.TrimSpace(in.Prefecture))
	}
	if k, ok := lookup(Fields(), in.Field); ok {
		r.Field = k
	} else {
		c.bad("试点领域", "试点领域“%s”无效，应为 盐湖资源综合利用、清洁能源开发应用、生态旅游优质服务 或 有机农畜产品生产", strings.TrimSpace(in.Field))
	}
	if k, ok := lookup(mapOptions(LevelLabels, LevelNational, LevelProvincial), in.Level); ok {
		r.Level = k
	} else {
		c.bad("试点级别", "试点级别“%s”无效，应为国家级或省级", strings.TrimSpace(in.Level))
	}
	r.DeptID, r.deptName = s.dept(ctx, q, &c, in.DeptID, in.Dept)
	r.Summary = c.text("试点内容", in.Summary, 4000, false, true)
	r.Outcomes = c.text("可复制可推广经验", in.Outcomes, 8000, false, true)
	r.Contact = c.text("联系人及电话", in.Contact, 200, false, false)
	r.Note = c.text("备注", in.Note, 1000, false, true)
	if create {
		r.AppliedOn = c.date("申报日期", in.AppliedOn, true, s.today())
	}
	return r, c.err()
}

// pilotSpec is the pilot register as the kit's write skeleton sees it.
func (s *Service) pilotSpec() kit.Spec[Pilot] {
	return kit.Spec[Pilot]{DB: s.db, Entity: "pilot", Noun: "试点", Load: s.getPilot, Dept: func(pl Pilot) int64 { return pl.DeptID }}
}

// savePilot validates in inside the write (the department is looked up in
// the directory), refuses a department outside the caller's scope (for a
// change, only when it moves) and stores it with exec; the kit does the
// rest (scope of the stored record, unique conflict, audit entry).
func (s *Service) savePilot(ctx context.Context, p auth.Principal, id int64, action string, in PilotInput,
	exec func(tx *sql.Tx, r pilotRow, orgID any) (int64, error)) (Pilot, error) {
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Pilot{}, err
	}
	var r pilotRow
	saved, err := s.pilotSpec().Save(ctx, kit.Write[Pilot]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Scope: &sc, ID: id, Action: action,
		Check: func(tx *sql.Tx, before Pilot) (err error) {
			if r, err = s.validatePilot(ctx, tx, in, id == 0); err != nil {
				return err
			}
			if id == 0 || r.DeptID != before.DeptID {
				return requireDept(sc, r.DeptID)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Pilot) (int64, error) {
			orgID, err := s.enterpriseRef(ctx, tx, p, r.OrgCreditCode, r.OrgName, r.Demo)
			if err != nil {
				return 0, err
			}
			return exec(tx, r, orgID)
		},
		Conflict: func() string { return fmt.Sprintf("“%s”承担的试点“%s”已登记", r.OrgName, r.Name) },
	})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, saved.ID)
}

// CreatePilot registers a pilot at its 申报 step.
func (s *Service) CreatePilot(ctx context.Context, p auth.Principal, in PilotInput) (Pilot, error) {
	return s.savePilot(ctx, p, 0, "create", in, func(tx *sql.Tx, r pilotRow, orgID any) (id int64, err error) {
		now := s.stamp()
		err = tx.QueryRowContext(ctx, `INSERT INTO pilots(name, org_name, org_credit_code, org_id, prefecture, field, level, dept_id, summary, outcomes, contact,
			stage, applied_on, demo, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $17, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
			r.Name, r.OrgName, r.OrgCreditCode, r.Prefecture, r.Field, r.Level, r.DeptID, r.Summary, r.Outcomes, r.Contact,
			StageApplied, r.AppliedOn, store.BoolInt(r.Demo), r.Note, p.Actor().Name, now, orgID).Scan(&id)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pilot_stages(pilot_id, stage, on_date, note, created_by, created_at) VALUES ($1, $2, $3, '', $4, $5)`,
			id, StageApplied, r.AppliedOn, p.Actor().Name, now); err != nil {
			return 0, fmt.Errorf("pilots: create stage: %w", err)
		}
		return id, nil
	})
}

// UpdatePilot changes a pilot's fields (not its stages). Moving it to
// another department needs scope over both.
func (s *Service) UpdatePilot(ctx context.Context, p auth.Principal, id int64, in PilotInput) (Pilot, error) {
	return s.savePilot(ctx, p, id, "update", in, func(tx *sql.Tx, r pilotRow, orgID any) (int64, error) {
		_, err := tx.ExecContext(ctx, `UPDATE pilots SET name = $1, org_name = $2, org_credit_code = $3, prefecture = $4, field = $5, level = $6, dept_id = $7,
			summary = $8, outcomes = $9, contact = $10, note = $11, updated_at = $12, org_id = $14 WHERE id = $13`,
			r.Name, r.OrgName, r.OrgCreditCode, r.Prefecture, r.Field, r.Level, r.DeptID, r.Summary, r.Outcomes, r.Contact, r.Note, s.stamp(), id, orgID)
		return id, err
	})
}

// notFound is the answer for missing pilots and for those outside the
// caller's reach alike, so ids reveal nothing.
func pilotNotFound(id int64) error {
	return apperr.NotFound("没有编号为 %d 的试点，或不在您的数据范围内", id)
}

// pilotOutOfScope answers like pilotNotFound for a pilot p may not see.
func pilotOutOfScope(id int64) error {
	return apperr.OutOfScope("没有编号为 %d 的试点，或不在您的数据范围内", id)
}

// editablePilot reads a pilot for a write by p, answering "not found" when
// it is outside p's scope.
func (s *Service) editablePilot(ctx context.Context, q querier, p auth.Principal, id int64) (Pilot, error) {
	pl, err := s.getPilot(ctx, q, id)
	if err != nil {
		return Pilot{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Pilot{}, err
	}
	if !sc.Allows(pl.DeptID) {
		return Pilot{}, pilotOutOfScope(id)
	}
	return pl, nil
}

// Pilot returns one pilot as p may see it: everything for those who may
// edit it; the public fields of an approved pilot for everyone else.
func (s *Service) Pilot(ctx context.Context, p auth.Principal, id int64) (Pilot, error) {
	pl, err := s.getPilot(ctx, s.db.Reader(), id)
	if err != nil {
		return Pilot{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Pilot{}, err
	}
	if sc.Allows(pl.DeptID) {
		pl.Editable = true
		pl.Next = NextStages(pl.Stage)
		return pl, nil
	}
	if !pl.Public() {
		return Pilot{}, pilotOutOfScope(id)
	}
	return pl.public(), nil
}

const pilotCols = `p.id, p.name, COALESCE(oe.name, p.org_name), p.org_credit_code, COALESCE(p.org_id, 0), p.prefecture, p.field, p.level, p.dept_id, COALESCE(d.name, ''), p.summary, p.outcomes, p.contact,
	p.stage, p.applied_on, p.approved_on, p.accepted_on, p.revoked_on, p.demo, p.note, p.created_at, p.updated_at`

const pilotFrom = ` FROM pilots p LEFT JOIN departments d ON d.id = p.dept_id LEFT JOIN enterprises oe ON oe.id = p.org_id`

func scanPilot(sc interface{ Scan(...any) error }) (Pilot, error) {
	var pl Pilot
	var demo int
	err := sc.Scan(&pl.ID, &pl.Name, &pl.OrgName, &pl.OrgCreditCode, &pl.OrgID, &pl.Prefecture, &pl.Field, &pl.Level, &pl.DeptID, &pl.DeptName, &pl.Summary, &pl.Outcomes, &pl.Contact,
		&pl.Stage, &pl.AppliedOn, &pl.ApprovedOn, &pl.AcceptedOn, &pl.RevokedOn, &demo, &pl.Note, &pl.CreatedAt, &pl.UpdatedAt)
	if err != nil {
		return pl, err
	}
	pl.Demo = demo != 0
	pl.PrefectureName = label(Prefectures, pl.Prefecture)
	pl.FieldLabel = FieldLabels[pl.Field]
	pl.LevelLabel = LevelLabels[pl.Level]
	pl.StageLabel = StageLabels[pl.Stage]
	return pl, nil
}

func (s *Service) getPilot(ctx context.Context, q querier, id int64) (Pilot, error) {
	pl, err := scanPilot(q.QueryRowContext(ctx, `SELECT `+pilotCols+pilotFrom+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Pilot{}, pilotNotFound(id)
	}
	if err != nil {
		return Pilot{}, fmt.Errorf("pilots: get %d: %w", id, err)
	}
	if err := s.loadDetail(ctx, q, &pl); err != nil {
		return Pilot{}, err
	}
	return pl, nil
}

func (s *Service) loadDetail(ctx context.Context, q querier, pl *Pilot) error {
	pl.Stages, pl.Milestones, pl.Standards = []StageRecord{}, []Milestone{}, []LinkedStandard{}
	rows, err := q.QueryContext(ctx, `SELECT stage, on_date, note, created_by FROM pilot_stages WHERE pilot_id = $1 ORDER BY id`, pl.ID)
	if err != nil {
		return fmt.Errorf("pilots: stages of %d: %w", pl.ID, err)
	}
	for rows.Next() {
		var st StageRecord
		if err := rows.Scan(&st.Stage, &st.Date, &st.Note, &st.CreatedBy); err != nil {
			rows.Close()
			return fmt.Errorf("pilots: stages of %d: %w", pl.ID, err)
		}
		st.Label = StageLabels[st.Stage]
		pl.Stages = append(pl.Stages, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pilots: stages of %d: %w", pl.ID, err)
	}
	today := s.today()
	rows, err = q.QueryContext(ctx, `SELECT id, title, due_on, done_on, note FROM pilot_milestones WHERE pilot_id = $1 ORDER BY due_on, id`, pl.ID)
	if err != nil {
		return fmt.Errorf("pilots: milestones of %d: %w", pl.ID, err)
	}
	for rows.Next() {
		var m Milestone
		if err := rows.Scan(&m.ID, &m.Title, &m.DueOn, &m.DoneOn, &m.Note); err != nil {
			rows.Close()
			return fmt.Errorf("pilots: milestones of %d: %w", pl.ID, err)
		}
		m.classify(today, pl.Stage)
		if m.Status == MilestoneOverdue {
			pl.Overdue++
		}
		pl.Milestones = append(pl.Milestones, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pilots: milestones of %d: %w", pl.ID, err)
	}
	rows, err = q.QueryContext(ctx, `SELECT ps.role, s.id, s.code, s.title, s.status, s.issued FROM pilot_standards ps JOIN standards s ON s.id = ps.standard_id
		WHERE ps.pilot_id = $1 ORDER BY ps.role DESC, s.code, s.id`, pl.ID)
	if err != nil {
		return fmt.Errorf("pilots: standards of %d: %w", pl.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l LinkedStandard
		if err := rows.Scan(&l.Role, &l.ID, &l.Code, &l.Title, &l.Status, &l.Issued); err != nil {
			return fmt.Errorf("pilots: standards of %d: %w", pl.ID, err)
		}
		l.RoleLabel = RoleLabels[l.Role]
		l.Published = l.Status != "project" && l.Issued != "" && l.Issued <= today
		pl.Standards = append(pl.Standards, l)
	}
	return rows.Err()
}

// Filter selects pilots for a list.
type Filter struct {
	Field      string `json:"field"`
	Prefecture string `json:"prefecture"`
	Level      string `json:"level"`
	Stage      string `json:"stage"`
	Q          string `json:"q"`
	// Applications includes, for staff, the pilots not yet approved that
	// they may edit.
	Applications bool `json:"applications"`
}

// Summary is one row of a pilot list.
type Summary struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	OrgName        string `json:"org_name"`
	Prefecture     string `json:"prefecture"`
	PrefectureName string `json:"prefecture_name"`
	Field          string `json:"field"`
	FieldLabel     string `json:"field_label"`
	Level          string `json:"level"`
	LevelLabel     string `json:"level_label"`
	DeptName       string `json:"dept_name"`
	Stage          string `json:"stage"`
	StageLabel     string `json:"stage_label"`
	AppliedOn      string `json:"applied_on,omitempty"`
	ApprovedOn     string `json:"approved_on"`
	AcceptedOn     string `json:"accepted_on"`
	RevokedOn      string `json:"revoked_on"`
	Overdue        int    `json:"overdue_milestones"`
	Demo           bool   `json:"demo"`
}

// Overview is the list page's headline: how far task 3's target is met.
type Overview struct {
	Approved int            `json:"approved"` // approved and not revoked
	Accepted int            `json:"accepted"`
	Target   int            `json:"target"`
	ByField  map[string]int `json:"by_field"`
	Overdue  int            `json:"overdue_milestones"`
}

// ListPilots returns the pilots p may see matching f, with the overview of
// the public ones.
func (s *Service) ListPilots(ctx context.Context, p auth.Principal, f Filter) ([]Summary, Overview, error) {
	var a kit.Args
	add := a.Add
	vis := "p.approved_on <> ''"
	if f.Applications {
		sc, err := s.editScope(ctx, p)
		if err != nil {
			return nil, Overview{}, err
		}
		switch cond := sc.Cond("p.dept_id", &a); cond {
		case "":
			vis = "1 = 1"
		case "1 = 0":
		default:
			vis = "(" + vis + " OR " + cond + ")"
		}
	}
	where := []string{vis}
	if k, ok := lookup(Fields(), f.Field); ok {
		where = append(where, "p.field = "+add(k))
	}
	if k, ok := lookup(Prefectures, f.Prefecture); ok {
		where = append(where, "p.prefecture = "+add(k))
	}
	if k, ok := lookup(mapOptions(LevelLabels, LevelNational, LevelProvincial), f.Level); ok {
		where = append(where, "p.level = "+add(k))
	}
	if k := stageKey(f.Stage); StageLabels[k] != "" {
		where = append(where, "p.stage = "+add(k))
	}
	if q := fold(f.Q); q != "" {
		if len([]rune(q)) > 100 {
			q = string([]rune(q)[:100])
		}
		ph := add("%" + kit.EscapeLike(q) + "%")
		where = append(where, "(p.name LIKE "+ph+" ESCAPE '\\' OR p.org_name LIKE "+ph+" ESCAPE '\\' OR oe.name LIKE "+ph+" ESCAPE '\\')")
	}
	today := s.today()
	due := add(today)
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+pilotCols+`,
		(SELECT COUNT(*) FROM pilot_milestones m WHERE m.pilot_id = p.id AND m.done_on = '' AND m.due_on < `+due+`)`+pilotFrom+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY CASE WHEN p.approved_on = '' THEN 0 ELSE 1 END, p.approved_on DESC, p.id DESC LIMIT 1000`, a.Values()...)
	if err != nil {
		return nil, Overview{}, fmt.Errorf("pilots: list: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	ov := Overview{Target: Target, ByField: map[string]int{}}
	for rows.Next() {
		var overdue int
		pl, err := scanPilot(scanWith{rows, &overdue})
		if err != nil {
			return nil, Overview{}, fmt.Errorf("pilots: list: %w", err)
		}
		if isClosed(pl.Stage) {
			overdue = 0
		}
		sm := Summary{ID: pl.ID, Name: pl.Name, OrgName: pl.OrgName, Prefecture: pl.Prefecture, PrefectureName: pl.PrefectureName, Field: pl.Field, FieldLabel: pl.FieldLabel,
			Level: pl.Level, LevelLabel: pl.LevelLabel, DeptName: pl.DeptName, Stage: pl.Stage, StageLabel: pl.StageLabel, ApprovedOn: pl.ApprovedOn,
			AcceptedOn: pl.AcceptedOn, RevokedOn: pl.RevokedOn, Overdue: overdue, Demo: pl.Demo}
		if f.Applications {
			sm.AppliedOn = pl.AppliedOn
		}
		if pl.ApprovedOn != "" && pl.RevokedOn == "" {
			ov.Approved++
			ov.ByField[pl.Field]++
			if pl.AcceptedOn != "" {
				ov.Accepted++
			}
		}
		ov.Overdue += overdue
		out = append(out, sm)
	}
	return out, ov, rows.Err()
}

// scanWith scans the pilot columns followed by extra destinations.
type scanWith struct {
	rows  *sql.Rows
	extra *int
}

func (w scanWith) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra)...) }
