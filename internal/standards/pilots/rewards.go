package pilots

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
)

// RewardLevels are the levels of the standard a reward is for.
var RewardLevels = []Option{{"international", "国际标准"}, {"national", "国家标准"}, {"sector", "行业标准"}, {"local", "地方标准"}}

// RewardRoles are what the enterprise did.
var RewardRoles = []Option{{"formulate", "主导制定"}, {"revise", "主导修订"}}

// Reward is a grant to an enterprise for leading a standard (方案任务 2:
// 对主导制修订国际、国家、行业、地方标准的企业给予奖励).
type Reward struct {
	ID            int64  `json:"id"`
	ProjectID     int64  `json:"project_id,omitempty"`
	ProjectNumber string `json:"project_number,omitempty"`
	DeptID        int64  `json:"dept_id"`
	DeptName      string `json:"dept_name"`
	Enterprise    string `json:"enterprise"`
	CreditCode    string `json:"credit_code,omitempty"`
	EnterpriseID  int64  `json:"enterprise_id,omitempty"` // the enterprise directory entry; Enterprise is then its current name
	StandardCode  string `json:"standard_code"`
	Level         string `json:"level"`
	LevelLabel    string `json:"level_label"`
	Role          string `json:"role"`
	RoleLabel     string `json:"role_label"`
	AmountFen     int64  `json:"amount_fen"`
	Amount        string `json:"amount_yuan"` // "50,000.00"
	Policy        string `json:"policy"`
	AwardedOn     string `json:"awarded_on"`
	Demo          bool   `json:"demo"`
	Note          string `json:"note,omitempty"`
	// Status is RewardActive or RewardWithdrawn; only those who may edit the
	// granting department see withdrawn rewards and who changed what.
	Status         string `json:"status"`
	StatusLabel    string `json:"status_label"`
	WithdrawnOn    string `json:"withdrawn_on,omitempty"`
	WithdrawnAt    string `json:"withdrawn_at,omitempty"`
	WithdrawnBy    string `json:"withdrawn_by,omitempty"`
	WithdrawReason string `json:"withdraw_reason,omitempty"`
	UpdatedBy      string `json:"updated_by,omitempty"`
	UpdatedAt      string `json:"updated_at,omitempty"`
	Editable       bool   `json:"editable,omitempty"`
}

// Reward statuses.
const (
	RewardActive    = "active"
	RewardWithdrawn = "withdrawn"
)

// RewardStatusLabels name the statuses.
var RewardStatusLabels = map[string]string{RewardActive: "有效", RewardWithdrawn: "已撤销"}

// public strips what only those who may edit the reward see.
func (r Reward) public() Reward {
	r.Note, r.UpdatedBy, r.UpdatedAt, r.Editable = "", "", "", false
	r.WithdrawnOn, r.WithdrawnAt, r.WithdrawnBy, r.WithdrawReason = "", "", "", ""
	return r
}

// RewardInput records a reward. Amount is written in yuan ("50000",
// "5万", "12,345.60"); it is stored in fen.
type RewardInput struct {
	ProjectID     int64  `json:"project_id"`
	ProjectNumber string `json:"project_number"`
	DeptID        int64  `json:"dept_id"`
	Dept          string `json:"dept"`
	Enterprise    string `json:"enterprise"`
	CreditCode    string `json:"credit_code"`
	StandardCode  string `json:"standard_code"`
	Level         string `json:"level"`
	Role          string `json:"role"`
	Amount        string `json:"amount"`
	Policy        string `json:"policy"`
	AwardedOn     string `json:"awarded_on"`
	Demo          bool   `json:"demo"`
	Note          string `json:"note"`
}

// rewardRow is a validated RewardInput.
type rewardRow struct {
	project                                               any // project id, or nil
	deptID                                                int64
	ent, credit, code, level, role, policy, awarded, note string
	fen                                                   int64
}

