// Package evalmodel is the salt-lake chemical enterprise classification
// indicator system and evaluation model (盐湖化工生产企业分类指标体系及
// 评价模型, plan task 23, issue 15 item 2): a versioned indicator tree
// (criteria over indicators, each benefit or cost, with a unit), weights by
// AHP pairwise comparison (principal eigenvector, λmax, CI, CR with Saaty's
// random index; an inconsistent matrix, CR ≥ 0.1, is never saved as
// weights) or by the entropy-weight method over the enterprises' data,
// enterprise indicator values imported by 统一社会信用代码 through the
// enterprise directory, min-max normalisation by direction, scores,
// classes whose thresholds are data, an explanation per enterprise and a
// sensitivity view (how classes change when one weight moves ±x %).
//
// Models belong to a department and are seen inside its scope (staff);
// an enterprise user sees only its own explanation under a published
// model. The classification is for supervision, not a public rating.
package evalmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/check"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Viewers see the models of their department scope, the scores and the
// explanations.
var Viewers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}

// Editors build models, set weights and classes, publish and import data.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Model states.
const (
	Draft     = "draft"
	Published = "published"
)

// StatusLabels and MethodLabels name the codes for pages and the audit log.
var (
	StatusLabels = map[string]string{Draft: "草稿", Published: "已发布"}
	MethodLabels = map[string]string{"": "未确定", "ahp": "层次分析法（AHP）", "entropy": "熵权法"}
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// Service keeps the models and the enterprises' indicator values.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the service over db; enterprises are found and
// registered through the directory ent.
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// Judgement is the AHP matrix that set a group's weights ("" = criteria).
type Judgement struct {
	Group     string      `json:"group"`
	Matrix    [][]float64 `json:"matrix"`
	LambdaMax float64     `json:"lambda_max"`
	CI        float64     `json:"ci"`
	CR        float64     `json:"cr"`
}

// Model is one version of an evaluation model.
type Model struct {
	ID         int64       `json:"id"`
	Code       string      `json:"code"`
	Version    int         `json:"version"`
	Name       string      `json:"name"`
	Period     string      `json:"period"`
	DeptID     int64       `json:"dept_id"`
	Method     string      `json:"method"`
	Status     string      `json:"status"`
	Classes    []Class     `json:"classes"`
	Note       string      `json:"note"`
	Demo       bool        `json:"demo"`
	UpdatedAt  string      `json:"updated_at"`
	Nodes      []Node      `json:"nodes,omitempty"`
	Judgements []Judgement `json:"judgements,omitempty"`
}

// Criteria are the model's criteria in order.
func (m Model) Criteria() []Node {
	var out []Node
	for _, n := range m.Nodes {
		if n.Parent == "" {
			out = append(out, n)
		}
	}
	return out
}

// Children are the indicators of criterion code ("": the criteria).
func (m Model) Children(code string) []Node {
	if code == "" {
		return m.Criteria()
	}
	var out []Node
	for _, n := range m.Nodes {
		if n.Parent == code && n.Parent != "" {
			out = append(out, n)
		}
	}
	return out
}

// Indicators are the indicators grouped by criterion, in tree order.
func (m Model) Indicators() []Node {
	var out []Node
	for _, c := range m.Criteria() {
		out = append(out, m.Children(c.Code)...)
	}
	return out
}

// GlobalWeight is an indicator's weight in the model: its criterion's
// weight times its own.
func (m Model) GlobalWeight(ind Node) float64 {
	for _, c := range m.Nodes {
		if c.Code == ind.Parent && c.Parent == "" {
			return c.Weight * ind.Weight
		}
	}
	return 0
}

// Judgement returns the AHP judgement of a group, if any.
func (m Model) Judgement(group string) (Judgement, bool) {
	for _, j := range m.Judgements {
		if j.Group == group {
			return j, true
		}
	}
	return Judgement{}, false
}

// WeightProblem says why the weights cannot score yet ("" when they can):
// every group's weights must sum to 1.
func (m Model) WeightProblem() string {
	groups := []string{""}
	for _, c := range m.Criteria() {
		groups = append(groups, c.Code)
	}
	for _, g := range groups {
		sum := 0.0
		for _, n := range m.Children(g) {
			sum += n.Weight
		}
		if math.Abs(sum-1) > 1e-6 {
			if g == "" {
				return "准则层权重尚未确定"
			}
			return "准则 " + g + " 下的指标权重尚未确定"
		}
	}
	return ""
}

const modelCols = `id, code, version, name, period, dept_id, method, status, classes, note, demo, updated_at`

func scanModel(sc interface{ Scan(...any) error }) (Model, error) {
	var m Model
	var classes string
	var demo int
	err := sc.Scan(&m.ID, &m.Code, &m.Version, &m.Name, &m.Period, &m.DeptID, &m.Method, &m.Status, &classes, &m.Note, &demo, &m.UpdatedAt)
	if err != nil {
		return m, err
	}
	m.Demo = demo == 1
	if err := json.Unmarshal([]byte(classes), &m.Classes); err != nil {
		return m, fmt.Errorf("evalmodel: model %d classes: %w", m.ID, err)
	}
	return m, nil
}

// load reads a model with its tree and judgements.
func load(ctx context.Context, q store.Querier, id int64) (Model, error) {
	m, err := scanModel(q.QueryRowContext(ctx, `SELECT `+modelCols+` FROM eval_models WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFound("没有编号为 %d 的评价模型", id)
	}
	if err != nil {
		return m, fmt.Errorf("evalmodel: model %d: %w", id, err)
	}
	codes := map[int64]string{}
	err = store.EachRow(ctx, q, `SELECT id, parent_id, code, name, direction, unit, weight FROM eval_nodes WHERE model_id = $1 ORDER BY sort_order, id`, []any{id}, func(r *sql.Rows) error {
		var n Node
		var parent int64
		if err := r.Scan(&n.ID, &parent, &n.Code, &n.Name, &n.Direction, &n.Unit, &n.Weight); err != nil {
			return err
		}
		codes[n.ID] = n.Code
		n.Parent = codes[parent]
		m.Nodes = append(m.Nodes, n)
		return nil
	})
	if err == nil {
		err = store.EachRow(ctx, q, `SELECT group_code, matrix, lambda_max, ci, cr FROM eval_judgements WHERE model_id = $1 ORDER BY group_code`, []any{id}, func(r *sql.Rows) error {
			var j Judgement
			var mat string
			if err := r.Scan(&j.Group, &mat, &j.LambdaMax, &j.CI, &j.CR); err != nil {
				return err
			}
			m.Judgements = append(m.Judgements, j)
			return json.Unmarshal([]byte(mat), &m.Judgements[len(m.Judgements)-1].Matrix)
		})
	}
	if err != nil {
		return m, fmt.Errorf("evalmodel: model %d tree: %w", id, err)
	}
	return m, nil
}

// Model reads a model in p's scope.
func (s *Service) Model(ctx context.Context, p auth.Principal, id int64) (Model, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Viewers...)
	if err != nil {
		return Model{}, err
	}
	m, err := load(ctx, s.db.Reader(), id)
	if err != nil {
		return m, err
	}
	if !sc.Allows(m.DeptID) {
		return Model{}, apperr.OutOfScope("没有编号为 %d 的评价模型", id)
	}
	return m, nil
}

// Models lists the models in p's scope, newest version first per code.
func (s *Service) Models(ctx context.Context, p auth.Principal) ([]Model, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Viewers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "dept_id")
	var out []Model
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+modelCols+` FROM eval_models`+w.SQL()+` ORDER BY code, version DESC LIMIT 500`, w.Values(), func(r *sql.Rows) error {
		m, err := scanModel(r)
		out = append(out, m)
		return err
	})
	return out, err
}

// NewModel is the input of CreateModel.
type NewModel struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Period  string `json:"period"`
	DeptID  int64  `json:"dept_id"`
	Tree    string `json:"tree"`    // ParseTree's text
	Classes string `json:"classes"` // ParseClasses' text; "" for DefaultClasses
	Note    string `json:"note"`
	Demo    bool   `json:"demo"`
}

// text trims v and checks it is present (when required), within max
// characters and free of control characters (check.Text's rules), as a
// failure of field.
func text(errs *kit.Errors, field, label, v string, max int, required bool) string {
	var ps check.Problems
	v = check.Text(&ps, label, v, max)
	if v == "" && required {
		ps.Add(label, "请填写")
	}
	for _, p := range ps {
		errs.Add(field, "%s", p)
	}
	return v
}

// validPeriod checks a year 2000–next year.
func (s *Service) validPeriod(v string) bool {
	y, err := strconv.Atoi(v)
	return err == nil && len(v) == 4 && y >= 2000 && y <= s.now().In(kit.CST).Year()+1
}

// CreateModel creates version 1 of a model (a draft), audited.
func (s *Service) CreateModel(ctx context.Context, p auth.Principal, in NewModel) (Model, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return Model{}, err
	}
	var errs kit.Errors
	in.Code = text(&errs, "code", "模型代码", in.Code, maxCodeLen, true)
	if in.Code != "" && !codeRE.MatchString(in.Code) {
		errs.Add("code", "模型代码须为字母、数字、点、横线或下划线")
	}
	in.Name = text(&errs, "name", "模型名称", in.Name, 100, true)
	in.Note = text(&errs, "note", "说明", in.Note, 1000, false)
	if in.Period = strings.TrimSpace(in.Period); !s.validPeriod(in.Period) {
		errs.Add("period", "评价年度须为 2000 年至明年的四位年份")
	}
	nodes, terr := ParseTree(in.Tree)
	if terr != nil {
		for _, e := range terr.(kit.Errors) {
			if e.Row > 0 {
				e.Msg = fmt.Sprintf("指标体系第 %d 行%s：%s", e.Row, quoted(e.Column), e.Msg)
				e.Row, e.Column = 0, ""
			}
			e.Field = "tree"
			errs = append(errs, e)
		}
	}
	classes := DefaultClasses
	if strings.TrimSpace(in.Classes) != "" {
		cs, cerr := ParseClasses(in.Classes)
		if cerr != nil {
			for _, e := range cerr.(kit.Errors) {
				if e.Row > 0 {
					e.Msg = fmt.Sprintf("分类等级第 %d 行%s：%s", e.Row, quoted(e.Column), e.Msg)
					e.Row, e.Column = 0, ""
				}
				e.Field = "classes"
				errs = append(errs, e)
			}
		}
		classes = cs
	}
	if err := errs.Err(); err != nil {
		return Model{}, err
	}
	return s.spec().Save(ctx, kit.Write[Model]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Model) error { return kit.DeptIn(ctx, tx, sc, in.DeptID, "所属部门") },
		Exec: func(tx *sql.Tx, _ Model) (int64, error) {
			return s.insert(ctx, tx, Model{Code: in.Code, Version: 1, Name: in.Name, Period: in.Period, DeptID: in.DeptID, Status: Draft, Classes: classes, Note: in.Note, Demo: in.Demo, Nodes: nodes})
		},
		Conflict: func() string {
			return fmt.Sprintf("模型代码 %s 已存在；要修改已有模型请为它建立新版本", in.Code)
		}})
}

// spec is the kit's write skeleton for models.
func (s *Service) spec() kit.Spec[Model] {
	return kit.Spec[Model]{DB: s.db, Entity: "eval_model", Noun: "评价模型", Load: load, Dept: func(m Model) int64 { return m.DeptID }}
}

func quoted(col string) string {
	if col == "" {
		return ""
	}
	return "“" + col + "”"
}

// insert writes a model and its tree (and judgements); groups of one
// node get weight 1.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, m Model) (int64, error) {
	cj, _ := json.Marshal(m.Classes)
	now := s.stamp()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO eval_models(code, version, name, period, dept_id, method, status, classes, note, demo, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		m.Code, m.Version, m.Name, m.Period, m.DeptID, m.Method, m.Status, string(cj), m.Note, store.BoolInt(m.Demo), now).Scan(&id)
	if err != nil {
		return 0, err
	}
	kids := map[string]int{}
	for _, n := range m.Nodes {
		kids[n.Parent]++
	}
	ids := map[string]int64{}
	for i, n := range m.Nodes {
		if kids[n.Parent] == 1 && n.Weight == 0 {
			n.Weight = 1
		}
		var nid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO eval_nodes(model_id, parent_id, code, name, direction, unit, weight, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			id, ids[n.Parent], n.Code, n.Name, n.Direction, n.Unit, n.Weight, i+1).Scan(&nid); err != nil {
			return 0, fmt.Errorf("evalmodel: node %s: %w", n.Code, err)
		}
		ids[n.Code] = nid
	}
	for _, j := range m.Judgements {
		if err := saveJudgement(ctx, tx, id, j, now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func saveJudgement(ctx context.Context, tx *sql.Tx, model int64, j Judgement, now string) error {
	mj, _ := json.Marshal(j.Matrix)
	if _, err := tx.ExecContext(ctx, `DELETE FROM eval_judgements WHERE model_id = $1 AND group_code = $2`, model, j.Group); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO eval_judgements(model_id, group_code, matrix, lambda_max, ci, cr, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		model, j.Group, string(mj), j.LambdaMax, j.CI, j.CR, now)
	return err
}

// change runs fn on a draft model of p's scope in one transaction and
// audits the change (before and after).
func (s *Service) change(ctx context.Context, p auth.Principal, id int64, action string, fn func(tx *sql.Tx, m Model) error) (Model, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return Model{}, err
	}
	return s.spec().Save(ctx, kit.Write[Model]{By: p.Actor(), Scope: &sc, ID: id, Action: action,
		Check: func(_ *sql.Tx, before Model) error {
			if before.Status != Draft {
				return apperr.Conflict("模型 %s 第 %d 版已发布，不能修改；请建立新版本", before.Code, before.Version)
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Model) (int64, error) {
			if err := fn(tx, before); err != nil {
				return 0, err
			}
			_, err := tx.ExecContext(ctx, `UPDATE eval_models SET updated_at = $1 WHERE id = $2`, s.stamp(), id)
			return id, err
		}})
}

// SetAHP computes the weights of a group ("" for the criteria, else a
// criterion's code) from its judgement matrix, in the group's order, and
// saves them with the matrix. A matrix that is not positive and
// reciprocal is refused with its cell; an inconsistent one (CR ≥ 0.1) is
// refused with its CR and nothing is written.
func (s *Service) SetAHP(ctx context.Context, p auth.Principal, id int64, group string, matrix [][]float64) (AHPResult, Model, error) {
	var res AHPResult
	m, err := s.change(ctx, p, id, "weights_ahp", func(tx *sql.Tx, m Model) error {
		kids := m.Children(group)
		if len(kids) == 0 {
			return kit.Errors{{Field: "group", Msg: fmt.Sprintf("模型中没有准则 %s", kit.ClipRunes(group, 20))}}
		}
		if len(matrix) != len(kids) {
			return kit.Errors{{Field: "matrix", Msg: fmt.Sprintf("判断矩阵须为 %d×%d（该组有 %d 项），而不是 %d 行", len(kids), len(kids), len(kids), len(matrix))}}
		}
		var err error
		if res, err = AHP(matrix); err != nil {
			return kit.Errors{{Field: "matrix", Msg: err.Error()}}
		}
		if !res.Consistent {
			return kit.Errors{{Field: "matrix", Msg: (&InconsistentError{CR: res.CR}).Error()}}
		}
		for i, n := range kids {
			if _, err := tx.ExecContext(ctx, `UPDATE eval_nodes SET weight = $1 WHERE id = $2`, res.Weights[i], n.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE eval_models SET method = 'ahp' WHERE id = $1`, id); err != nil {
			return err
		}
		if m.Method == "entropy" {
			// The entropy weights of the other groups are not judgements:
			// the model starts over as AHP with this group.
			if _, err := tx.ExecContext(ctx, `DELETE FROM eval_judgements WHERE model_id = $1`, id); err != nil {
				return err
			}
		}
		return saveJudgement(ctx, tx, id, Judgement{Group: group, Matrix: matrix, LambdaMax: res.LambdaMax, CI: res.CI, CR: res.CR}, s.stamp())
	})
	return res, m, err
}

