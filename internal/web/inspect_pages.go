package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/progress"
)

// inspectWeb serves 一单两库 and the 双随机 draws (issue 14 items 5–6):
// the staff page with the libraries and the draw form, and the public
// draw records anyone can download and recompute with `sidi draw verify`.
type inspectWeb struct {
	*Server
	svc *inspect.Service
}

// InspectPages are the routes of internal/inspect over svc.
func InspectPages(svc *inspect.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &inspectWeb{Server: srv, svc: svc}
		v, ed := inspect.Viewers, inspect.Editors
		return []Route{
			{Method: "GET", Pattern: "/inspect", Name: "双随机抽查（一单两库）", Roles: v, Handle: s.staffPage, Menu: Menu{Group: MenuWork, Label: "双随机抽查", Order: 120, Section: "inspect"}},
			{Method: "POST", Pattern: "/inspect/draws", Name: "发起双随机抽取", Roles: ed, Handle: s.runDraw},
			{Method: "POST", Pattern: "/draws/{id}/redraw", Name: "回避重抽", Roles: ed, Handle: s.redraw},
			{Method: "GET", Pattern: "/draws", Name: "双随机抽查公示", Public: true, Handle: s.drawsPage, Menu: Menu{Group: MenuPublic, Label: "双随机抽查公示", Order: 121, Section: "draws"}},
			{Method: "GET", Pattern: "/draws/{id}", Name: "双随机抽查记录", Public: true, Handle: s.drawPage},
			{Method: "GET", Pattern: "/draws/{id}/record.json", Name: "下载抽查记录", Public: true, Handle: s.recordFile},
			{Method: "POST", Pattern: "/draws/{id}/results", Name: "录入抽查结果", Roles: v, Handle: s.enterResult},
			{Method: "POST", Pattern: "/draws/{id}/results/publish", Name: "公示抽查结果", Roles: ed, Handle: s.publishResult},
			{Method: "POST", Pattern: "/draws/{id}/item-results", Name: "录入分事项检查结果", Roles: v, Handle: s.enterItemResult},

			{Method: "GET", Pattern: "/api/v1/draws", Name: "双随机抽查公示", Public: true, API: true, Handle: s.apiDraws},
			{Method: "GET", Pattern: "/api/v1/draw-results", Name: "抽查结果公示查询", Public: true, API: true, Handle: s.apiResults},
			{Method: "POST", Pattern: "/api/v1/draws", Name: "发起双随机抽取", Roles: ed, API: true, Handle: apiCreate(http.StatusCreated, decodeJSON, s.apiRun)},

			{Method: "GET", Pattern: "/inspect/risk", Name: "信用风险分类", Roles: ed, Handle: s.riskPage, Menu: Menu{Group: MenuWork, Label: "信用风险分类", Order: 150, Section: "inspect-risk"}},
			{Method: "POST", Pattern: "/inspect/risk/scheme", Name: "修改信用风险评分方案", Roles: ed, Handle: s.saveScheme},
			{Method: "POST", Pattern: "/inspect/risk/recompute", Name: "重算信用风险分类", Roles: ed, Handle: s.recompute},
			{Method: "GET", Pattern: "/inspect/risk/changes", Name: "风险等级变化预警", Roles: ed, Handle: s.riskChanges},
			{Method: "POST", Pattern: "/inspect/risk/changes/handle", Name: "处理风险等级变化预警", Roles: ed, Handle: s.handleChanges},
			{Method: "GET", Pattern: "/inspect/cross-region", Name: "跨区域检查案件", Roles: ed, Handle: s.crossPage, Menu: Menu{Group: MenuWork, Label: "跨区域检查", Order: 151, Section: "inspect-cross"}},
			{Method: "POST", Pattern: "/inspect/cross-region", Name: "登记跨区域检查案件", Roles: ed, Handle: s.openCross},
			{Method: "POST", Pattern: "/inspect/cross-region/{id}", Name: "更新跨区域检查案件", Roles: ed, Handle: s.moveCross},
			{Method: "GET", Pattern: "/inspect/cross-region/inbox", Name: "跨区域案件收件箱", Roles: ed, Handle: s.crossInbox, Menu: Menu{Group: MenuWork, Label: "跨区域案件收件", Order: 152, Section: "inspect-cross-inbox"}},
			{Method: "POST", Pattern: "/inspect/cross-region/{id}/accept", Name: "接收跨区域检查案件", Roles: ed, Handle: s.answerCross(inspect.CrossAccepted)},
			{Method: "POST", Pattern: "/inspect/cross-region/{id}/return", Name: "退回跨区域检查案件", Roles: ed, Handle: s.answerCross(inspect.CrossDeclined)},
			{Method: "POST", Pattern: "/inspect/cross-region/{id}/done", Name: "办结跨区域检查案件", Roles: ed, Handle: s.answerCross(inspect.CrossDone)},
		}
	}
}

