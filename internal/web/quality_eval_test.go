package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	entdir "sidi/internal/enterprise"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// Who may call the evaluation-model routes (evalmodel_pages.go): the
// market-supervision staff read (the service narrows to the model's
// department scope), administrators and supervisors change; an
// enterprise user reads its own explanation only.
var (
	evalViewers = []string{admin, supervisor, inspector}
	evalEditors = []string{admin, supervisor}
	evalExplain = []string{admin, supervisor, inspector, enterprise}
)

func init() {
	for k, v := range map[string][]string{
		"GET /eval-models":                                evalViewers,
		"POST /eval-models":                               evalEditors,
		"GET /eval-models/{id}":                           evalViewers,
		"POST /eval-models/{id}/ahp":                      evalEditors,
		"POST /eval-models/{id}/entropy":                  evalEditors,
		"POST /eval-models/{id}/classes":                  evalEditors,
		"POST /eval-models/{id}/publish":                  evalEditors,
		"POST /eval-models/{id}/version":                  evalEditors,
		"GET /eval-models/{id}/scores":                    evalViewers,
		"GET /eval-models/{id}/sensitivity":               evalViewers,
		"GET /eval-models/{id}/enterprises/{code}":        evalExplain,
		"GET /api/v1/eval-models":                         evalViewers,
		"GET /api/v1/eval-models/{id}":                    evalViewers,
		"POST /api/v1/eval-models/{id}/ahp":               evalEditors,
		"GET /api/v1/eval-models/{id}/scores":             evalViewers,
		"GET /api/v1/eval-models/{id}/sensitivity":        evalViewers,
		"GET /api/v1/eval-models/{id}/enterprises/{code}": evalExplain,
	} {
		expectedAccess[k] = v
	}
	// The menu: the work entry follows 知识产权运营.
	for who, m := range wantMenu {
		if !slices.Contains(evalViewers, who) {
			continue
		}
		m = slices.Clone(m)
		i := slices.Index(m, "/ip-operations") + 1
		wantMenu[who] = slices.Insert(m, i, "/eval-models")
	}
}

