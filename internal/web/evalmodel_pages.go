package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/quality/evalmodel"
)

// evalWeb serves the salt-lake chemical enterprise evaluation model
// (issue 15 item 2): the models with their tree, weights and consistency,
// the scores, the explanation of one enterprise (also for the
// enterprise's own users) and the sensitivity view.
type evalWeb struct {
	*Server
	svc *evalmodel.Service
}

// EvalModelPages are the routes of internal/quality/evalmodel over svc.
func EvalModelPages(svc *evalmodel.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &evalWeb{Server: srv, svc: svc}
		v, e := evalmodel.Viewers, evalmodel.Editors
		explain := append(append([]auth.Role{}, v...), auth.RoleEnterprise)
		return []Route{
			{Method: "GET", Pattern: "/eval-models", Name: "盐湖化工企业评价模型", Roles: v, Handle: s.listPage, Menu: Menu{Group: MenuWork, Label: "盐湖化工企业评价", Order: 105, Section: "eval-models"}},
			{Method: "POST", Pattern: "/eval-models", Name: "建立评价模型", Roles: e, Handle: s.create},
			{Method: "GET", Pattern: "/eval-models/{id}", Name: "评价模型（指标体系、权重、一致性）", Roles: v, Handle: s.modelPage},
			{Method: "POST", Pattern: "/eval-models/{id}/ahp", Name: "以层次分析法确定权重", Roles: e, Handle: s.ahp},
			{Method: "POST", Pattern: "/eval-models/{id}/entropy", Name: "以熵权法确定权重", Roles: e, Handle: s.entropy},
			{Method: "POST", Pattern: "/eval-models/{id}/classes", Name: "设置分类等级", Roles: e, Handle: s.classes},
			{Method: "POST", Pattern: "/eval-models/{id}/publish", Name: "发布评价模型", Roles: e, Handle: s.publish},
			{Method: "POST", Pattern: "/eval-models/{id}/version", Name: "建立评价模型新版本", Roles: e, Handle: s.version},
			{Method: "GET", Pattern: "/eval-models/{id}/scores", Name: "企业评价得分与分类", Roles: v, Handle: s.scoresPage},
			{Method: "GET", Pattern: "/eval-models/{id}/sensitivity", Name: "权重敏感性分析", Roles: v, Handle: s.sensitivityPage},
			{Method: "GET", Pattern: "/eval-models/{id}/enterprises/{code}", Name: "企业评价结果说明", Roles: explain, Handle: s.explainPage},

			{Method: "GET", Pattern: "/api/v1/eval-models", Name: "盐湖化工企业评价模型", Roles: v, API: true, Handle: s.apiList},
			{Method: "GET", Pattern: "/api/v1/eval-models/{id}", Name: "评价模型（指标体系、权重、一致性）", Roles: v, API: true, Handle: apiByID(svc.Model)},
			{Method: "POST", Pattern: "/api/v1/eval-models/{id}/ahp", Name: "以层次分析法确定权重", Roles: e, API: true, Handle: s.apiAHP},
			{Method: "GET", Pattern: "/api/v1/eval-models/{id}/scores", Name: "企业评价得分与分类", Roles: v, API: true, Handle: s.apiScores},
			{Method: "GET", Pattern: "/api/v1/eval-models/{id}/sensitivity", Name: "权重敏感性分析", Roles: v, API: true, Handle: s.apiSensitivity},
			{Method: "GET", Pattern: "/api/v1/eval-models/{id}/enterprises/{code}", Name: "企业评价结果说明", Roles: explain, API: true, Handle: s.apiExplain},
		}
	}
}

func (s *evalWeb) listPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	list, err := s.svc.Models(r.Context(), rc.P)
	if err != nil {
		return err
	}
	depts, err := s.svc.Depts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "eval_models", "盐湖化工企业评价模型", "eval-models", map[string]any{
		"List": list, "Depts": depts, "Status": evalmodel.StatusLabels, "Methods": evalmodel.MethodLabels,
		"Tree": evalmodel.DemoTree, "Classes": evalmodel.ClassesText(evalmodel.DefaultClasses), "Year": s.now().In(cst).Year() - 1,
	})
}