// inspectParts are the pieces of the 双随机 pages (the list of draws),
// rendered here and handed to the pages as HTML.
var inspectParts = mustParseParts("templates/inspect_parts.tmpl")

func (s *inspectWeb) staffPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.svc.Counts(r.Context(), rc.P)
	if err != nil {
		return err
	}
	items, err := s.svc.Items(r.Context(), rc.P)
	if err != nil {
		return err
	}
	rules, err := s.svc.Rules(r.Context())
	if err != nil {
		return err
	}
	draws, err := s.svc.Draws(r.Context(), 20)
	if err != nil {
		return err
	}
	pending, err := s.svc.Pending(r.Context(), rc.P)
	if err != nil {
		return err
	}
	rows, err := renderPartOf(inspectParts, "draw_rows", draws)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "inspect", "双随机抽查（一单两库）", "inspect", map[string]any{
		"C": c, "Items": items, "Pending": pending, "Today": s.now().In(cst).Format("2006-01-02"), "Rules": []inspect.Rule{rules[inspect.ClassGeneral], rules[inspect.ClassKey]}, "DrawRows": rows,
		"CanDraw": rc.P.Has(inspect.Editors...), "Classes": inspect.Classes, "ClassLabels": inspect.ClassLabels, "Algorithm": inspect.Algorithm,
		"Defaults": map[string]string{"A": "0.03", "B": "0.05", "C": "0.1", "D": "1"},
	})
}

// taskFromForm reads the draw form; a ratio that is not a number is
// refused with the class.
func taskFromForm(r *http.Request) (inspect.Task, error) {
	t := inspect.Task{Name: r.PostFormValue("name"), Items: r.PostForm["items"], Scope: inspect.Scope{RegionPrefix: strings.TrimSpace(r.PostFormValue("region_prefix"))},
		Ratios: map[string]inspect.Ratio{}}
	for _, typ := range strings.FieldsFunc(r.PostFormValue("types"), func(c rune) bool { return c == ';' || c == '；' || c == ',' || c == '，' }) {
		if typ = strings.TrimSpace(typ); typ != "" {
			t.Scope.Types = append(t.Scope.Types, typ)
		}
	}
	for _, c := range inspect.Classes {
		v := strings.TrimSpace(r.PostFormValue("ratio_" + c))
		if v == "" {
			continue
		}
		ratio, err := inspect.ParseRatio(v)
		if err != nil {
			return t, apperr.Invalid("%s 类：%v", c, err)
		}
		t.Ratios[c] = ratio
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("team_size")))
	if err != nil {
		return t, apperr.Invalid("检查组人数须为 2 到 20 的整数")
	}
	t.TeamSize = n
	return t, nil
}

func (s *inspectWeb) runDraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	t, err := taskFromForm(r)
	if err == nil {
		var rec inspect.Record
		rec, err = s.svc.Run(r.Context(), rc.P, t, inspect.RunOptions{})
		if err == nil {
			return s.done(w, r, fmt.Sprintf("/draws/%d", rec.DrawID), fmt.Sprintf("已抽取：%d 个检查对象，种子哈希 %s", len(rec.Result.Assignments), rec.SeedSHA256), nil)
		}
	}
	return s.done(w, r, "/inspect", "", err)
}

func (s *inspectWeb) redraw(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	rec, err := s.svc.Redraw(r.Context(), rc.P, id, r.PostFormValue("entity"), r.PostFormValue("inspector"), r.PostFormValue("reason"), inspect.RunOptions{})
	if err != nil {
		return s.done(w, r, fmt.Sprintf("/draws/%d", id), "", err)
	}
	return s.done(w, r, fmt.Sprintf("/draws/%d", rec.DrawID), "已回避重抽，新检查组："+strings.Join(rec.Result.Assignments[0].Team, "、"), nil)
}

