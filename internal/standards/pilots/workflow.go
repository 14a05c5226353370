package pilots

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
)

// Stages of a pilot, in the order the workflow runs.
const (
	StageApplied      = "applied"      // 申报
	StageApproved     = "approved"     // 批准立项
	StageConstruction = "construction" // 建设
	StagePassed       = "passed"       // 验收通过
	StageFailed       = "failed"       // 验收未通过
	StageExtended     = "extended"     // 延期验收
	StageRevoked      = "revoked"      // 撤销
)

// StageOrder lists the stages for pages and filters.
var StageOrder = []string{StageApplied, StageApproved, StageConstruction, StageExtended, StagePassed, StageFailed, StageRevoked}

// StageLabels are the stages' Chinese names.
var StageLabels = map[string]string{
	StageApplied: "申报", StageApproved: "批准立项", StageConstruction: "建设", StagePassed: "验收通过",
	StageFailed: "验收未通过", StageExtended: "延期验收", StageRevoked: "撤销",
}

// next lists the steps allowed after each stage: no skipping, acceptance
// only after construction, a postponed acceptance may be postponed again,
// and a pilot may be revoked until it has been accepted or failed.
var next = map[string][]string{
	StageApplied:      {StageApproved, StageRevoked},
	StageApproved:     {StageConstruction, StageRevoked},
	StageConstruction: {StagePassed, StageFailed, StageExtended, StageRevoked},
	StageExtended:     {StagePassed, StageFailed, StageExtended, StageRevoked},
}

// NextStages returns the steps a pilot at stage may take now.
func NextStages(stage string) []Option {
	out := []Option{}
	for _, n := range next[stage] {
		out = append(out, Option{n, StageLabels[n]})
	}
	return out
}

// datedColumn is the pilots column that keeps the date of a step the
// metrics count.
var datedColumn = map[string]string{StageApproved: "approved_on", StagePassed: "accepted_on", StageRevoked: "revoked_on"}

func isClosed(stage string) bool { return len(next[stage]) == 0 }

func stageKey(s string) string {
	s = fold(s)
	for k, v := range StageLabels {
		if s == v {
			return k
		}
	}
	return s
}

// Step is one advance of a pilot's workflow.
type Step struct {
	Stage string `json:"stage"` // a stage key or its Chinese label
	Date  string `json:"date"`
	Note  string `json:"note"`
}

