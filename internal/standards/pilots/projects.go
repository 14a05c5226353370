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

// Families of a project's standard outputs.
const (
	FamilyInternational = "international"
)

// OutputFamilies are the kinds of standard a project may produce.
var OutputFamilies = []Option{
	{standards.FamilyNational, "国家标准"}, {standards.FamilySector, "行业标准"}, {standards.FamilyLocal, "地方标准"},
	{standards.FamilyGroup, "团体标准"}, {FamilyInternational, "国际标准"},
}

// Programmes are the usual S&T plan categories, offered as suggestions.
var Programmes = []string{"重点研发与转化计划", "基础研究计划", "创新平台建设专项", "科技成果转化专项", "昆仑英才·科技领军人才项目"}

// Project is an S&T plan project whose outputs include standards.
type Project struct {
	ID              int64    `json:"id"`
	Number          string   `json:"number"`
	Name            string   `json:"name"`
	Programme       string   `json:"programme"`
	LeadOrg         string   `json:"lead_org"`
	DeptID          int64    `json:"dept_id"`
	DeptName        string   `json:"dept_name"`
	StartYear       int      `json:"start_year"`
	EndYear         int      `json:"end_year"`
	ExpectedOutputs int      `json:"expected_outputs"`
	Published       int      `json:"published_outputs"`
	Planned         int      `json:"planned_outputs"`
	Demo            bool     `json:"demo"`
	Note            string   `json:"note,omitempty"`
	Outputs         []Output `json:"outputs"`
	Rewards         []Reward `json:"rewards,omitempty"`
	Editable        bool     `json:"editable"`
}

// Output is a standard a project produces. Published is read from the
// registry at every request (a planned code becomes published once the
// registry records its publication); international standards, which the
// registry does not hold, carry their own publication date.
type Output struct {
	ID          int64  `json:"id"`
	StandardID  int64  `json:"standard_id,omitempty"`
	Code        string `json:"code"`
	Title       string `json:"title"`
	Family      string `json:"family"`
	FamilyLabel string `json:"family_label"`
	Published   bool   `json:"published"`
	Issued      string `json:"issued"`
}

// ProjectInput registers or changes a project.
type ProjectInput struct {
	Number          string `json:"number"`
	Name            string `json:"name"`
	Programme       string `json:"programme"`
	LeadOrg         string `json:"lead_org"`
	DeptID          int64  `json:"dept_id"`
	Dept            string `json:"dept"`
	StartYear       string `json:"start_year"`
	EndYear         string `json:"end_year"`
	ExpectedOutputs string `json:"expected_outputs"`
	Demo            bool   `json:"demo"`
	Note            string `json:"note"`
}

type projectRow struct {
	ProjectInput
	start, end, expected int
}

func (c *checker) intField(field, v string, min, max int, required bool) int {
	v = fold(v)
	if v == "" {
		if required {
			c.bad(field, "请填写%s", field)
		}
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		c.bad(field, "%s“%s”无效，应为 %d 至 %d 之间的整数", field, v, min, max)
		return 0
	}
	return n
}

func (s *Service) validateProject(ctx context.Context, q querier, in ProjectInput) (projectRow, error) {
	var c checker
	r := projectRow{ProjectInput: in}
	r.Number = strings.ToUpper(c.text("项目编号", fold(in.Number), 50, true, false))
	r.Name = c.text("项目名称", in.Name, 200, true, false)
	r.Programme = c.text("计划类别", in.Programme, 100, true, false)
	r.LeadOrg = c.text("牵头单位", in.LeadOrg, 200, true, false)
	r.DeptID, _ = s.dept(ctx, q, &c, in.DeptID, in.Dept)
	r.start = c.intField("起始年份", in.StartYear, 2000, 2100, true)
	r.end = c.intField("结束年份", in.EndYear, 2000, 2100, true)
	if r.start != 0 && r.end != 0 && r.end < r.start {
		c.bad("结束年份", "结束年份 %d 早于起始年份 %d", r.end, r.start)
	}
	r.expected = c.intField("预期标准产出数", in.ExpectedOutputs, 0, 1000, false)
	r.Note = c.text("备注", in.Note, 1000, false, true)
	return r, c.err()
}