// validateReward checks a reward as AddReward and UpdateReward take it;
// every problem is reported at once, and nothing is written.
func (s *Service) validateReward(ctx context.Context, q querier, in RewardInput) (rewardRow, error) {
	var c checker
	var r rewardRow
	r.ent = c.text("获奖企业", in.Enterprise, 200, true, false)
	r.credit = c.creditCode("统一社会信用代码", in.CreditCode)
	if v := fold(in.StandardCode); v == "" {
		c.bad("标准号", "请填写获奖的标准号")
	} else if pc := standards.ParseCode(v); pc.Valid {
		r.code = pc.Display
	} else {
		r.code = c.text("标准号", v, 100, true, false) // international codes are kept as written
	}
	level, ok := lookup(RewardLevels, in.Level)
	if !ok {
		c.bad("标准级别", "标准级别“%s”无效，应为 国际标准、国家标准、行业标准 或 地方标准", strings.TrimSpace(in.Level))
	}
	r.level = level
	role, ok := lookup(RewardRoles, in.Role)
	if !ok {
		c.bad("承担角色", "承担角色“%s”无效，应为 主导制定 或 主导修订", strings.TrimSpace(in.Role))
	}
	r.role = role
	fen, ok := ParseYuan(in.Amount)
	if !ok {
		c.bad("奖励金额", "奖励金额“%s”无效：请填写以元为单位的金额（如 50000、5万、12,345.60），最多两位小数", strings.TrimSpace(in.Amount))
	}
	r.fen = fen
	r.policy = c.text("政策依据", in.Policy, 300, true, false)
	r.awarded = c.date("奖励日期", in.AwardedOn, true, s.today())
	r.note = c.text("备注", in.Note, 1000, false, true)
	r.deptID, _ = s.dept(ctx, q, &c, in.DeptID, in.Dept)
	if in.ProjectID > 0 || fold(in.ProjectNumber) != "" {
		var pid int64
		err := q.QueryRowContext(ctx, `SELECT id FROM sci_projects WHERE id = $1 OR number = $2`, in.ProjectID, strings.ToUpper(fold(in.ProjectNumber))).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			c.bad("科技项目", "科技项目“%s”未登记", firstNonEmpty(in.ProjectNumber, strconv.FormatInt(in.ProjectID, 10)))
		} else if err != nil {
			return rewardRow{}, fmt.Errorf("pilots: reward project: %w", err)
		} else {
			r.project = pid
		}
	}
	return r, c.err()
}

// rewardSpec is the reward register as the kit's write skeleton sees it.
func (s *Service) rewardSpec() kit.Spec[Reward] {
	return kit.Spec[Reward]{DB: s.db, Entity: "standard_reward", Noun: "奖励记录", Load: s.getReward, Dept: func(r Reward) int64 { return r.DeptID }}
}

// AddReward records a reward granted by a department within p's scope,
// optionally for a project's output.
func (s *Service) AddReward(ctx context.Context, p auth.Principal, in RewardInput) (Reward, error) {
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Reward{}, err
	}
	var r rewardRow
	saved, err := s.rewardSpec().Save(ctx, kit.Write[Reward]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Scope: &sc, Action: "create",
		Check: func(tx *sql.Tx, _ Reward) (err error) {
			if r, err = s.validateReward(ctx, tx, in); err != nil {
				return err
			}
			return requireDept(sc, r.deptID)
		},
		Exec: func(tx *sql.Tx, _ Reward) (id int64, err error) {
			entID, err := s.enterpriseRef(ctx, tx, p, r.credit, r.ent, in.Demo)
			if err != nil {
				return 0, err
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO standard_rewards(project_id, dept_id, enterprise, credit_code, enterprise_id, standard_code, level, role, amount_fen, policy, awarded_on, demo, note, created_by, created_at)
				VALUES ($1, $2, $3, $4, $15, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
				r.project, r.deptID, r.ent, r.credit, r.code, r.level, r.role, r.fen, r.policy, r.awarded, store.BoolInt(in.Demo), r.note, p.Actor().Name, s.stamp(), entID).Scan(&id)
			return id, err
		},
	})
	if err != nil {
		return Reward{}, err
	}
	return s.getReward(ctx, s.db.Reader(), saved.ID)
}

// rewardNotFound answers for missing rewards and for those outside the
// caller's reach alike, so ids reveal nothing.
func rewardNotFound(id int64) error {
	return apperr.NotFound("没有编号为 %d 的奖励记录，或不在您的数据范围内", id)
}