func (s *inspectWeb) drawsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var list []inspect.DrawRow
	var results []inspect.Finding
	var err error
	if q != "" {
		if results, err = s.svc.PublicResults(r.Context(), q); err != nil {
			return err
		}
		if len(q) == 18 {
			list, err = s.svc.EntityDraws(r.Context(), q)
		}
	} else {
		list, err = s.svc.Draws(r.Context(), 200)
	}
	if err != nil {
		return err
	}
	rows, err := renderPartOf(inspectParts, "draw_rows", list)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "draws", "双随机抽查公示", "draws", map[string]any{"List": list, "DrawRows": rows, "Q": q, "Results": results})
}

func (s *inspectWeb) enterResult(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	f, err := s.svc.EnterResult(r.Context(), rc.P, id, r.PostFormValue("entity"), r.PostFormValue("outcome"), r.PostFormValue("detail"), r.PostFormValue("formed_on"))
	return s.done(w, r, fmt.Sprintf("/draws/%d", id), fmt.Sprintf("已录入 %s 的检查结果，应于 %s 前公示", f.CreditCode, f.DueOn), err)
}

func (s *inspectWeb) enterItemResult(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	x, err := s.svc.EnterItemResult(r.Context(), rc.P, id, r.PostFormValue("entity"), r.PostFormValue("item"), r.PostFormValue("outcome"), r.PostFormValue("detail"))
	return s.done(w, r, fmt.Sprintf("/draws/%d", id), fmt.Sprintf("已录入 %s 的事项 %s 检查结果", x.CreditCode, x.ItemCode), err)
}

func (s *inspectWeb) publishResult(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	f, err := s.svc.PublishResult(r.Context(), rc.P, id, r.PostFormValue("entity"))
	return s.done(w, r, "/inspect", "已公示 "+f.CreditCode+" 的检查结果", err)
}

func (s *inspectWeb) apiResults(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "results", func() ([]inspect.Finding, error) { return s.svc.PublicResults(r.Context(), r.URL.Query().Get("q")) })
}

const drawPageSize = 100

func (s *inspectWeb) drawPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 100000 {
			return apperr.Invalid("页码无效")
		}
	}
	pg, err := s.svc.Draw(r.Context(), id, (page-1)*drawPageSize, drawPageSize)
	if err != nil {
		return err
	}
	pages := (pg.Total + drawPageSize - 1) / drawPageSize
	items, err := s.svc.DrawItems(r.Context(), pg.Task.Items)
	if err != nil {
		return err
	}
	canResult := rc.P.Has(inspect.Viewers...) && pg.Draw.Kind == "draw" && pg.Draw.Status == inspect.StatusDrawn
	var itemResults []inspect.ItemResult
	var myItems []inspect.Item
	if canResult {
		if myItems, err = s.svc.ItemsInScope(r.Context(), rc.P, id); err != nil {
			return err
		}
		if itemResults, err = s.svc.ItemResults(r.Context(), rc.P, id, 200); err != nil {
			return err
		}
	}
	return s.render(w, r, rc, http.StatusOK, "draw", "抽查记录 "+pg.Draw.Name, "draws", map[string]any{
		"Items": items, "Depts": inspect.Departments(items), "ItemResults": itemResults, "MyItems": myItems,
		"D": pg, "Page": page, "Pages": pages, "Prev": page - 1, "Next": page + 1, "HasNext": page < pages, "First": (page - 1) * drawPageSize,
		"CanRedraw": rc.P.Has(inspect.Editors...) && pg.Draw.Kind == "draw" && pg.Draw.Status == inspect.StatusDrawn, "ClassLabels": inspect.ClassLabels,
		"CanResult": canResult, "Outcomes": inspect.Outcomes,
		"Today": s.now().In(cst).Format("2006-01-02"),
	})
}

