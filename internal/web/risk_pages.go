package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/progress"
)

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