// editableReward reads a reward for a write by p ("not found" outside p's
// scope).
func (s *Service) editableReward(ctx context.Context, q querier, p auth.Principal, id int64) (Reward, error) {
	r, err := s.getReward(ctx, q, id)
	if err != nil {
		return Reward{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Reward{}, err
	}
	if !sc.Allows(r.DeptID) {
		return Reward{}, apperr.OutOfScope("没有编号为 %d 的奖励记录，或不在您的数据范围内", id)
	}
	return r, nil
}

// UpdateReward corrects a reward that has not been withdrawn. The input is
// checked exactly as AddReward checks it (all fields are replaced; Demo is
// kept as recorded); moving the reward to another granting department needs
// scope over both. Before and after go to the audit log in the same
// transaction.
func (s *Service) UpdateReward(ctx context.Context, p auth.Principal, id int64, in RewardInput) (Reward, error) {
	var r rewardRow
	return s.changeReward(ctx, p, id, "update", nil,
		func(tx *sql.Tx, before Reward, sc kit.Scope) (err error) {
			if before.Status == RewardWithdrawn {
				return apperr.Invalid("该奖励记录已于 %s 撤销，不能再修改", before.WithdrawnOn)
			}
			if r, err = s.validateReward(ctx, tx, in); err != nil {
				return err
			}
			if r.deptID != before.DeptID {
				return requireDept(sc, r.deptID)
			}
			return nil
		},
		func(tx *sql.Tx) (sql.Result, error) {
			entID, err := s.enterpriseRef(ctx, tx, p, r.credit, r.ent, in.Demo)
			if err != nil {
				return nil, err
			}
			return tx.ExecContext(ctx, `UPDATE standard_rewards SET project_id = $1, dept_id = $2, enterprise = $3, credit_code = $4, standard_code = $5, level = $6, role = $7,
				amount_fen = $8, policy = $9, awarded_on = $10, note = $11, updated_by = $12, updated_at = $13, enterprise_id = $15 WHERE id = $14 AND status = 'active'`,
				r.project, r.deptID, r.ent, r.credit, r.code, r.level, r.role, r.fen, r.policy, r.awarded, r.note, p.Actor().Name, s.stamp(), id, entID)
		}, "奖励记录 %d 刚被他人修改或撤销，请刷新后重试")
}

// WithdrawReward withdraws a reward entered in error or revoked: it is kept,
// marked withdrawn with the reason, who and when, left out of public lists
// and totals, and no longer counted by standards.sci.rewards from today on.
func (s *Service) WithdrawReward(ctx context.Context, p auth.Principal, id int64, reason string) (Reward, error) {
	var c checker
	why := c.text("撤销原因", reason, 500, true, true)
	return s.changeReward(ctx, p, id, "withdraw", c.err,
		func(_ *sql.Tx, before Reward, _ kit.Scope) error {
			if before.Status == RewardWithdrawn {
				return apperr.Invalid("该奖励记录已于 %s 撤销", before.WithdrawnOn)
			}
			return nil
		},
		func(tx *sql.Tx) (sql.Result, error) {
			return tx.ExecContext(ctx, `UPDATE standard_rewards SET status = 'withdrawn', withdrawn_on = $1, withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4
				WHERE id = $5 AND status = 'active'`, s.today(), s.stamp(), p.Actor().Name, why, id)
		}, "奖励记录 %d 刚被他人撤销，请刷新后查看")
}

// changeReward is a change of an active reward: check against the stored
// one, then exec, which must change exactly that row (else someone changed
// or withdrew it meanwhile: raced, with the id).
func (s *Service) changeReward(ctx context.Context, p auth.Principal, id int64, action string, validate func() error,
	check func(tx *sql.Tx, before Reward, sc kit.Scope) error, exec func(tx *sql.Tx) (sql.Result, error), raced string) (Reward, error) {
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Reward{}, err
	}
	_, err = s.rewardSpec().Save(ctx, kit.Write[Reward]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Scope: &sc, ID: id, Action: action,
		Validate: validate,
		Check:    func(tx *sql.Tx, before Reward) error { return check(tx, before, sc) },
		Exec: func(tx *sql.Tx, _ Reward) (int64, error) {
			res, err := exec(tx)
			if err != nil {
				return 0, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return 0, err
			} else if n != 1 {
				return 0, apperr.Conflict(raced, id)
			}
			return id, nil
		},
	})
	if err != nil {
		return Reward{}, err
	}
	return s.Reward(ctx, p, id)
}