// SetEntropy sets every weight by the entropy-weight method over the
// enterprises with complete data for the model's period: the indicators'
// global weights, a criterion's weight the sum of its indicators'.
func (s *Service) SetEntropy(ctx context.Context, p auth.Principal, id int64) (Model, int, error) {
	var used int
	m, err := s.change(ctx, p, id, "weights_entropy", func(tx *sql.Tx, m Model) error {
		inds := m.Indicators()
		f, _, err := frame(ctx, tx, m, inds)
		if err != nil {
			return err
		}
		cost := make([]bool, len(inds))
		for j, n := range inds {
			cost[j] = n.Direction == Cost
		}
		w, n, err := EntropyWeights(f.Values, cost)
		used = n
		if err != nil {
			return kit.Errors{{Field: "method", Msg: err.Error()}}
		}
		crit := map[string]float64{}
		kids := map[string]int{}
		for j, n := range inds {
			crit[n.Parent] += w[j]
			kids[n.Parent]++
		}
		for j, n := range inds {
			local := 1 / float64(kids[n.Parent])
			if crit[n.Parent] > 0 {
				local = w[j] / crit[n.Parent]
			}
			if _, err := tx.ExecContext(ctx, `UPDATE eval_nodes SET weight = $1 WHERE id = $2`, local, n.ID); err != nil {
				return err
			}
		}
		for _, c := range m.Criteria() {
			if _, err := tx.ExecContext(ctx, `UPDATE eval_nodes SET weight = $1 WHERE id = $2`, crit[c.Code], c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM eval_judgements WHERE model_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE eval_models SET method = 'entropy' WHERE id = $1`, id)
		return err
	})
	return m, used, err
}

// SetClasses replaces a draft model's classes (ParseClasses' text).
func (s *Service) SetClasses(ctx context.Context, p auth.Principal, id int64, textIn string) (Model, error) {
	cs, err := ParseClasses(textIn)
	if err != nil {
		return Model{}, err
	}
	return s.change(ctx, p, id, "classes", func(tx *sql.Tx, m Model) error {
		cj, _ := json.Marshal(cs)
		_, err := tx.ExecContext(ctx, `UPDATE eval_models SET classes = $1 WHERE id = $2`, string(cj), id)
		return err
	})
}

// Publish freezes a draft whose weights are complete (and, under AHP, set
// by consistent judgements); enterprises then see their explanation.
func (s *Service) Publish(ctx context.Context, p auth.Principal, id int64) (Model, error) {
	return s.change(ctx, p, id, "publish", func(tx *sql.Tx, m Model) error {
		if msg := m.WeightProblem(); msg != "" {
			return apperr.Conflict("%s，不能发布", msg)
		}
		for _, j := range m.Judgements {
			if j.CR >= ConsistencyLimit {
				return apperr.Conflict("判断矩阵 %s 未通过一致性检验，不能发布", j.Group)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE eval_models SET status = 'published' WHERE id = $1`, id)
		return err
	})
}

// NewVersion copies a model (tree, weights, judgements, classes) into the
// next version of its code, a draft.
func (s *Service) NewVersion(ctx context.Context, p auth.Principal, id int64) (Model, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return Model{}, err
	}
	// A creation of the new version, from the model id (the audit entry
	// names it).
	sp := s.spec()
	sp.Audit = func(m Model) any { return map[string]any{"from": id, "model": m} }
	var m Model
	return sp.Save(ctx, kit.Write[Model]{By: p.Actor(), Action: "version",
		Check: func(tx *sql.Tx, _ Model) (err error) {
			if m, err = load(ctx, tx, id); err != nil {
				return err
			}
			return sc.Check(m.DeptID, "没有编号为 %d 的评价模型", id)
		},
		Exec: func(tx *sql.Tx, _ Model) (int64, error) {
			if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM eval_models WHERE code = $1`, m.Code).Scan(&m.Version); err != nil {
				return 0, err
			}
			m.Version++
			m.Status = Draft
			return s.insert(ctx, tx, m)
		}})
}

// entRow is an enterprise of a frame.
type entRow struct {
	ID         int64
	CreditCode string
	Name       string
}

// frame reads the values of the model's period for inds: one row per
// enterprise with at least one value, ordered by enterprise id.
func frame(ctx context.Context, q store.Querier, m Model, inds []Node) (*Frame, []entRow, error) {
	col := make(map[string]int, len(inds))
	codes := make([]any, 0, len(inds)+1)
	codes = append(codes, m.Period)
	ph := make([]string, len(inds))
	for j, n := range inds {
		col[n.Code] = j
		codes = append(codes, n.Code)
		ph[j] = fmt.Sprintf("$%d", j+2)
	}
	f := &Frame{Weights: make([]float64, len(inds)), Cost: make([]bool, len(inds))}
	for j, n := range inds {
		f.Weights[j] = m.GlobalWeight(n)
		f.Cost[j] = n.Direction == Cost
	}
	var ents []entRow
	row := map[int64]int{}
	if len(inds) == 0 {
		return f, nil, nil
	}
	// The values alone (no join, no string per row but the code), then
	// the enterprises' codes and names in one query.
	err := store.EachRow(ctx, q, `SELECT enterprise_id, indicator_code, value FROM eval_values WHERE period = $1 AND indicator_code IN (`+strings.Join(ph, ", ")+`)`, codes, func(r *sql.Rows) error {
		var id int64
		var code string
		var v float64
		if err := r.Scan(&id, &code, &v); err != nil {
			return err
		}
		i, ok := row[id]
		if !ok {
			i = len(ents)
			row[id] = i
			ents = append(ents, entRow{ID: id})
			vals := make([]float64, len(inds))
			for j := range vals {
				vals[j] = math.NaN()
			}
			f.Values = append(f.Values, vals)
		}
		f.Values[i][col[code]] = v
		return nil
	})
	if err == nil && len(ents) > 0 {
		err = store.EachRow(ctx, q, `SELECT id, credit_code, name FROM enterprises WHERE id IN (SELECT DISTINCT enterprise_id FROM eval_values WHERE period = $1)`, []any{m.Period}, func(r *sql.Rows) error {
			var e entRow
			if err := r.Scan(&e.ID, &e.CreditCode, &e.Name); err != nil {
				return err
			}
			if i, ok := row[e.ID]; ok {
				ents[i] = e
			}
			return nil
		})
	}
	if err != nil {
		return nil, nil, fmt.Errorf("evalmodel: values of %s: %w", m.Period, err)
	}
	return f, ents, nil
}

// ScoreRow is one enterprise's result.
type ScoreRow struct {
	EnterpriseID int64   `json:"enterprise_id"`
	CreditCode   string  `json:"credit_code"`
	Name         string  `json:"name"`
	Score        float64 `json:"score"`
	Class        string  `json:"class"`
	ClassLabel   string  `json:"class_label"`
	Rank         int     `json:"rank"`
	Missing      int     `json:"missing"` // indicators without a value
}

// Scoring is a model's results over the enterprises of its period.
type Scoring struct {
	Model Model      `json:"model"`
	Rows  []ScoreRow `json:"rows"`
	// Counts are the enterprises per class, in the model's class order.
	Counts []int `json:"counts"`

	frame   *Frame
	inds    []Node
	scores  []float64
	classes []int
	ents    []entRow
}

// score computes a model's results (weights must be complete).
func score(ctx context.Context, q store.Querier, m Model) (*Scoring, error) {
	if msg := m.WeightProblem(); msg != "" {
		return nil, apperr.Conflict("%s，尚不能评分", msg)
	}
	inds := m.Indicators()
	f, ents, err := frame(ctx, q, m, inds)
	if err != nil {
		return nil, err
	}
	sortClasses(m.Classes)
	sc := &Scoring{Model: m, frame: f, inds: inds, ents: ents, Counts: make([]int, len(m.Classes))}
	sc.scores = f.Scores()
	sc.classes = make([]int, len(ents))
	order := make([]int, len(ents))
	for i := range ents {
		c := Classify(m.Classes, sc.scores[i])
		sc.classes[i] = c
		sc.Counts[c]++
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sc.scores[order[a]] > sc.scores[order[b]] })
	sc.Rows = make([]ScoreRow, len(ents))
	for rank, i := range order {
		miss := 0
		for _, v := range f.Values[i] {
			if math.IsNaN(v) {
				miss++
			}
		}
		c := m.Classes[sc.classes[i]]
		sc.Rows[rank] = ScoreRow{EnterpriseID: ents[i].ID, CreditCode: ents[i].CreditCode, Name: ents[i].Name, Score: sc.scores[i],
			Class: c.Class, ClassLabel: c.Label, Rank: rank + 1, Missing: miss}
	}
	return sc, nil
}

// Scores scores the enterprises of the model's period, best first.
func (s *Service) Scores(ctx context.Context, p auth.Principal, id int64) (*Scoring, error) {
	m, err := s.Model(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return score(ctx, s.db.Reader(), m)
}

// CriterionPart is a criterion's share of an enterprise's score.
type CriterionPart struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Points float64 `json:"points"`
	Max    float64 `json:"max"`
}

// ClassMove is what moving one indicator's weight ±Percent does to an
// enterprise: its score and class after each move.
type ClassMove struct {
	Code         string  `json:"code"`
	Name         string  `json:"name"`
	Criterion    string  `json:"criterion"`
	Weight       float64 `json:"weight"`
	PlusScore    float64 `json:"plus_score"`
	Plus         string  `json:"plus_class"`
	PlusChanged  bool    `json:"plus_changed"`
	MinusScore   float64 `json:"minus_score"`
	Minus        string  `json:"minus_class"`
	MinusChanged bool    `json:"minus_changed"`
}

// Explanation tells an enterprise why it is in its class.
type Explanation struct {
	Model      Model           `json:"model"`
	Enterprise ScoreRow        `json:"enterprise"`
	Of         int             `json:"of"` // enterprises scored
	ClassMin   float64         `json:"class_min"`
	NextClass  string          `json:"next_class,omitempty"`
	NextGap    float64         `json:"next_gap,omitempty"` // points to the next class up
	Criteria   []CriterionPart `json:"criteria"`
	Indicators []Contribution  `json:"indicators"`
	Summary    string          `json:"summary"`
	// Moves are the indicators whose ±Percent weight change moves the
	// enterprise's class.
	Percent float64     `json:"percent"`
	Moves   []ClassMove `json:"moves"`
}

// Explain explains enterprise code's score and class under model id: to
// staff in the model's scope, and to the enterprise's own users once the
// model is published.
func (s *Service) Explain(ctx context.Context, p auth.Principal, id int64, code string, pct float64) (Explanation, error) {
	var m Model
	var err error
	if p.Has(Viewers...) {
		if m, err = s.Model(ctx, p, id); err != nil {
			return Explanation{}, err
		}
	} else {
		if err := p.Require(auth.RoleEnterprise); err != nil {
			return Explanation{}, err
		}
		if m, err = load(ctx, s.db.Reader(), id); err != nil {
			return Explanation{}, err
		}
		if m.Status != Published {
			return Explanation{}, apperr.NotFound("没有编号为 %d 的评价模型", id)
		}
	}
	eid, err := enterprise.IDByCreditCode(ctx, s.db.Reader(), strings.TrimSpace(code))
	if err != nil || eid == 0 {
		return Explanation{}, apperr.NotFound("没有统一社会信用代码为 %s 的企业", kit.ClipRunes(code, 20))
	}
	if !p.Has(Viewers...) {
		if err := s.ent.InScope(ctx, s.db.Reader(), p, eid); err != nil {
			return Explanation{}, apperr.NotFound("没有统一社会信用代码为 %s 的企业", kit.ClipRunes(code, 20))
		}
	}
	sc, err := score(ctx, s.db.Reader(), m)
	if err != nil {
		return Explanation{}, err
	}
	return sc.explain(eid, pct)
}

// ParsePercent reads the sensitivity step: 1–50 (%), default 10.
func ParsePercent(v string) (float64, error) {
	if strings.TrimSpace(v) == "" {
		return 10, nil
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(x) || x < 1 || x > 50 {
		return 0, kit.Errors{{Field: "pct", Msg: "权重变动幅度须为 1–50（%）"}}
	}
	return x, nil
}

func (sc *Scoring) explain(eid int64, pct float64) (Explanation, error) {
	i := -1
	for k, e := range sc.ents {
		if e.ID == eid {
			i = k
		}
	}
	m := sc.Model
	if i < 0 {
		return Explanation{}, apperr.NotFound("该企业在 %s 年度没有本模型的指标数据", m.Period)
	}
	var row ScoreRow
	for _, r := range sc.Rows {
		if r.EnterpriseID == eid {
			row = r
		}
	}
	c := sc.classes[i]
	ex := Explanation{Model: m, Enterprise: row, Of: len(sc.ents), ClassMin: m.Classes[c].Min, Percent: pct}
	if c > 0 {
		ex.NextClass = m.Classes[c-1].Class
		ex.NextGap = m.Classes[c-1].Min - sc.scores[i]
	}
	ex.Indicators = sc.frame.Contributions(i, sc.inds)
	for _, cr := range m.Criteria() {
		part := CriterionPart{Code: cr.Code, Name: cr.Name}
		for _, x := range ex.Indicators {
			if x.Criterion == cr.Code {
				part.Points += x.Points
				part.Max += 100 * x.Weight
			}
		}
		ex.Criteria = append(ex.Criteria, part)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "得分 %.2f，在 %d 家企业中排第 %d 位，属 %s 类", sc.scores[i], len(sc.ents), row.Rank, row.Class)
	if row.ClassLabel != "" {
		fmt.Fprintf(&b, "（%s）", row.ClassLabel)
	}
	if ex.NextClass != "" {
		fmt.Fprintf(&b, "，距 %s 类还差 %.2f 分", ex.NextClass, ex.NextGap)
	}
	var lost []string
	for _, x := range ex.Indicators {
		if len(lost) == 3 || x.Lost < 0.005 {
			break
		}
		why := ""
		if x.Missing {
			why = "，未报数据"
		}
		lost = append(lost, fmt.Sprintf("%s（失 %.2f 分%s）", x.Name, x.Lost, why))
	}
	if len(lost) > 0 {
		fmt.Fprintf(&b, "；失分最多的指标：%s", strings.Join(lost, "、"))
	}
	ex.Summary = b.String() + "。"
	names := map[string]string{}
	for _, n := range m.Nodes {
		names[n.Code] = n.Name
	}
	// Per indicator: the score and class after +pct and −pct.
	f := sc.frame
	for j, n := range sc.inds {
		mv := ClassMove{Code: n.Code, Name: n.Name, Criterion: names[n.Parent], Weight: f.Weights[j]}
		for _, sign := range []float64{1, -1} {
			d, w := sign*pct/100, f.Weights[j]
			s2 := (sc.scores[i] + 100*w*d*f.Norm(i, j)) / (1 + w*d)
			k := Classify(m.Classes, s2)
			if sign > 0 {
				mv.PlusScore, mv.Plus, mv.PlusChanged = s2, m.Classes[k].Class, k != c
			} else {
				mv.MinusScore, mv.Minus, mv.MinusChanged = s2, m.Classes[k].Class, k != c
			}
		}
		ex.Moves = append(ex.Moves, mv)
	}
	return ex, nil
}

// SensitivityRow is one indicator's ±x % weight move over all enterprises.
type SensitivityRow struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Criterion string   `json:"criterion"`
	Weight    float64  `json:"weight"`
	PlusUp    int      `json:"plus_up"`
	PlusDown  int      `json:"plus_down"`
	MinusUp   int      `json:"minus_up"`
	MinusDown int      `json:"minus_down"`
	Examples  []string `json:"examples,omitempty"` // enterprises that change class, "名称 B→A"
}

// Sensitivity is how the classes change when each indicator's weight
// moves ±Percent (the weights renormalised).
type Sensitivity struct {
	Model   Model            `json:"model"`
	Percent float64          `json:"percent"`
	Scored  int              `json:"scored"`
	Rows    []SensitivityRow `json:"rows"`
	Stable  int              `json:"stable"` // enterprises whose class no single move changes
}

// Sensitivity computes the sensitivity view of model id for ±pct %.
func (s *Service) Sensitivity(ctx context.Context, p auth.Principal, id int64, pct float64) (Sensitivity, error) {
	if pct < 1 || pct > 50 || math.IsNaN(pct) {
		return Sensitivity{}, kit.Errors{{Field: "pct", Msg: "权重变动幅度须为 1–50（%）"}}
	}
	sc, err := s.Scores(ctx, p, id)
	if err != nil {
		return Sensitivity{}, err
	}
	m := sc.Model
	out := Sensitivity{Model: m, Percent: pct, Scored: len(sc.ents)}
	moved := make([]bool, len(sc.ents))
	rows := map[int]*SensitivityRow{}
	for j, n := range sc.inds {
		rows[j] = &SensitivityRow{Code: n.Code, Name: n.Name, Criterion: n.Parent, Weight: sc.frame.Weights[j]}
	}
	for _, mv := range sc.frame.Sensitivity(m.Classes, sc.scores, sc.classes, pct) {
		r := rows[mv.Indicator]
		if mv.Percent > 0 {
			r.PlusUp, r.PlusDown = mv.Up, mv.Down
		} else {
			r.MinusUp, r.MinusDown = mv.Up, mv.Down
		}
		for k, i := range mv.Changed {
			moved[i] = true
			if len(r.Examples) < 5 {
				r.Examples = append(r.Examples, fmt.Sprintf("%s %s→%s（%+g%%）", sc.ents[i].Name, m.Classes[sc.classes[i]].Class, m.Classes[mv.NewClass[k]].Class, mv.Percent))
			}
		}
	}
	for j := range sc.inds {
		out.Rows = append(out.Rows, *rows[j])
	}
	for _, x := range moved {
		if !x {
			out.Stable++
		}
	}
	return out, nil
}

// Dept is a department an editor may choose as a model's owner.
type Dept = kit.Dept

// Depts lists the active departments in p's scope (the create form's
// choices); nil for those who may not create models.
func (s *Service) Depts(ctx context.Context, p auth.Principal) ([]Dept, error) {
	if !p.Has(Editors...) {
		return nil, nil
	}
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return nil, err
	}
	return kit.ActiveDepts(ctx, s.db.Reader(), sc)
}