func projectNotFound(id int64) error {
	return apperr.NotFound("没有编号为 %d 的科技项目，或不在您的数据范围内", id)
}

// projectOutOfScope answers like projectNotFound for a project p may not see.
func projectOutOfScope(id int64) error {
	return apperr.OutOfScope("没有编号为 %d 的科技项目，或不在您的数据范围内", id)
}

// projectSpec is the project register as the kit's write skeleton sees it.
func (s *Service) projectSpec() kit.Spec[Project] {
	return kit.Spec[Project]{DB: s.db, Entity: "sci_project", Noun: "科技项目", Load: s.getProject, Dept: func(pr Project) int64 { return pr.DeptID }}
}

// saveProject validates in inside the write, refuses a department outside
// the caller's scope (for a change, only when it moves) and stores it with
// exec.
func (s *Service) saveProject(ctx context.Context, p auth.Principal, id int64, action string, in ProjectInput,
	exec func(tx *sql.Tx, r projectRow) (int64, error)) (Project, error) {
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Project{}, err
	}
	var r projectRow
	saved, err := s.projectSpec().Save(ctx, kit.Write[Project]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Scope: &sc, ID: id, Action: action,
		Check: func(tx *sql.Tx, before Project) (err error) {
			if r, err = s.validateProject(ctx, tx, in); err != nil {
				return err
			}
			if id == 0 || r.DeptID != before.DeptID {
				return requireDept(sc, r.DeptID)
			}
			return nil
		},
		Exec:     func(tx *sql.Tx, _ Project) (int64, error) { return exec(tx, r) },
		Conflict: func() string { return fmt.Sprintf("项目编号“%s”已登记", r.Number) },
	})
	if err != nil {
		return Project{}, err
	}
	return s.Project(ctx, p, saved.ID)
}