// Reward returns one reward as p may see it: everything, withdrawn ones
// included, for those who may edit it; an active reward without its note
// for everyone else.
func (s *Service) Reward(ctx context.Context, p auth.Principal, id int64) (Reward, error) {
	r, err := s.getReward(ctx, s.db.Reader(), id)
	if err != nil {
		return Reward{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Reward{}, err
	}
	if sc.Allows(r.DeptID) {
		r.Editable = true
		return r, nil
	}
	if r.Status == RewardWithdrawn {
		return Reward{}, apperr.OutOfScope("没有编号为 %d 的奖励记录，或不在您的数据范围内", id)
	}
	return r.public(), nil
}

const rewardCols = `r.id, COALESCE(r.project_id, 0), COALESCE(j.number, ''), r.dept_id, COALESCE(d.name, ''), COALESCE(oe.name, r.enterprise), r.credit_code, COALESCE(r.enterprise_id, 0), r.standard_code,
	r.level, r.role, r.amount_fen, r.policy, r.awarded_on, r.demo, r.note,
	r.status, r.withdrawn_on, r.withdrawn_at, r.withdrawn_by, r.withdraw_reason, r.updated_by, r.updated_at`

const rewardFrom = ` FROM standard_rewards r LEFT JOIN sci_projects j ON j.id = r.project_id LEFT JOIN departments d ON d.id = r.dept_id LEFT JOIN enterprises oe ON oe.id = r.enterprise_id`

func scanReward(sc interface{ Scan(...any) error }) (Reward, error) {
	var r Reward
	var demo int
	err := sc.Scan(&r.ID, &r.ProjectID, &r.ProjectNumber, &r.DeptID, &r.DeptName, &r.Enterprise, &r.CreditCode, &r.EnterpriseID, &r.StandardCode,
		&r.Level, &r.Role, &r.AmountFen, &r.Policy, &r.AwardedOn, &demo, &r.Note,
		&r.Status, &r.WithdrawnOn, &r.WithdrawnAt, &r.WithdrawnBy, &r.WithdrawReason, &r.UpdatedBy, &r.UpdatedAt)
	r.Demo = demo != 0
	r.StatusLabel = RewardStatusLabels[r.Status]
	r.LevelLabel, r.RoleLabel, r.Amount = label(RewardLevels, r.Level), label(RewardRoles, r.Role), FormatFen(r.AmountFen)
	return r, err
}

func (s *Service) getReward(ctx context.Context, q querier, id int64) (Reward, error) {
	r, err := scanReward(q.QueryRowContext(ctx, `SELECT `+rewardCols+rewardFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Reward{}, apperr.NotFound("没有编号为 %d 的奖励记录", id)
	}
	if err != nil {
		return Reward{}, fmt.Errorf("pilots: reward %d: %w", id, err)
	}
	return r, nil
}

// ListRewards returns the rewards (of one project when projectID > 0),
// newest first. Withdrawn rewards are listed only to those who may edit the
// granting department (marked 已撤销); notes likewise.
func (s *Service) ListRewards(ctx context.Context, p auth.Principal, projectID int64) ([]Reward, error) {
	q := `SELECT ` + rewardCols + rewardFrom
	var a kit.Args
	where := []string{}
	if projectID > 0 {
		where = append(where, "r.project_id = "+a.Add(projectID))
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return nil, err
	}
	switch cond := sc.Cond("r.dept_id", &a); cond {
	case "":
	case "1 = 0":
		where = append(where, "r.status = 'active'")
	default:
		where = append(where, "(r.status = 'active' OR "+cond+")")
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY r.awarded_on DESC, r.id DESC LIMIT 1000`, a.Values()...)
	if err != nil {
		return nil, fmt.Errorf("pilots: rewards: %w", err)
	}
	defer rows.Close()
	out := []Reward{}
	for rows.Next() {
		r, err := scanReward(rows)
		if err != nil {
			return nil, fmt.Errorf("pilots: rewards: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pilots: rewards: %w", err)
	}
	for i := range out {
		if sc.Allows(out[i].DeptID) {
			out[i].Editable = true
		} else {
			out[i] = out[i].public()
		}
	}
	return out, nil
}