func (s *evalWeb) create(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	m, err := s.svc.CreateModel(r.Context(), rc.P, evalmodel.NewModel{Code: r.FormValue("code"), Name: r.FormValue("name"), Period: r.FormValue("period"),
		DeptID: ipFormID(r, "dept_id"), Tree: r.FormValue("tree"), Classes: r.FormValue("classes"), Note: r.FormValue("note")})
	if err != nil {
		return s.done(w, r, "/eval-models", "", err)
	}
	return s.done(w, r, fmt.Sprintf("/eval-models/%d", m.ID), "已建立评价模型 "+m.Code+" 第 1 版（草稿），请确定权重", nil)
}

// evalGroup is one weighting group of the model page: its members, the
// stored or a starting judgement matrix and its consistency.
type evalGroup struct {
	Code, Title string
	Members     []evalmodel.Node
	Matrix      string
	Judgement   *evalmodel.Judgement
	Consistent  bool
}

func (s *evalWeb) modelPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.Model(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	groups := []evalGroup{{Code: "", Title: "准则层", Members: m.Criteria()}}
	for _, c := range m.Criteria() {
		groups = append(groups, evalGroup{Code: c.Code, Title: c.Code + " " + c.Name, Members: m.Children(c.Code)})
	}
	for i := range groups {
		g := &groups[i]
		if j, ok := m.Judgement(g.Code); ok {
			g.Judgement, g.Consistent = &j, j.CR < evalmodel.ConsistencyLimit
			b, _ := json.Marshal(j.Matrix)
			g.Matrix = string(b)
		} else {
			g.Matrix = identity(len(g.Members))
		}
	}
	type indRow struct {
		evalmodel.Node
		Global float64
		Dir    string
	}
	var inds []indRow
	for _, n := range m.Indicators() {
		inds = append(inds, indRow{n, m.GlobalWeight(n), evalmodel.DirectionLabels[n.Direction]})
	}
	return s.render(w, r, rc, http.StatusOK, "eval_model", m.Name, "eval-models", map[string]any{
		"M": m, "Groups": groups, "Indicators": inds, "Problem": m.WeightProblem(), "Edit": rc.P.Has(evalmodel.Editors...) && m.Status == evalmodel.Draft,
		"Editor": rc.P.Has(evalmodel.Editors...), "Status": evalmodel.StatusLabels[m.Status], "Method": evalmodel.MethodLabels[m.Method],
		"Classes": evalmodel.ClassesText(m.Classes), "Limit": evalmodel.ConsistencyLimit,
	})
}

func identity(n int) string {
	rows := make([]string, n)
	for i := range n {
		cells := make([]string, n)
		for j := range n {
			cells[j] = "1"
		}
		rows[i] = "[" + strings.Join(cells, ",") + "]"
	}
	return "[" + strings.Join(rows, ",") + "]"
}

func (s *evalWeb) modelForm(w http.ResponseWriter, r *http.Request, do func(id int64) (string, error)) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	msg, err := do(id)
	return s.done(w, r, fmt.Sprintf("/eval-models/%d", id), msg, err)
}

func (s *evalWeb) ahp(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.modelForm(w, r, func(id int64) (string, error) {
		m, err := evalmodel.ParseMatrix([]byte(r.FormValue("matrix")))
		if err != nil {
			return "", apperr.Invalid("%s", err.Error())
		}
		res, _, err := s.svc.SetAHP(r.Context(), rc.P, id, r.FormValue("group"), m)
		return fmt.Sprintf("已保存权重：λmax = %.4f，CI = %.4f，CR = %.4f，通过一致性检验", res.LambdaMax, res.CI, res.CR), err
	})
}