// Advance records the pilot's next step, dated: steps follow the order
// without skipping, no date is later than today or earlier than the
// previous step's, and 撤销 needs a reason.
func (s *Service) Advance(ctx context.Context, p auth.Principal, id int64, step Step) (Pilot, error) {
	if err := p.Require(WriteRoles...); err != nil {
		return Pilot{}, err
	}
	stage := stageKey(step.Stage)
	if StageLabels[stage] == "" || stage == StageApplied {
		return Pilot{}, apperr.Invalid("环节“%s”无效，应为 批准立项、建设、验收通过、验收未通过、延期验收 或 撤销", strings.TrimSpace(step.Stage))
	}
	var c checker
	date := c.date(StageLabels[stage]+"日期", step.Date, true, s.today())
	note := c.text("说明", step.Note, 1000, stage == StageRevoked || stage == StageFailed, true)
	if err := c.err(); err != nil {
		return Pilot{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Pilot{}, err
	}
	_, err = s.pilotSpec().Save(ctx, kit.Write[Pilot]{By: p.Actor(), ID: id, Action: "advance:" + stage,
		Check: func(_ *sql.Tx, before Pilot) error {
			if !sc.Allows(before.DeptID) {
				return pilotOutOfScope(id)
			}
			if !slices.Contains(next[before.Stage], stage) {
				hint := "试点流程已结束，不能再登记环节"
				if ns := NextStages(before.Stage); len(ns) > 0 {
					var ls []string
					for _, o := range ns {
						ls = append(ls, o.Label)
					}
					hint = "下一步只能是：" + strings.Join(ls, "、")
				}
				return apperr.Invalid("当前环节为“%s”，不能直接登记“%s”；%s", StageLabels[before.Stage], StageLabels[stage], hint)
			}
			if n := len(before.Stages); n > 0 && date < before.Stages[n-1].Date {
				last := before.Stages[n-1]
				return apperr.Invalid("%s日期 %s 早于上一环节“%s”的日期 %s", StageLabels[stage], date, last.Label, last.Date)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Pilot) (int64, error) {
			now := s.stamp()
			args := []any{stage, now, id}
			set := ""
			if col := datedColumn[stage]; col != "" {
				set = ", " + col + " = $4"
				args = append(args, date)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE pilots SET stage = $1, updated_at = $2`+set+` WHERE id = $3`, args...); err != nil {
				return 0, err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO pilot_stages(pilot_id, stage, on_date, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, stage, date, note, p.Actor().Name, now)
			return id, err
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, id)
}

// Milestone statuses.
const (
	MilestoneDone     = "done"
	MilestoneLate     = "late"    // done after its due date
	MilestoneOverdue  = "overdue" // not done and past its due date
	MilestoneDueSoon  = "soon"    // not done, due within DueSoonDays
	MilestoneOpen     = "open"
	MilestoneDropped  = "dropped" // left open when the pilot ended
	DueSoonDays       = 30
	milestoneDateForm = "2006-01-02"
)

// MilestoneLabels name the statuses; the colour classes follow the
// 督查督办 convention (green, yellow, red, blue).
var MilestoneLabels = map[string]string{
	MilestoneDone: "按期完成", MilestoneLate: "逾期完成", MilestoneOverdue: "逾期未完成", MilestoneDueSoon: "临近到期",
	MilestoneOpen: "未到期", MilestoneDropped: "未完成（试点已结束）",
}

var milestoneColours = map[string]string{
	MilestoneDone: "green", MilestoneLate: "yellow", MilestoneOverdue: "red", MilestoneDueSoon: "blue", MilestoneOpen: "", MilestoneDropped: "",
}

// Milestone is one planned step of a pilot's construction.
type Milestone struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	DueOn       string `json:"due_on"`
	DoneOn      string `json:"done_on"`
	Note        string `json:"note,omitempty"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Colour      string `json:"colour"`
}

func (m *Milestone) classify(today, pilotStage string) {
	switch {
	case m.DoneOn != "" && m.DoneOn <= m.DueOn:
		m.Status = MilestoneDone
	case m.DoneOn != "":
		m.Status = MilestoneLate
	case isClosed(pilotStage):
		m.Status = MilestoneDropped
	case m.DueOn < today:
		m.Status = MilestoneOverdue
	case m.DueOn <= kit.AddDays(today, DueSoonDays):
		m.Status = MilestoneDueSoon
	default:
		m.Status = MilestoneOpen
	}
	m.StatusLabel, m.Colour = MilestoneLabels[m.Status], milestoneColours[m.Status]
}

// MilestoneInput adds a milestone, or (with DoneOn) records its completion.
type MilestoneInput struct {
	ID     int64  `json:"id,omitempty"` // the milestone, when completing one
	Title  string `json:"title"`
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on"`
	Note   string `json:"note"`
	// Reason explains a correction (UpdateMilestone): required when a done
	// milestone's completion date changes; kept in the audit log.
	Reason string `json:"reason,omitempty"`
}

// milestoneRow is a milestone as stored, with its pilot: what a creation's
// audit entry records (no status, which is computed when read).
type milestoneRow struct {
	PilotID int64
	M       Milestone
}

// milestoneSpec is the milestones' register as their creation writes it.
func (s *Service) milestoneSpec() kit.Spec[milestoneRow] {
	return kit.Spec[milestoneRow]{DB: s.db, Entity: "pilot_milestone", Noun: "进度节点",
		Load: func(ctx context.Context, q querier, id int64) (milestoneRow, error) {
			var r milestoneRow
			err := q.QueryRowContext(ctx, `SELECT pilot_id, id, title, due_on, done_on, note FROM pilot_milestones WHERE id = $1`, id).
				Scan(&r.PilotID, &r.M.ID, &r.M.Title, &r.M.DueOn, &r.M.DoneOn, &r.M.Note)
			if errors.Is(err, sql.ErrNoRows) {
				return r, apperr.NotFound("没有编号为 %d 的进度节点", id)
			}
			if err != nil {
				return r, fmt.Errorf("pilots: milestone %d: %w", id, err)
			}
			return r, nil
		},
		Audit: func(r milestoneRow) any { return milestoneState(r.PilotID, r.M) }}
}

// milestoneKey names a milestone of a pilot.
type milestoneKey struct{ Pilot, Milestone int64 }

// milestones are the milestones as their changes (completion, correction,
// removal) write them, by pilot and milestone; the audit log names one by
// its id. Load reads the milestone as the pilot shows it, with its status;
// a pilot not found is a milestone not found, which the write's Check
// refuses with the pilot's own message.
func (s *Service) milestones() kit.Setting[milestoneKey, Milestone] {
	return kit.Setting[milestoneKey, Milestone]{DB: s.db, Entity: "pilot_milestone",
		ID: func(k milestoneKey) string { return strconv.FormatInt(k.Milestone, 10) },
		Load: func(ctx context.Context, q querier, k milestoneKey) (Milestone, bool, error) {
			pl, err := s.getPilot(ctx, q, k.Pilot)
			if errors.Is(err, apperr.ErrNotFound) {
				return Milestone{}, false, nil
			}
			if err != nil {
				return Milestone{}, false, err
			}
			for _, m := range pl.Milestones {
				if m.ID == k.Milestone {
					return m, true, nil
				}
			}
			return Milestone{}, false, nil
		}}
}

// milestoneState is a milestone as the audit log records it, with its pilot.
func milestoneState(pilotID int64, m Milestone) map[string]any {
	return map[string]any{"pilot_id": pilotID, "milestone": m}
}

// bare is m without the status computed when it was read: what a
// correction's and a removal's entries record of the milestone before.
func bare(m Milestone) Milestone {
	m.Status, m.StatusLabel, m.Colour = "", "", ""
	return m
}

// AddMilestone plans a milestone of a pilot that is still running.
func (s *Service) AddMilestone(ctx context.Context, p auth.Principal, pilotID int64, in MilestoneInput) (Pilot, error) {
	var c checker
	var title, due, note string
	_, err := s.milestoneSpec().Save(ctx, kit.Write[milestoneRow]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Action: "create",
		Validate: func() error {
			title = c.text("节点名称", in.Title, 200, true, false)
			due = c.date("计划完成日期", in.DueOn, true, "")
			note = c.text("说明", in.Note, 1000, false, true)
			return c.err()
		},
		Check: func(tx *sql.Tx, _ milestoneRow) error {
			pl, err := s.editablePilot(ctx, tx, p, pilotID)
			if err != nil {
				return err
			}
			if isClosed(pl.Stage) {
				return apperr.Invalid("试点已%s，不能再增加进度节点", StageLabels[pl.Stage])
			}
			if due < pl.AppliedOn {
				return apperr.Invalid("计划完成日期 %s 早于申报日期 %s", due, pl.AppliedOn)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ milestoneRow) (mid int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO pilot_milestones(pilot_id, title, due_on, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
				pilotID, title, due, note, p.Actor().Name, s.stamp()).Scan(&mid)
			return mid, err
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, pilotID)
}

// CompleteMilestone records the date a milestone was reached.
func (s *Service) CompleteMilestone(ctx context.Context, p auth.Principal, pilotID int64, in MilestoneInput) (Pilot, error) {
	var c checker
	var done, note string
	state := func(m Milestone) any { return milestoneState(pilotID, m) }
	_, err := s.milestones().Save(ctx, kit.Put[milestoneKey, Milestone]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Key: milestoneKey{pilotID, in.ID}, Action: "complete",
		Audit: state,
		Validate: func() error {
			done = c.date("完成日期", in.DoneOn, true, s.today())
			note = c.text("说明", in.Note, 1000, false, true)
			if in.ID <= 0 {
				c.bad("进度节点", "请选择要登记完成的进度节点")
			}
			return c.err()
		},
		Check: func(tx *sql.Tx, before Milestone, found bool) error {
			pl, err := s.editablePilot(ctx, tx, p, pilotID)
			if err != nil {
				return err
			}
			switch {
			case pl.Stage == StageRevoked:
				return apperr.Invalid("试点已撤销，不能再登记进度")
			case !found:
				return apperr.NotFound("该试点没有编号为 %d 的进度节点", in.ID)
			case before.DoneOn != "":
				return apperr.Invalid("进度节点“%s”已于 %s 完成", before.Title, before.DoneOn)
			case done < pl.AppliedOn:
				return apperr.Invalid("完成日期 %s 早于申报日期 %s", done, pl.AppliedOn)
			}
			return nil
		},
		// The entry's after is the milestone before with its date and
		// note, its status as it was read (as the entries always were).
		Exec: func(tx *sql.Tx, before Milestone, _ bool) (Milestone, error) {
			after := before
			after.DoneOn, after.Note = done, note
			if note == "" {
				after.Note = before.Note
			}
			_, err := tx.ExecContext(ctx, `UPDATE pilot_milestones SET done_on = $1, note = $2, updated_at = $3 WHERE id = $4 AND pilot_id = $5`,
				after.DoneOn, after.Note, s.stamp(), in.ID, pilotID)
			return after, err
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, pilotID)
}

// correctable refuses, for a correction by p, a milestone not found or of
// a pilot not running (the same rule as AddMilestone); it returns the pilot.
func (s *Service) correctable(ctx context.Context, tx *sql.Tx, p auth.Principal, pilotID, milestoneID int64, found bool, verb string) (Pilot, error) {
	pl, err := s.editablePilot(ctx, tx, p, pilotID)
	if err != nil {
		return Pilot{}, err
	}
	if isClosed(pl.Stage) {
		return Pilot{}, apperr.Invalid("试点已%s，不能再%s进度节点", StageLabels[pl.Stage], verb)
	}
	if !found {
		return Pilot{}, apperr.NotFound("该试点没有编号为 %d 的进度节点", milestoneID)
	}
	return pl, nil
}

// UpdateMilestone corrects a milestone's title, due date and note. A done
// milestone's completion date changes only with a reason (in.Reason); an
// empty in.DoneOn keeps it, and an open milestone is completed through
// CompleteMilestone, not here. The pilot must still be running. The entry
// is "correct_done" when the done date changes, else "update"; its after
// has the reason.
func (s *Service) UpdateMilestone(ctx context.Context, p auth.Principal, pilotID, milestoneID int64, in MilestoneInput) (Pilot, error) {
	var c checker
	var title, due, note, done, reason string
	// doneOf is the done date the correction leaves: an empty one keeps it.
	doneOf := func(before Milestone) string {
		if done == "" {
			return before.DoneOn
		}
		return done
	}
	corrected := func(before Milestone) Milestone {
		return Milestone{ID: before.ID, Title: title, DueOn: due, DoneOn: doneOf(before), Note: note}
	}
	_, err := s.milestones().Save(ctx, kit.Put[milestoneKey, Milestone]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Key: milestoneKey{pilotID, milestoneID}, Action: "update",
		UpdateFor: func(before Milestone) string {
			if doneOf(before) != before.DoneOn {
				return "correct_done"
			}
			return "update"
		},
		Audit: func(m Milestone) any { return milestoneState(pilotID, bare(m)) },
		AuditAfter: func(m Milestone) any {
			return map[string]any{"pilot_id": pilotID, "milestone": m, "reason": reason}
		},
		Validate: func() error {
			title = c.text("节点名称", in.Title, 200, true, false)
			due = c.date("计划完成日期", in.DueOn, true, "")
			note = c.text("说明", in.Note, 1000, false, true)
			done = c.date("完成日期", in.DoneOn, false, s.today())
			reason = c.text("更正原因", in.Reason, 500, false, true)
			return c.err()
		},
		Check: func(tx *sql.Tx, before Milestone, found bool) error {
			pl, err := s.correctable(ctx, tx, p, pilotID, milestoneID, found, "修改")
			if err != nil {
				return err
			}
			if due < pl.AppliedOn {
				return apperr.Invalid("计划完成日期 %s 早于申报日期 %s", due, pl.AppliedOn)
			}
			switch {
			case before.DoneOn == "" && done != "":
				return apperr.Invalid("进度节点“%s”尚未完成：请用“登记节点完成”登记完成日期", before.Title)
			case done == "":
			case done != before.DoneOn && reason == "":
				return apperr.Invalid("更正已完成节点的完成日期（%s → %s）须填写更正原因", before.DoneOn, done)
			case done < pl.AppliedOn:
				return apperr.Invalid("完成日期 %s 早于申报日期 %s", done, pl.AppliedOn)
			}
			return nil
		},
		Same: func(before Milestone) bool { return corrected(before) == bare(before) },
		Exec: func(tx *sql.Tx, before Milestone, _ bool) (Milestone, error) {
			after := corrected(before)
			_, err := tx.ExecContext(ctx, `UPDATE pilot_milestones SET title = $1, due_on = $2, done_on = $3, note = $4, updated_at = $5 WHERE id = $6 AND pilot_id = $7`,
				after.Title, after.DueOn, after.DoneOn, after.Note, s.stamp(), milestoneID, pilotID)
			return after, err
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, pilotID)
}

// DeleteMilestone removes a milestone not yet done, with a reason; the
// audit log keeps what it was, and its after is {pilot_id, deleted,
// reason}. A done milestone stays: its date can be corrected
// (UpdateMilestone) but not erased. The pilot must still be running.
func (s *Service) DeleteMilestone(ctx context.Context, p auth.Principal, pilotID, milestoneID int64, reason string) (Pilot, error) {
	var c checker
	var why string
	_, err := s.milestones().Save(ctx, kit.Put[milestoneKey, Milestone]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Key: milestoneKey{pilotID, milestoneID}, Action: "delete", Remove: true,
		Audit:      func(m Milestone) any { return milestoneState(pilotID, bare(m)) },
		AuditAfter: func(Milestone) any { return map[string]any{"pilot_id": pilotID, "deleted": true, "reason": why} },
		Validate: func() error {
			why = c.text("删除原因", reason, 500, true, true)
			return c.err()
		},
		Check: func(tx *sql.Tx, before Milestone, found bool) error {
			if _, err := s.correctable(ctx, tx, p, pilotID, milestoneID, found, "删除"); err != nil {
				return err
			}
			if before.DoneOn != "" {
				return apperr.Invalid("进度节点“%s”已于 %s 完成，不能删除；如完成日期有误，请更正", before.Title, before.DoneOn)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Milestone, _ bool) (Milestone, error) {
			res, err := tx.ExecContext(ctx, `DELETE FROM pilot_milestones WHERE id = $1 AND pilot_id = $2 AND done_on = ''`, milestoneID, pilotID)
			if err != nil {
				return Milestone{}, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return Milestone{}, err
			} else if n != 1 {
				return Milestone{}, apperr.Conflict("进度节点 %d 刚被他人修改，请刷新后重试", milestoneID)
			}
			return Milestone{}, nil
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, pilotID)
}

// Roles of a standard for a pilot.
const (
	RoleProduced = "produced" // 试点形成（研制）的标准
	RoleApplies  = "applies"  // 试点实施应用的标准
)

// RoleLabels name the roles.
var RoleLabels = map[string]string{RoleProduced: "试点研制", RoleApplies: "实施应用"}

// LinkedStandard is a registry standard linked to a pilot.
type LinkedStandard struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Title     string `json:"title"`
	Status    string `json:"status"`
	Issued    string `json:"issued"`
	Published bool   `json:"published"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
}

// LinkInput links (or, with Remove, unlinks) a registry standard, named by
// its id or its code in any usual form.
type LinkInput struct {
	Standard string `json:"standard"`
	Role     string `json:"role"`
	Remove   bool   `json:"remove"`
}

// resolveStandard finds a registry standard by id or code.
func resolveStandard(ctx context.Context, q querier, ref string) (int64, string, error) {
	ref = fold(ref)
	if ref == "" {
		return 0, "", apperr.Invalid("请填写标准号或标准库中的编号")
	}
	var id int64
	var code string
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil && n > 0 {
		err = q.QueryRowContext(ctx, `SELECT id, code FROM standards WHERE id = $1`, n).Scan(&id, &code)
	} else {
		c := standards.ParseCode(ref)
		if !c.Valid {
			return 0, "", apperr.Invalid("标准号“%s”无法识别：%s", ref, c.Error)
		}
		err = q.QueryRowContext(ctx, `SELECT id, code FROM standards WHERE code_key = $1`, c.Normalized).Scan(&id, &code)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", apperr.Invalid("标准库中没有“%s”，请先在标准库登记该标准", ref)
	}
	if err != nil {
		return 0, "", fmt.Errorf("pilots: look up standard %q: %w", ref, err)
	}
	return id, code, nil
}

// standardKey names a pilot's link to a registry standard in a role.
type standardKey struct {
	Pilot, Standard int64
	Role            string
}

// standardLink is a pilot's link to a standard as the audit log records
// it (the standard's code with its id).
type standardLink struct {
	Code       string `json:"code"`
	PilotID    int64  `json:"pilot_id"`
	Role       string `json:"role"`
	StandardID int64  `json:"standard_id"`
}

// standardLinks are the pilots' standards as the kit writes them; the
// audit log names one "pilot/standard/role".
func (s *Service) standardLinks() kit.Setting[standardKey, standardLink] {
	return kit.Setting[standardKey, standardLink]{DB: s.db, Entity: "pilot_standard",
		ID: func(k standardKey) string { return fmt.Sprintf("%d/%d/%s", k.Pilot, k.Standard, k.Role) },
		Load: func(ctx context.Context, q querier, k standardKey) (standardLink, bool, error) {
			l := standardLink{PilotID: k.Pilot, StandardID: k.Standard, Role: k.Role}
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT s.code FROM pilot_standards ps JOIN standards s ON s.id = ps.standard_id WHERE ps.pilot_id = $1 AND ps.standard_id = $2 AND ps.role = $3`,
				k.Pilot, k.Standard, k.Role).Scan(&l.Code))
			return l, found, err
		}}
}

// LinkStandard links a pilot to a standard it produced or applies (with
// in.Remove, unlinks it). A link already there, or an unlink of a link
// that is not, changes nothing.
func (s *Service) LinkStandard(ctx context.Context, p auth.Principal, pilotID int64, in LinkInput) (Pilot, error) {
	allowed := p.Require(WriteRoles...)
	role := fold(in.Role)
	for k, v := range RoleLabels {
		if role == v {
			role = k
		}
	}
	// The standard names the record, so it is looked up before the write;
	// its refusal waits for the pilot's (Check), as it always has.
	var sid int64
	var code string
	var resolveErr error
	if allowed == nil && RoleLabels[role] != "" {
		sid, code, resolveErr = resolveStandard(ctx, s.db.Reader(), in.Standard)
	}
	action := "link"
	if in.Remove {
		action = "unlink"
	}
	link := standardLink{Code: code, PilotID: pilotID, Role: role, StandardID: sid}
	_, err := s.standardLinks().Save(ctx, kit.Put[standardKey, standardLink]{By: p.Actor(), Allowed: allowed, Key: standardKey{pilotID, sid, role}, Action: action, Remove: in.Remove,
		Validate: func() error {
			if RoleLabels[role] == "" {
				return apperr.Invalid("标准与试点的关系“%s”无效，应为 试点研制 或 实施应用", in.Role)
			}
			return nil
		},
		Check: func(tx *sql.Tx, _ standardLink, _ bool) error {
			if _, err := s.editablePilot(ctx, tx, p, pilotID); err != nil {
				return err
			}
			return resolveErr
		},
		Same: func(standardLink) bool { return true }, // already linked
		Exec: func(tx *sql.Tx, _ standardLink, _ bool) (standardLink, error) {
			var res sql.Result
			var err error
			if in.Remove {
				res, err = tx.ExecContext(ctx, `DELETE FROM pilot_standards WHERE pilot_id = $1 AND standard_id = $2 AND role = $3`, pilotID, sid, role)
			} else {
				res, err = tx.ExecContext(ctx, `INSERT INTO pilot_standards(pilot_id, standard_id, role, created_by, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
					pilotID, sid, role, p.Actor().Name, s.stamp())
			}
			if err != nil {
				return link, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return link, kit.Unchanged // changed since the link was read
			}
			return link, nil
		}})
	if err != nil {
		return Pilot{}, err
	}
	return s.Pilot(ctx, p, pilotID)
}