// TestEvalModelPages drives the demo model through the pages: the lists,
// the explanation and sensitivity, the AHP form refusing an inconsistent
// and a broken matrix (nothing written), hostile parameters, and the
// enterprise user who sees only its own enterprise.
func TestEvalModelPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		cli := auth.CLI("test")
		svc := f.set.EvalModel
		if _, err := evalmodel.SeedDemo(ctx, svc, cli); err != nil {
			t.Fatal(err)
		}
		ms, _ := svc.Models(ctx, cli)
		v2, v1 := ms[0], ms[1]
		sc, err := svc.Scores(ctx, cli, v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		code := sc.Rows[0].CreditCode
		c := f.as(t, "demo-supervisor")
		for path, want := range map[string]string{
			"/eval-models":                                                    "【演示数据】盐湖化工生产企业分类评价模型",
			fmt.Sprintf("/eval-models/%d", v1.ID):                             "CR = ",
			fmt.Sprintf("/eval-models/%d/scores", v1.ID):                      sc.Rows[0].Name,
			fmt.Sprintf("/eval-models/%d/sensitivity?pct=20", v1.ID):          "±20%",
			fmt.Sprintf("/eval-models/%d/enterprises/%s", v1.ID, code):        "失分最多的指标",
			fmt.Sprintf("/api/v1/eval-models/%d/enterprises/%s", v1.ID, code): `"summary"`,
		} {
			if resp, body := c.get(path); resp.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("%s: %d, lacks %q", path, resp.StatusCode, want)
			}
		}
		for path, want := range map[string]int{
			fmt.Sprintf("/eval-models/%d/sensitivity?pct=abc", v1.ID):        422,
			fmt.Sprintf("/eval-models/%d/sensitivity?pct=1e9", v1.ID):        422,
			fmt.Sprintf("/eval-models/%d/enterprises/%%3Cscript%%3E", v1.ID): 404,
			"/eval-models/99999":        404,
			"/eval-models/1%20OR%201=1": 404,
		} {
			if resp, _ := c.get(path); resp.StatusCode != want && !(want == 404 && resp.StatusCode == 400) {
				t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
			}
		}
		// The AHP form on the draft version 2 (entropy weights).
		page := fmt.Sprintf("/eval-models/%d", v2.ID)
		tok := c.csrf(page)
		before, _ := svc.Model(ctx, cli, v2.ID)
		for _, bad := range []string{`[[1,9,"1/9"],["1/9",1,9],[9,"1/9",1]]`, `[[1,3,2],[3,1,0.5],[0.5,2,1]]`, `[[1,0,2],[1,1,1],[1,1,1]]`, `<script>`} {
			resp, _ := c.postForm(page+"/ahp", url.Values{"csrf_token": {tok}, "group": {"S"}, "matrix": {bad}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("matrix %s: %d", bad, resp.StatusCode)
			}
		}
		if resp, _ := c.postForm(page+"/ahp", url.Values{"group": {"S"}, "matrix": {`[[1,3,2],["1/3",1,0.5],[0.5,2,1]]`}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("no csrf: %d", resp.StatusCode)
		}
		after, _ := svc.Model(ctx, cli, v2.ID)
		if fmt.Sprint(before.Nodes) != fmt.Sprint(after.Nodes) || len(after.Judgements) != 0 {
			t.Error("a refused matrix changed the weights")
		}
		_, body := c.get(page)
		if !strings.Contains(body, "熵权法") {
			t.Error("method not shown")
		}
		if resp, body := c.send("POST", fmt.Sprintf("/api/v1/eval-models/%d/ahp", v2.ID), tok, "application/json", `{"group":"S","matrix":[[1,9,"1/9"],["1/9",1,9],[9,"1/9",1]]}`); resp.StatusCode != 422 || !strings.Contains(body, "CR") {
			t.Errorf("API inconsistent: %d %s", resp.StatusCode, body)
		}
		if resp, body := c.send("POST", fmt.Sprintf("/api/v1/eval-models/%d/ahp", v2.ID), tok, "application/json", `{"group":"S","matrix":[[1,3,2],["1/3",1,0.5],[0.5,2,1]]}`); resp.StatusCode != 200 || !strings.Contains(body, `"consistent":true`) {
			t.Errorf("API consistent: %d %s", resp.StatusCode, body)
		}
		// The published version 1 refuses changes.
		if resp, body := c.send("POST", fmt.Sprintf("/api/v1/eval-models/%d/ahp", v1.ID), tok, "application/json", `{"group":"B","matrix":[[1,3],["1/3",1]]}`); resp.StatusCode != http.StatusConflict {
			t.Errorf("published: %d %s", resp.StatusCode, body)
		}
		// The enterprise user: its own enterprise only.
		e := entdir.NewService(db)
		own, _ := e.ByCreditCode(ctx, code)
		if err := e.LinkLogin(ctx, cli, "demo-enterprise", own.ID); err != nil {
			t.Fatal(err)
		}
		ec := f.as(t, "demo-enterprise")
		if resp, body := ec.get(fmt.Sprintf("/eval-models/%d/enterprises/%s", v1.ID, code)); resp.StatusCode != 200 || !strings.Contains(body, own.Name) {
			t.Errorf("own explanation: %d", resp.StatusCode)
		}
		if resp, _ := ec.get(fmt.Sprintf("/eval-models/%d/enterprises/%s", v1.ID, sc.Rows[1].CreditCode)); resp.StatusCode != 404 {
			t.Errorf("another enterprise's explanation: %d", resp.StatusCode)
		}
		if resp, _ := ec.get(fmt.Sprintf("/eval-models/%d/scores", v1.ID)); resp.StatusCode != 403 {
			t.Errorf("enterprise opens the scores: %d", resp.StatusCode)
		}
		if resp, body := ec.get("/enterprises/" + code); resp.StatusCode != 200 || !strings.Contains(body, "盐湖化工企业分类评价") {
			t.Errorf("enterprise page section: %d", resp.StatusCode)
		}
		if resp, _ := f.client(t).get(fmt.Sprintf("/api/v1/eval-models/%d/enterprises/%s", v1.ID, code)); resp.StatusCode != 401 {
			t.Errorf("the public: %d", resp.StatusCode)
		}
	})
}