func (s *evalWeb) entropy(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.modelForm(w, r, func(id int64) (string, error) {
		_, n, err := s.svc.SetEntropy(r.Context(), rc.P, id)
		return fmt.Sprintf("已按熵权法由 %d 家指标数据齐全的企业确定全部权重", n), err
	})
}

func (s *evalWeb) classes(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.modelForm(w, r, func(id int64) (string, error) {
		_, err := s.svc.SetClasses(r.Context(), rc.P, id, r.FormValue("classes"))
		return "已保存分类等级", err
	})
}

func (s *evalWeb) publish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.modelForm(w, r, func(id int64) (string, error) {
		_, err := s.svc.Publish(r.Context(), rc.P, id)
		return "模型已发布，企业可查看本企业的评价说明", err
	})
}

func (s *evalWeb) version(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.NewVersion(r.Context(), rc.P, id)
	if err != nil {
		return s.done(w, r, fmt.Sprintf("/eval-models/%d", id), "", err)
	}
	return s.done(w, r, fmt.Sprintf("/eval-models/%d", m.ID), fmt.Sprintf("已建立第 %d 版（草稿）", m.Version), nil)
}

func (s *evalWeb) scoresPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.svc.Scores(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	type dist struct {
		evalmodel.Class
		Count int
		Upper float64
	}
	var ds []dist
	for i, c := range sc.Model.Classes {
		up := 100.0
		if i > 0 {
			up = sc.Model.Classes[i-1].Min
		}
		ds = append(ds, dist{c, sc.Counts[i], up})
	}
	return s.render(w, r, rc, http.StatusOK, "eval_scores", sc.Model.Name+" 评价结果", "eval-models", map[string]any{"S": sc, "Dist": ds})
}

func (s *evalWeb) sensitivityPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	pct, err := evalmodel.ParsePercent(r.URL.Query().Get("pct"))
	if err != nil {
		return err
	}
	sv, err := s.svc.Sensitivity(r.Context(), rc.P, id, pct)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "eval_sensitivity", sv.Model.Name+" 权重敏感性", "eval-models", map[string]any{"V": sv})
}

func (s *evalWeb) explanation(r *http.Request, rc *reqCtx) (evalmodel.Explanation, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return evalmodel.Explanation{}, err
	}
	pct, err := evalmodel.ParsePercent(r.URL.Query().Get("pct"))
	if err != nil {
		return evalmodel.Explanation{}, err
	}
	return s.svc.Explain(r.Context(), rc.P, id, r.PathValue("code"), pct)
}

func (s *evalWeb) explainPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ex, err := s.explanation(r, rc)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "eval_enterprise", ex.Enterprise.Name+" 评价说明", "eval-models", map[string]any{"X": ex, "Staff": rc.P.Has(evalmodel.Viewers...)})
}

func (s *evalWeb) apiList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "models", func() ([]evalmodel.Model, error) { return s.svc.Models(r.Context(), rc.P) })
}

func (s *evalWeb) apiAHP(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Group  string          `json:"group"`
		Matrix json.RawMessage `json:"matrix"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	m, err := evalmodel.ParseMatrix(body.Matrix)
	if err != nil {
		return apperr.Invalid("%s", err.Error())
	}
	res, model, err := s.svc.SetAHP(r.Context(), rc.P, id, body.Group, m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ahp": res, "model": model})
}

func (s *evalWeb) apiScores(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.svc.Scores(r.Context(), rc.P, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"model": sc.Model, "counts": sc.Counts, "rows": nonNil(sc.Rows)})
}

func (s *evalWeb) apiSensitivity(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	pct, err := evalmodel.ParsePercent(r.URL.Query().Get("pct"))
	if err != nil {
		return err
	}
	sv, err := s.svc.Sensitivity(r.Context(), rc.P, id, pct)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sv)
}

func (s *evalWeb) apiExplain(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ex, err := s.explanation(r, rc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ex)
}

// done sends the browser back to path with msg, or with the error when it
// is the user's to fix.
func (s *evalWeb) done(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	return s.formDone(w, r, path, msg, err)
}
