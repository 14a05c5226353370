package pilots

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/standards"
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

// AddReward records a reward granted by a department within p's scope,
// optionally for a project's output.
func (s *Service) AddReward(ctx context.Context, p auth.Principal, in RewardInput) (Reward, error) {
	if err := p.Require(WriteRoles...); err != nil {
		return Reward{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var c checker
		ent := c.text("获奖企业", in.Enterprise, 200, true, false)
		credit := c.creditCode("统一社会信用代码", in.CreditCode)
		code := ""
		if v := fold(in.StandardCode); v == "" {
			c.bad("标准号", "请填写获奖的标准号")
		} else if pc := standards.ParseCode(v); pc.Valid {
			code = pc.Display
		} else {
			code = c.text("标准号", v, 100, true, false) // international codes are kept as written
		}
		level, ok := lookup(RewardLevels, in.Level)
		if !ok {
			c.bad("标准级别", "标准级别“%s”无效，应为 国际标准、国家标准、行业标准 或 地方标准", strings.TrimSpace(in.Level))
		}
		role, ok := lookup(RewardRoles, in.Role)
		if !ok {
			c.bad("承担角色", "承担角色“%s”无效，应为 主导制定 或 主导修订", strings.TrimSpace(in.Role))
		}
		fen, ok := ParseYuan(in.Amount)
		if !ok {
			c.bad("奖励金额", "奖励金额“%s”无效：请填写以元为单位的金额（如 50000、5万、12,345.60），最多两位小数", strings.TrimSpace(in.Amount))
		}
		policy := c.text("政策依据", in.Policy, 300, true, false)
		awarded := c.date("奖励日期", in.AwardedOn, true, s.today())
		note := c.text("备注", in.Note, 1000, false, true)
		deptID, _ := s.dept(ctx, tx, &c, in.DeptID, in.Dept)
		var project any
		if in.ProjectID > 0 || fold(in.ProjectNumber) != "" {
			var pid int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM sci_projects WHERE id = $1 OR number = $2`, in.ProjectID, strings.ToUpper(fold(in.ProjectNumber))).Scan(&pid)
			if errors.Is(err, sql.ErrNoRows) {
				c.bad("科技项目", "科技项目“%s”未登记", firstNonEmpty(in.ProjectNumber, strconv.FormatInt(in.ProjectID, 10)))
			} else if err != nil {
				return fmt.Errorf("pilots: reward project: %w", err)
			} else {
				project = pid
			}
		}
		if err := c.err(); err != nil {
			return err
		}
		if err := s.requireDept(ctx, p, deptID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO standard_rewards(project_id, dept_id, enterprise, credit_code, standard_code, level, role, amount_fen, policy, awarded_on, demo, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			project, deptID, ent, credit, code, level, role, fen, policy, awarded, b2i(in.Demo), note, p.Actor().Name, s.stamp()).Scan(&id)
		if err != nil {
			return fmt.Errorf("pilots: add reward: %w", err)
		}
		after, err := s.getReward(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "standard_reward", EntityID: strconv.FormatInt(id, 10), Action: "create", After: after})
	})
	if err != nil {
		return Reward{}, err
	}
	return s.getReward(ctx, s.db.Reader(), id)
}

const rewardCols = `r.id, COALESCE(r.project_id, 0), COALESCE(j.number, ''), r.dept_id, COALESCE(d.name, ''), r.enterprise, r.credit_code, r.standard_code,
	r.level, r.role, r.amount_fen, r.policy, r.awarded_on, r.demo, r.note`

const rewardFrom = ` FROM standard_rewards r LEFT JOIN sci_projects j ON j.id = r.project_id LEFT JOIN departments d ON d.id = r.dept_id`

func scanReward(sc interface{ Scan(...any) error }) (Reward, error) {
	var r Reward
	var demo int
	err := sc.Scan(&r.ID, &r.ProjectID, &r.ProjectNumber, &r.DeptID, &r.DeptName, &r.Enterprise, &r.CreditCode, &r.StandardCode,
		&r.Level, &r.Role, &r.AmountFen, &r.Policy, &r.AwardedOn, &demo, &r.Note)
	r.Demo = demo != 0
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
// newest first; notes only for those who may edit the granting department.
func (s *Service) ListRewards(ctx context.Context, p auth.Principal, projectID int64) ([]Reward, error) {
	q := `SELECT ` + rewardCols + rewardFrom
	var args []any
	if projectID > 0 {
		q += ` WHERE r.project_id = $1`
		args = append(args, projectID)
	}
	rows, err := s.db.Reader().QueryContext(ctx, q+` ORDER BY r.awarded_on DESC, r.id DESC LIMIT 1000`, args...)
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
		ok, err := s.canEdit(ctx, p, out[i].DeptID)
		if err != nil {
			return nil, err
		}
		if !ok {
			out[i].Note = ""
		}
	}
	return out, nil
}