// CreateProject registers an S&T project.
func (s *Service) CreateProject(ctx context.Context, p auth.Principal, in ProjectInput) (Project, error) {
	return s.saveProject(ctx, p, 0, "create", in, func(tx *sql.Tx, r projectRow) (id int64, err error) {
		err = tx.QueryRowContext(ctx, `INSERT INTO sci_projects(number, name, programme, lead_org, dept_id, start_year, end_year, expected_outputs, demo, note, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			r.Number, r.Name, r.Programme, r.LeadOrg, r.DeptID, r.start, r.end, r.expected, store.BoolInt(r.Demo), r.Note, p.Actor().Name, s.stamp()).Scan(&id)
		return id, err
	})
}

// UpdateProject changes a project's fields.
func (s *Service) UpdateProject(ctx context.Context, p auth.Principal, id int64, in ProjectInput) (Project, error) {
	return s.saveProject(ctx, p, id, "update", in, func(tx *sql.Tx, r projectRow) (int64, error) {
		_, err := tx.ExecContext(ctx, `UPDATE sci_projects SET number = $1, name = $2, programme = $3, lead_org = $4, dept_id = $5, start_year = $6, end_year = $7,
			expected_outputs = $8, note = $9, updated_at = $10 WHERE id = $11`,
			r.Number, r.Name, r.Programme, r.LeadOrg, r.DeptID, r.start, r.end, r.expected, r.Note, s.stamp(), id)
		return id, err
	})
}

func (s *Service) editableProject(ctx context.Context, q querier, p auth.Principal, id int64) (Project, error) {
	pr, err := s.getProject(ctx, q, id)
	if err != nil {
		return Project{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Project{}, err
	}
	if !sc.Allows(pr.DeptID) {
		return Project{}, projectOutOfScope(id)
	}
	return pr, nil
}

// Project returns a project with its outputs and rewards; the note only
// to those who may edit it.
func (s *Service) Project(ctx context.Context, p auth.Principal, id int64) (Project, error) {
	pr, err := s.getProject(ctx, s.db.Reader(), id)
	if err != nil {
		return Project{}, err
	}
	sc, err := s.editScope(ctx, p)
	if err != nil {
		return Project{}, err
	}
	pr.Editable = sc.Allows(pr.DeptID)
	rw, err := s.ListRewards(ctx, p, id)
	if err != nil {
		return Project{}, err
	}
	pr.Rewards = rw
	if !pr.Editable {
		pr.Note = ""
		if pr.Demo {
			pr.Note = DemoNote
		}
	}
	return pr, nil
}

const projectCols = `j.id, j.number, j.name, j.programme, j.lead_org, j.dept_id, COALESCE(d.name, ''), j.start_year, j.end_year, j.expected_outputs, j.demo, j.note`

func scanProject(sc interface{ Scan(...any) error }) (Project, error) {
	var pr Project
	var demo int
	err := sc.Scan(&pr.ID, &pr.Number, &pr.Name, &pr.Programme, &pr.LeadOrg, &pr.DeptID, &pr.DeptName, &pr.StartYear, &pr.EndYear, &pr.ExpectedOutputs, &demo, &pr.Note)
	pr.Demo = demo != 0
	return pr, err
}

func (s *Service) getProject(ctx context.Context, q querier, id int64) (Project, error) {
	pr, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectCols+` FROM sci_projects j LEFT JOIN departments d ON d.id = j.dept_id WHERE j.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Project{}, projectNotFound(id)
	}
	if err != nil {
		return Project{}, fmt.Errorf("pilots: project %d: %w", id, err)
	}
	outs, err := s.outputs(ctx, q, []int64{id})
	if err != nil {
		return Project{}, err
	}
	pr.Outputs = outs[id]
	if pr.Outputs == nil {
		pr.Outputs = []Output{}
	}
	pr.count()
	return pr, nil
}

func (pr *Project) count() {
	pr.Published, pr.Planned = 0, 0
	for _, o := range pr.Outputs {
		if o.Published {
			pr.Published++
		} else {
			pr.Planned++
		}
	}
}

// outputJoin finds the registry record of an output: the one linked by id,
// else the one whose code the output names.
const outputJoin = ` FROM sci_project_standards l LEFT JOIN standards s ON (l.standard_id IS NOT NULL AND s.id = l.standard_id)
	OR (l.standard_id IS NULL AND l.code_key <> '' AND s.code_key = l.code_key)`

func (s *Service) outputs(ctx context.Context, q querier, ids []int64) (map[int64][]Output, error) {
	out := map[int64][]Output{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT l.project_id, l.id, COALESCE(s.id, 0), COALESCE(s.code, ''), COALESCE(s.title, ''), COALESCE(s.status, ''), COALESCE(s.issued, ''),
		l.code, l.title, l.family, l.intl_issued`+outputJoin+` WHERE l.project_id IN (`+strings.Join(ph, ", ")+`) ORDER BY l.project_id, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("pilots: project outputs: %w", err)
	}
	defer rows.Close()
	today := s.today()
	for rows.Next() {
		var pid int64
		var o Output
		var sCode, sTitle, sStatus, sIssued, lCode, lTitle, intl string
		if err := rows.Scan(&pid, &o.ID, &o.StandardID, &sCode, &sTitle, &sStatus, &sIssued, &lCode, &lTitle, &o.Family, &intl); err != nil {
			return nil, fmt.Errorf("pilots: project outputs: %w", err)
		}
		o.Code, o.Title = firstNonEmpty(sCode, lCode), firstNonEmpty(sTitle, lTitle)
		if o.StandardID != 0 {
			o.Issued = sIssued
			o.Published = sStatus != "project" && sIssued != "" && sIssued <= today
		} else if o.Family == FamilyInternational {
			o.Issued = intl
			o.Published = intl != "" && intl <= today
		}
		o.FamilyLabel = label(OutputFamilies, o.Family)
		out[pid] = append(out[pid], o)
	}
	return out, rows.Err()
}

// ProjectFilter selects projects.
type ProjectFilter struct {
	Q         string `json:"q"`
	Programme string `json:"programme"`
}

// ProjectOverview sums the list: standards expected, published, planned.
type ProjectOverview struct {
	Projects  int    `json:"projects"`
	Expected  int    `json:"expected_outputs"`
	Published int    `json:"published_outputs"`
	Planned   int    `json:"planned_outputs"`
	Rewards   int    `json:"rewards"`
	RewardFen int64  `json:"reward_fen"`
	RewardSum string `json:"reward_yuan"`
}

// ListProjects returns the projects matching f (public data) and the totals.
func (s *Service) ListProjects(ctx context.Context, p auth.Principal, f ProjectFilter) ([]Project, ProjectOverview, error) {
	var args []any
	where := []string{"1 = 1"}
	if q := fold(f.Q); q != "" {
		if len([]rune(q)) > 100 {
			q = string([]rune(q)[:100])
		}
		args = append(args, "%"+kit.EscapeLike(q)+"%")
		where = append(where, "(j.name LIKE $1 ESCAPE '\\' OR j.number LIKE $1 ESCAPE '\\' OR j.lead_org LIKE $1 ESCAPE '\\')")
	}
	if pg := fold(f.Programme); pg != "" {
		args = append(args, pg)
		where = append(where, fmt.Sprintf("j.programme = $%d", len(args)))
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+projectCols+` FROM sci_projects j LEFT JOIN departments d ON d.id = j.dept_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY j.start_year DESC, j.number LIMIT 1000`, args...)
	if err != nil {
		return nil, ProjectOverview{}, fmt.Errorf("pilots: list projects: %w", err)
	}
	out := []Project{}
	var ids []int64
	for rows.Next() {
		pr, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, ProjectOverview{}, fmt.Errorf("pilots: list projects: %w", err)
		}
		pr.Note = ""
		out = append(out, pr)
		ids = append(ids, pr.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, ProjectOverview{}, fmt.Errorf("pilots: list projects: %w", err)
	}
	outs, err := s.outputs(ctx, s.db.Reader(), ids)
	if err != nil {
		return nil, ProjectOverview{}, err
	}
	var ov ProjectOverview
	for i := range out {
		out[i].Outputs = outs[out[i].ID]
		if out[i].Outputs == nil {
			out[i].Outputs = []Output{}
		}
		out[i].count()
		ov.Projects++
		ov.Expected += out[i].ExpectedOutputs
		ov.Published += out[i].Published
		ov.Planned += out[i].Planned
	}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM standard_rewards WHERE status = 'active'`).Scan(&ov.Rewards, &ov.RewardFen); err != nil {
		return nil, ProjectOverview{}, fmt.Errorf("pilots: reward totals: %w", err)
	}
	ov.RewardSum = FormatFen(ov.RewardFen)
	return out, ov, nil
}

// OutputInput links a standard to a project: Standard is a registry id or
// a code; a planned standard without a code yet gives its Title. Family is
// needed when the code is not in the registry (and for international
// standards, with Issued once published).
type OutputInput struct {
	Standard string `json:"standard"`
	Title    string `json:"title"`
	Family   string `json:"family"`
	Issued   string `json:"issued"`
	Remove   int64  `json:"remove,omitempty"` // an output id to unlink instead
}

// LinkOutput adds (or removes) a standard output of a project.
func (s *Service) LinkOutput(ctx context.Context, p auth.Principal, projectID int64, in OutputInput) (Project, error) {
	var err error
	if in.Remove > 0 {
		err = s.unlinkOutput(ctx, p, projectID, in.Remove)
	} else {
		err = s.linkOutput(ctx, p, projectID, in)
	}
	if err != nil {
		return Project{}, err
	}
	return s.Project(ctx, p, projectID)
}

// outputRow is a project's standard output as stored. StandardID is the
// registry's standard (an int64), nil for one not in the registry.
type outputRow struct {
	ProjectID                       int64
	StandardID                      any
	Code, Title, Family, IntlIssued string
}

// outputSpec is the projects' standard outputs as a link writes them; the
// audit log records the output as stored.
func (s *Service) outputSpec() kit.Spec[outputRow] {
	return kit.Spec[outputRow]{DB: s.db, Entity: "sci_project_standard", Noun: "标准产出",
		Load: func(ctx context.Context, q querier, id int64) (outputRow, error) {
			var r outputRow
			var sid sql.NullInt64
			err := q.QueryRowContext(ctx, `SELECT project_id, standard_id, code, title, family, intl_issued FROM sci_project_standards WHERE id = $1`, id).
				Scan(&r.ProjectID, &sid, &r.Code, &r.Title, &r.Family, &r.IntlIssued)
			if errors.Is(err, sql.ErrNoRows) {
				return r, apperr.NotFound("没有编号为 %d 的标准产出", id)
			}
			if err != nil {
				return r, fmt.Errorf("pilots: output %d: %w", id, err)
			}
			if sid.Valid {
				r.StandardID = sid.Int64
			}
			return r, nil
		},
		Audit: func(r outputRow) any {
			return map[string]any{"project_id": r.ProjectID, "standard_id": r.StandardID, "code": r.Code, "title": r.Title, "family": r.Family, "intl_issued": r.IntlIssued}
		}}
}

// linkOutput adds a standard output: the project's scope, then the input
// and the registry lookup, are the write's Check (in that order, as always).
func (s *Service) linkOutput(ctx context.Context, p auth.Principal, projectID int64, in OutputInput) error {
	var row outputRow
	var key string
	_, err := s.outputSpec().Save(ctx, kit.Write[outputRow]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Action: "create",
		Check: func(tx *sql.Tx, _ outputRow) error {
			if _, err := s.editableProject(ctx, tx, p, projectID); err != nil {
				return err
			}
			var err error
			row, key, err = s.resolveOutput(ctx, tx, projectID, in)
			return err
		},
		Exec: func(tx *sql.Tx, _ outputRow) (oid int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO sci_project_standards(project_id, standard_id, code_key, code, title, family, intl_issued, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, projectID, row.StandardID, key, row.Code, row.Title, row.Family, row.IntlIssued, p.Actor().Name, s.stamp()).Scan(&oid)
			return oid, err
		}})
	return err
}

// resolveOutput reads an output's input: the standard by registry id, by
// code (in the registry or not yet) or, for a planned or international
// standard, by title; it refuses an output the project already has. It
// returns the row to store and the code's key.
func (s *Service) resolveOutput(ctx context.Context, tx *sql.Tx, projectID int64, in OutputInput) (outputRow, string, error) {
	var c checker
	ref := fold(in.Standard)
	title := c.text("标准名称", in.Title, 300, false, false)
	fam, famOK := lookup(OutputFamilies, in.Family)
	if strings.TrimSpace(in.Family) != "" && !famOK {
		c.bad("标准类型", "标准类型“%s”无效，应为 国家标准、行业标准、地方标准、团体标准 或 国际标准", strings.TrimSpace(in.Family))
	}
	intl := ""
	if fam == FamilyInternational {
		intl = c.date("国际标准发布日期", in.Issued, false, s.today())
	}
	if err := c.err(); err != nil {
		return outputRow{}, "", err
	}
	var sid any
	code, key := "", ""
	switch {
	case fam == FamilyInternational:
		code = c.text("标准号", ref, 100, false, false)
		key = "INTL:" + strings.ToUpper(strings.Join(strings.Fields(code), ""))
		if code == "" {
			key = ""
			if title == "" {
				return outputRow{}, "", apperr.Invalid("国际标准须填写标准号或标准名称")
			}
		}
	case ref == "":
		if title == "" {
			return outputRow{}, "", apperr.Invalid("请填写标准号、标准库编号，或（尚未编号的计划标准）标准名称")
		}
		if !famOK {
			return outputRow{}, "", apperr.Invalid("尚未编号的计划标准须选择标准类型")
		}
	default:
		if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
			var f string
			if err := tx.QueryRowContext(ctx, `SELECT id, code, family FROM standards WHERE id = $1`, n).Scan(&n, &code, &f); errors.Is(err, sql.ErrNoRows) {
				return outputRow{}, "", apperr.Invalid("标准库中没有编号为 %d 的标准", n)
			} else if err != nil {
				return outputRow{}, "", fmt.Errorf("pilots: look up standard %d: %w", n, err)
			}
			sid = n
			if !famOK {
				fam = f
			}
			break
		}
		pc := standards.ParseCode(ref)
		if !pc.Valid {
			return outputRow{}, "", apperr.Invalid("标准号“%s”无法识别：%s", ref, pc.Error)
		}
		code, key = pc.Display, pc.Normalized
		var n int64
		var f string
		err := tx.QueryRowContext(ctx, `SELECT id, family FROM standards WHERE code_key = $1`, key).Scan(&n, &f)
		switch {
		case err == nil:
			sid = n
			if !famOK {
				fam = f
			}
		case errors.Is(err, sql.ErrNoRows):
			if !famOK {
				fam = pc.Family
			}
		default:
			return outputRow{}, "", fmt.Errorf("pilots: look up standard %s: %w", key, err)
		}
	}
	if label(OutputFamilies, fam) == "" {
		return outputRow{}, "", apperr.Invalid("该标准的类型（%s）不是科技项目可计入的标准产出：应为国家、行业、地方、团体或国际标准", fam)
	}
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sci_project_standards WHERE project_id = $1 AND ((standard_id IS NOT NULL AND standard_id = $2) OR (code_key <> '' AND code_key = $3))`,
		projectID, sid, key).Scan(&dup); err != nil {
		return outputRow{}, "", fmt.Errorf("pilots: output duplicate check: %w", err)
	}
	if dup > 0 {
		return outputRow{}, "", apperr.Conflict("该标准已是本项目的标准产出")
	}
	return outputRow{ProjectID: projectID, StandardID: sid, Code: code, Title: title, Family: fam, IntlIssued: intl}, key, nil
}

// outputKey names an output of a project.
type outputKey struct{ Project, Output int64 }

// outputLinks are the projects' standard outputs as an unlink removes them, by
// project and output; the audit log names one by its id.
func (s *Service) outputLinks() kit.Setting[outputKey, outputRow] {
	return kit.Setting[outputKey, outputRow]{DB: s.db, Entity: "sci_project_standard",
		ID: func(k outputKey) string { return strconv.FormatInt(k.Output, 10) },
		Load: func(ctx context.Context, q querier, k outputKey) (outputRow, bool, error) {
			r := outputRow{ProjectID: k.Project}
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT code, title, family FROM sci_project_standards WHERE id = $1 AND project_id = $2`, k.Output, k.Project).
				Scan(&r.Code, &r.Title, &r.Family))
			return r, found, err
		}}
}

// unlinkOutput removes a standard output; the entry records {project_id,
// code, title, family} before.
func (s *Service) unlinkOutput(ctx context.Context, p auth.Principal, projectID, outputID int64) error {
	_, err := s.outputLinks().Save(ctx, kit.Put[outputKey, outputRow]{By: p.Actor(), Allowed: p.Require(WriteRoles...), Key: outputKey{projectID, outputID}, Action: "delete", Remove: true,
		Audit: func(r outputRow) any {
			return map[string]any{"project_id": r.ProjectID, "code": r.Code, "title": r.Title, "family": r.Family}
		},
		Check: func(tx *sql.Tx, _ outputRow, found bool) error {
			if _, err := s.editableProject(ctx, tx, p, projectID); err != nil {
				return err
			}
			if !found {
				return apperr.NotFound("本项目没有编号为 %d 的标准产出", outputID)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, r outputRow, _ bool) (outputRow, error) {
			_, err := tx.ExecContext(ctx, `DELETE FROM sci_project_standards WHERE id = $1`, outputID)
			return r, err
		}})
	return err
}