func (s *inspectWeb) recordFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	body, err := s.svc.RecordJSON(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="draw-%d.json"`, id))
	_, err = w.Write(body)
	return err
}

func (s *inspectWeb) apiDraws(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return ipJSON(w, "draws", func() ([]inspect.DrawRow, error) { return s.svc.Draws(r.Context(), 200) })
}

// drawCreated is the API's answer to a draw: the record's summary and where
// the full record is.
type drawCreated struct {
	DrawID           int64                   `json:"draw_id"`
	SeedSHA256       string                  `json:"seed_sha256"`
	Seed             string                  `json:"seed"`
	CandidatesSHA256 string                  `json:"candidates_sha256"`
	Strata           []inspect.StratumResult `json:"strata"`
	ResultSHA256     string                  `json:"result_sha256"`
	Record           string                  `json:"record"`
}

func (s *inspectWeb) apiRun(ctx context.Context, p auth.Principal, t inspect.Task) (drawCreated, error) {
	rec, err := s.svc.Run(ctx, p, t, inspect.RunOptions{})
	if err != nil {
		return drawCreated{}, err
	}
	return drawCreated{DrawID: rec.DrawID, SeedSHA256: rec.SeedSHA256, Seed: rec.Seed, CandidatesSHA256: rec.CandidatesSHA256, Strata: rec.Result.Strata,
		ResultSHA256: rec.Result.SHA256, Record: fmt.Sprintf("/draws/%d/record.json", rec.DrawID)}, nil
}

func (s *inspectWeb) done(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	return s.formDone(w, r, path, msg, err)
}

// InspectToDo puts the results awaiting publication on the to-do list of
// the staff who may see them: overdue ones red, those due within five
// days blue.
func InspectToDo(svc *inspect.Service) ToDoFunc {
	return func(ctx context.Context, p auth.Principal) ([]progress.ToDoItem, error) {
		if !p.Has(inspect.Viewers...) {
			return nil, nil
		}
		pending, err := svc.Pending(ctx, p)
		if err != nil {
			return nil, err
		}
		soon := time.Now().In(cst).AddDate(0, 0, 5).Format("2006-01-02")
		out, err := riskToDo(ctx, svc, p)
		if err != nil {
			return nil, err
		}
		if p.Has(inspect.Editors...) {
			inbox, err := svc.CrossInbox(ctx, p, true, 200)
			if err != nil {
				return nil, err
			}
			for _, c := range inbox {
				title, urg := "跨区域检查案件待接收", "remind"
				if c.Status == inspect.CrossAccepted {
					title, urg = "跨区域检查案件待办结", "normal"
				}
				out = append(out, progress.ToDoItem{Kind: "inspect", Urgency: urg, Title: title, Link: "/inspect/cross-region/inbox",
					Message: fmt.Sprintf("%s发来的%s：%s %s（案件 %d）", cmp.Or(c.FromDeptName, inspect.PrefectureName(c.Here)), inspect.CrossModeLabels[c.Mode], c.Name, c.CreditCode, c.ID)})
			}
		}
		for _, f := range pending {
			urg := "normal"
			switch {
			case f.Overdue:
				urg = "overdue"
			case f.DueOn <= soon:
				urg = "remind"
			}
			out = append(out, progress.ToDoItem{Kind: "inspect", Urgency: urg, Title: "双随机抽查结果公示", Deadline: f.DueOn, Link: "/inspect",
				Message: fmt.Sprintf("公示抽查结果：%s（第 %d 号抽查）", cmp.Or(f.Name, f.CreditCode), f.DrawID)})
		}
		return out, nil
	}
}

// Credit risk (risk_pages until the register had one web file).
// The credit-risk classification pages (issue 14 item 8): the scoring
// scheme in force with its edit form (each save a new version), the
// recompute button, the latest runs, the entities' scores with their
// explanations, and the class-change warnings.

func (s *inspectWeb) riskPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	sc, err := s.svc.RiskScheme(ctx)
	if err != nil {
		return err
	}
	versions, err := s.svc.SchemeVersions(ctx, rc.P)
	if err != nil {
		return err
	}
	runs, err := s.svc.RiskRuns(ctx, rc.P, 12)
	if err != nil {
		return err
	}
	_, open, err := s.svc.RiskChanges(ctx, rc.P, false, 1)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(q)) > 100 {
		return apperr.Invalid("查询内容不能超过 100 个字")
	}
	scores, err := s.svc.RiskScores(ctx, rc.P, q, 50)
	if err != nil {
		return err
	}
	rows := append([]inspect.RiskIndicator(nil), sc.Indicators...)
	for range 2 {
		rows = append(rows, inspect.RiskIndicator{})
	}
	names := map[string]string{}
	for _, in := range sc.Indicators {
		names[in.Code] = in.Name
	}
	return s.render(w, r, rc, http.StatusOK, "risk", "信用风险分类", "inspect-risk", map[string]any{
		"S": sc, "Rows": rows, "Versions": versions, "Runs": runs, "Open": open, "Q": q, "Scores": scores, "Names": names,
		"Sources": inspect.Sources, "SourceLabels": inspect.SourceLabels, "ClassLabels": inspect.ClassLabels,
	})
}

// schemeFromForm reads the scheme form: rows left wholly empty are
// skipped; a number that does not read is refused with its row.
func schemeFromForm(r *http.Request) (inspect.RiskScheme, int, error) {
	var sc inspect.RiskScheme
	base, err := strconv.Atoi(r.PostFormValue("base"))
	if err != nil {
		return sc, 0, apperr.Invalid("表单缺少方案版本，请刷新后再改")
	}
	num := func(v, what string) (float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, apperr.Invalid("%s“%s”不是数字", what, kit.ClipRunes(v, 30))
		}
		return f, nil
	}
	n, _ := strconv.Atoi(r.PostFormValue("rows"))
	if n < 0 || n > 40 {
		return sc, base, apperr.Invalid("指标行数无效")
	}
	for i := range n {
		f := func(k string) string { return strings.TrimSpace(r.PostFormValue(fmt.Sprintf("%s_%d", k, i))) }
		if f("code")+f("name")+f("weight")+f("cap")+f("months") == "" {
			continue
		}
		in := inspect.RiskIndicator{Code: f("code"), Name: f("name"), Source: f("source")}
		at := fmt.Sprintf("第 %d 行", i+1)
		if in.Weight, err = num(f("weight"), at+"权重"); err != nil {
			return sc, base, err
		}
		if in.Cap, err = num(f("cap"), at+"满分值"); err != nil {
			return sc, base, err
		}
		if in.Source != inspect.SourceImported {
			if in.Months, err = strconv.Atoi(f("months")); err != nil {
				return sc, base, apperr.Invalid("%s统计期“%s”须为整数（月）", at, kit.ClipRunes(f("months"), 30))
			}
		}
		sc.Indicators = append(sc.Indicators, in)
	}
	for _, c := range []struct {
		name string
		dst  *float64
	}{{"B", &sc.Thresholds.B}, {"C", &sc.Thresholds.C}, {"D", &sc.Thresholds.D}} {
		if *c.dst, err = num(r.PostFormValue("t_"+c.name), c.name+" 类分数线"); err != nil {
			return sc, base, err
		}
	}
	sc.Note = r.PostFormValue("note")
	return sc, base, nil
}

func (s *inspectWeb) saveScheme(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	sc, base, err := schemeFromForm(r)
	if err == nil {
		sc, err = s.svc.SaveRiskScheme(r.Context(), rc.P, base, sc)
	}
	return s.done(w, r, "/inspect/risk", fmt.Sprintf("已保存评分方案第 %d 版；重算后生效", sc.Version), err)
}

func (s *inspectWeb) recompute(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	run, _, err := s.svc.Recompute(r.Context(), rc.P, inspect.CauseManual)
	return s.done(w, r, "/inspect/risk", fmt.Sprintf("已重算 %d 户（评分方案第 %d 版），等级变化 %d 户", run.Entities, run.SchemeVersion, run.Changed), err)
}

func (s *inspectWeb) riskChanges(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	all := r.URL.Query().Get("all") == "1"
	list, open, err := s.svc.RiskChanges(r.Context(), rc.P, all, 500)
	if err != nil {
		return err
	}
	var upTo int64
	for _, c := range list {
		if c.HandledAt == "" && c.ID > upTo {
			upTo = c.ID
		}
	}
	return s.render(w, r, rc, http.StatusOK, "risk_changes", "风险等级变化预警", "inspect-risk", map[string]any{
		"List": list, "Open": open, "All": all, "UpTo": upTo, "ClassLabels": inspect.ClassLabels,
	})
}

func (s *inspectWeb) handleChanges(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	upTo, err := strconv.ParseInt(r.PostFormValue("up_to"), 10, 64)
	if err != nil {
		return s.done(w, r, "/inspect/risk/changes", "", apperr.Invalid("没有要处理的预警"))
	}
	n, err := s.svc.HandleRiskChanges(r.Context(), rc.P, upTo)
	return s.done(w, r, "/inspect/risk/changes", fmt.Sprintf("已标记 %d 条预警为已处理", n), err)
}

// riskToDo puts the open class-change warnings (one item) and a missed
// monthly recompute on the keepers' to-do list.
func riskToDo(ctx context.Context, svc *inspect.Service, p auth.Principal) ([]progress.ToDoItem, error) {
	if !p.Has(inspect.Editors...) {
		return nil, nil
	}
	var out []progress.ToDoItem
	_, open, err := svc.RiskChanges(ctx, p, false, 1)
	if err != nil {
		return nil, err
	}
	if open > 0 {
		out = append(out, progress.ToDoItem{Kind: "inspect", Urgency: "remind", Title: "信用风险等级变化", Link: "/inspect/risk/changes",
			Message: fmt.Sprintf("%d 户检查对象的信用风险等级有变化，请核看", open)})
	}
	runs, err := svc.RiskRuns(ctx, p, 1)
	if err != nil {
		return nil, err
	}
	due, err := svc.RiskDue(ctx)
	if err != nil {
		return nil, err
	}
	if due && len(runs) > 0 {
		out = append(out, progress.ToDoItem{Kind: "inspect", Urgency: "remind", Title: "信用风险分类月度重算", Link: "/inspect/risk",
			Message: "本月尚未重算信用风险分类（上次：" + runs[0].Month + "）"})
	}
	return out, nil
}

// Cross-region cases.
// The cross-region cases page (issue 14 item 8): drawn entities
// registered in another prefecture, the cases opened for them and their
// status.

func (s *inspectWeb) crossPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cands, err := s.svc.CrossCandidates(r.Context(), rc.P, 10, 200)
	if err != nil {
		return err
	}
	cases, err := s.svc.CrossCases(r.Context(), rc.P, 500)
	if err != nil {
		return err
	}
	next := map[string][]string{}
	for _, c := range cases {
		next[c.Status] = inspect.CrossNext(c.Status)
	}
	var homes []string
	for _, c := range cands {
		homes = append(homes, c.Home)
	}
	receivers, err := s.svc.CrossReceivers(r.Context(), homes)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "cross_region", "跨区域检查", "inspect-cross", map[string]any{
		"Cands": cands, "Cases": cases, "Next": next, "Modes": inspect.CrossModeLabels, "Statuses": inspect.CrossStatusLabels,
		"Pref": inspect.PrefectureName, "Receivers": receivers,
	})
}

// crossInbox is the receiving bureau's inbox: the cases other
// prefectures sent to the departments of the user's scope, awaiting
// acceptance or accepted and not yet done.
func (s *inspectWeb) crossInbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cases, err := s.svc.CrossInbox(r.Context(), rc.P, false, 500)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "cross_inbox", "跨区域案件收件箱", "inspect-cross-inbox", map[string]any{
		"Cases": cases, "Modes": inspect.CrossModeLabels, "Statuses": inspect.CrossStatusLabels, "Pref": inspect.PrefectureName,
	})
}

// answerCross accepts, returns or closes a case from the inbox.
func (s *inspectWeb) answerCross(status string) func(http.ResponseWriter, *http.Request, *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return apperr.Invalid("表单无法读取")
		}
		c, err := s.svc.MoveCross(r.Context(), rc.P, id, status, r.PostFormValue("reply"))
		return s.done(w, r, "/inspect/cross-region/inbox", fmt.Sprintf("跨区域案件 %d：%s", c.ID, inspect.CrossStatusLabels[c.Status]), err)
	}
}

func (s *inspectWeb) openCross(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	id, err := strconv.ParseInt(r.PostFormValue("draw_id"), 10, 64)
	if err != nil || id <= 0 {
		return s.done(w, r, "/inspect/cross-region", "", apperr.Invalid("抽查编号无效"))
	}
	var to int64
	if v := r.PostFormValue("to_dept"); v != "" {
		if to, err = strconv.ParseInt(v, 10, 64); err != nil || to <= 0 {
			return s.done(w, r, "/inspect/cross-region", "", apperr.Invalid("接收部门无效"))
		}
	}
	c, err := s.svc.OpenCross(r.Context(), rc.P, id, r.PostFormValue("entity"), r.PostFormValue("mode"), r.PostFormValue("note"), to)
	return s.done(w, r, "/inspect/cross-region", fmt.Sprintf("已登记：%s %s（%s）", c.CreditCode, inspect.CrossModeLabels[c.Mode], inspect.PrefectureName(c.Home)), err)
}

func (s *inspectWeb) moveCross(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("表单无法读取")
	}
	c, err := s.svc.MoveCross(r.Context(), rc.P, id, r.PostFormValue("status"), r.PostFormValue("reply"))
	return s.done(w, r, "/inspect/cross-region", fmt.Sprintf("跨区域案件 %d：%s", c.ID, inspect.CrossStatusLabels[c.Status]), err)
}
