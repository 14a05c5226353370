package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func init() {
	for k, v := range map[string][]string{
		"GET /inspect/risk":                 editorsOnly,
		"POST /inspect/risk/scheme":         editorsOnly,
		"POST /inspect/risk/recompute":      editorsOnly,
		"GET /inspect/risk/changes":         editorsOnly,
		"POST /inspect/risk/changes/handle": editorsOnly,
	} {
		expectedAccess[k] = v
	}
	for who, m := range wantMenu {
		if slices.Contains(editorsOnly, who) {
			wantMenu[who] = append(slices.Clone(m), "/inspect/risk")
		}
	}
}

// TestRiskPages edits the scheme (hostile forms refused, nothing saved),
// recomputes from the button, lists the class-change warnings (also on
// the to-do list) and handles them; a draw afterwards says it used the
// computed classes.
func TestRiskPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.as(t, "demo-supervisor")
		tok := c.csrf("/inspect/risk")
		if resp, body := c.get("/inspect/risk"); resp.StatusCode != 200 || !strings.Contains(body, "现行方案：第 1 版") || !strings.Contains(body, "SAMPLING_FAIL") {
			t.Fatalf("risk page: %d", resp.StatusCode)
		}
		good := url.Values{"csrf_token": {tok}, "base": {"1"}, "rows": {"3"},
			"code_0": {"ABNORMAL"}, "name_0": {"列入经营异常名录"}, "source_0": {"imported"}, "weight_0": {"60"}, "cap_0": {"1"},
			"code_1": {"SAMPLING_FAIL"}, "name_1": {"抽查不合格"}, "source_1": {"sampling_failed"}, "weight_1": {"40"}, "cap_1": {"2"}, "months_1": {"24"},
			"t_B": {"10"}, "t_C": {"30"}, "t_D": {"60"}, "note": {"网页修改"}}
		versions := func() int {
			var n int
			db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_schemes`).Scan(&n)
			return n
		}
		for name, bad := range map[string]url.Values{
			"sum 90":         {"weight_0": {"50"}},
			"NaN":            {"weight_0": {"NaN"}},
			"text":           {"weight_1": {"四十"}},
			"negative":       {"weight_0": {"-60"}, "weight_1": {"160"}},
			"unknown source": {"source_0": {"gossip"}},
			"thresholds":     {"t_B": {"40"}},
			"stale base":     {"base": {"0"}},
			"months":         {"months_1": {"x"}},
			"rows":           {"rows": {"9999"}},
		} {
			v := url.Values{}
			for k, x := range good {
				v[k] = x
			}
			for k, x := range bad {
				v[k] = x
			}
			if resp, _ := c.postForm("/inspect/risk/scheme", v); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
			if n := versions(); n != 1 {
				t.Fatalf("%s: saved (%d versions)", name, n)
			}
		}
		if resp, _ := c.postForm("/inspect/risk/scheme", good); resp.StatusCode != http.StatusSeeOther || versions() != 2 {
			t.Fatalf("good scheme: %d, %d versions", resp.StatusCode, versions())
		}
		if resp, _ := c.postForm("/inspect/risk/recompute", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("recompute: %d", resp.StatusCode)
		}
		var runs, open int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_runs WHERE scheme_version = 2`).Scan(&runs)
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_changes WHERE handled_at = ''`).Scan(&open)
		if runs != 1 || open == 0 {
			t.Fatalf("runs %d, open warnings %d", runs, open)
		}
		if _, body := c.get("/my"); !strings.Contains(body, "信用风险等级有变化") {
			t.Error("warnings missing from the to-do list")
		}
		resp, body := c.get("/inspect/risk/changes")
		if resp.StatusCode != 200 || strings.Count(body, "待处理</td>") != open {
			t.Fatalf("changes page: %d, want %d open", resp.StatusCode, open)
		}
		if resp, body := c.get("/inspect/risk?q=" + url.QueryEscape("测试")); resp.StatusCode != 200 || !strings.Contains(body, "第 2 版") {
			t.Fatalf("scores: %d", resp.StatusCode)
		}
		_ = body
		upTo := db.Reader().QueryRowContext(ctx, `SELECT MAX(id) FROM inspect_risk_changes`)
		var max string
		upTo.Scan(&max)
		if resp, _ := c.postForm("/inspect/risk/changes/handle", url.Values{"csrf_token": {tok}, "up_to": {"x"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bad handle: %d", resp.StatusCode)
		}
		if resp, _ := c.postForm("/inspect/risk/changes/handle", url.Values{"csrf_token": {tok}, "up_to": {max}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("handle: %d", resp.StatusCode)
		}
		if _, body := c.get("/my"); strings.Contains(body, "信用风险等级有变化") {
			t.Error("handled warnings still on the to-do list")
		}
		// A draw now uses the computed classes and its public page says so.
		form := url.Values{"csrf_token": {tok}, "name": {"分类后抽取"}, "items": {"CQ-2023-01"}, "region_prefix": {"63"},
			"ratio_A": {"0.03"}, "ratio_B": {"0.05"}, "ratio_C": {"0.1"}, "ratio_D": {"1"}, "team_size": {"2"}}
		resp, _ = c.postForm("/inspect/draws", form)
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/draws/") {
			t.Fatalf("draw: %d %s", resp.StatusCode, loc)
		}
		if _, body := f.client(t).get(loc); !strings.Contains(body, "采用信用风险分类计算的等级") {
			t.Error("the record does not say which classes it used")
		}
		// The inspector may not see or run it.
		in := f.as(t, "demo-inspector")
		if resp, _ := in.get("/inspect/risk"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("inspector sees the scores: %d", resp.StatusCode)
		}
	})
}

func init() {
	for k, v := range map[string][]string{
		"GET /inspect/cross-region":              editorsOnly,
		"POST /inspect/cross-region":             editorsOnly,
		"POST /inspect/cross-region/{id}":        editorsOnly,
		"GET /inspect/cross-region/inbox":        editorsOnly,
		"POST /inspect/cross-region/{id}/accept": editorsOnly,
		"POST /inspect/cross-region/{id}/return": editorsOnly,
		"POST /inspect/cross-region/{id}/done":   editorsOnly,
	} {
		expectedAccess[k] = v
	}
	for who, m := range wantMenu {
		if slices.Contains(editorsOnly, who) {
			wantMenu[who] = append(slices.Clone(m), "/inspect/cross-region", "/inspect/cross-region/inbox")
		}
	}
}

// TestCrossRegionPage opens a case for a drawn entity registered in
// another prefecture from the page's button, refuses hostile forms, and
// moves the case to done.
func TestCrossRegionPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.as(t, "demo-supervisor")
		tok := c.csrf("/inspect/cross-region")
		// A demo entity moves to 西宁 while registered in its own prefecture.
		var code, region string
		if err := db.Reader().QueryRowContext(ctx, `SELECT a.credit_code, e.region FROM inspect_assignments a JOIN inspect_entities e ON e.credit_code = a.credit_code
			WHERE substr(e.region, 1, 4) <> '6301' ORDER BY a.draw_id DESC, a.seq LIMIT 1`).Scan(&code, &region); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_entities SET region = '630102' WHERE credit_code = $1`, code); err != nil {
			t.Fatal(err)
		}
		resp, body := c.get("/inspect/cross-region")
		if resp.StatusCode != 200 || !strings.Contains(body, code) {
			t.Fatalf("page: %d, candidate %s missing", resp.StatusCode, code)
		}
		var draw string
		db.Reader().QueryRowContext(ctx, `SELECT CAST(MAX(draw_id) AS TEXT) FROM inspect_assignments WHERE credit_code = $1`, code).Scan(&draw)
		for name, v := range map[string]url.Values{
			"draw text": {"draw_id": {"x"}, "entity": {code}, "mode": {"handover"}},
			"mode":      {"draw_id": {draw}, "entity": {code}, "mode": {"<b>"}},
			"entity":    {"draw_id": {draw}, "entity": {"'; DROP TABLE x"}, "mode": {"assist"}},
		} {
			v.Set("csrf_token", tok)
			if resp, _ := c.postForm("/inspect/cross-region", v); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("%s: %d", name, resp.StatusCode)
			}
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_crossregion`).Scan(&n)
		if n != 0 {
			t.Fatalf("hostile forms opened %d cases", n)
		}
		if resp, _ := c.postForm("/inspect/cross-region", url.Values{"csrf_token": {tok}, "draw_id": {draw}, "entity": {code}, "mode": {"assist"}, "note": {"请协助"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open: %d", resp.StatusCode)
		}
		var id string
		db.Reader().QueryRowContext(ctx, `SELECT CAST(id AS TEXT) FROM inspect_crossregion WHERE credit_code = $1`, code).Scan(&id)
		for _, st := range []string{"accepted", "done"} {
			if resp, _ := c.postForm("/inspect/cross-region/"+id, url.Values{"csrf_token": {tok}, "status": {st}, "reply": {"办理中"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", st, resp.StatusCode)
			}
		}
		if _, body := c.get("/inspect/cross-region"); !strings.Contains(body, "已办结") {
			t.Error("the case is not shown as done")
		}
	})
}

func init() {
	expectedAccess["POST /draws/{id}/item-results"] = drawViewers
}

// TestJointInspectionPage draws two items of two departments from the web:
// the record page names the departments and takes each item's result.
func TestJointInspectionPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		loc, entity, codes, c, tok := jointDraw(t, f, "省市场监管局", "省应急管理厅")
		if _, body := c.get(loc); !strings.Contains(body, "2 个部门：省市场监管局、省应急管理厅") {
			t.Fatal("the joint inspection's departments are not shown")
		}
		if resp, _ := c.postForm(loc+"/item-results", url.Values{"csrf_token": {tok}, "entity": {entity}, "item": {"NOPE"}, "outcome": {"未发现问题"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bad item: %d", resp.StatusCode)
		}
		for _, it := range codes {
			if resp, _ := c.postForm(loc+"/item-results", url.Values{"csrf_token": {tok}, "entity": {entity}, "item": {it}, "outcome": {"未发现问题"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("item result: %d", resp.StatusCode)
			}
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_item_results`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d item results", n)
		}
		if _, body := f.client(t).get(loc); strings.Contains(body, "分事项检查结果") {
			t.Error("the public sees the result form")
		}
	})
}

// deptUser creates an account of role in the directory department code
// (scope: the department and those below it) and logs it in.
func deptUser(t *testing.T, f *fixture, login, code string, role auth.Role) *client {
	t.Helper()
	if _, err := f.auth.CreateUser(context.Background(), auth.CLI("test"), auth.NewUser{Login: login, Name: string(role) + "-" + code,
		DeptID: deptID(t, f, code), Roles: []auth.Role{role}, Scope: auth.ScopeSubtree, Password: "Cross#2026region"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Writer().Exec(`UPDATE users SET must_change_password = $1 WHERE login = $2`, false, login); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	c.login(login, "Cross#2026region")
	return c
}

// TestCrossRegionInboxPage sends a case from 西宁 to the prefecture where
// the entity is registered: it appears in that bureau's inbox and to-do
// list only; the sender cannot accept it, a bystander gets a not-found,
// and the receiver returns (reason required), or accepts and closes it.
func TestCrossRegionInboxPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		var code, draw string
		if err := db.Reader().QueryRowContext(ctx, `SELECT a.credit_code, CAST(a.draw_id AS TEXT) FROM inspect_assignments a JOIN inspect_draws d ON d.id = a.draw_id
			WHERE d.kind = 'draw' AND substr(a.credit_code, 3, 2) = '63' AND substr(a.credit_code, 3, 4) NOT IN ('6300', '6301') ORDER BY a.draw_id DESC, a.seq LIMIT 1`).Scan(&code, &draw); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_entities SET region = '630102' WHERE credit_code = $1`, code); err != nil {
			t.Fatal(err)
		}
		home := code[2:6] + "00"
		bystanderCode := "630200"
		if home == bystanderCode {
			bystanderCode = "632800"
		}
		sender, receiver, bystander := deptUser(t, f, "xn.sup", "630100", auth.RoleSupervisor), deptUser(t, f, "home.sup", home, auth.RoleSupervisor), deptUser(t, f, "by.sup", bystanderCode, auth.RoleSupervisor)
		tok := sender.csrf("/inspect/cross-region")
		if resp, body := sender.postForm("/inspect/cross-region", url.Values{"csrf_token": {tok}, "draw_id": {draw}, "entity": {code}, "mode": {"handover"}, "note": {"请接收"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open: %d %s", resp.StatusCode, body)
		}
		sender.get("/inspect/cross-region") // shows (and clears) the status message naming the entity
		var id, status string
		var to int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT CAST(id AS TEXT), to_dept FROM inspect_crossregion WHERE credit_code = $1`, code).Scan(&id, &to); err != nil || to != deptID(t, f, home) {
			t.Fatalf("case %s to %d (want %d): %v", id, to, deptID(t, f, home), err)
		}
		statusOf := func() string {
			db.Reader().QueryRowContext(ctx, `SELECT status FROM inspect_crossregion WHERE id = $1`, id).Scan(&status)
			return status
		}
		for name, tc := range map[string]struct {
			c    *client
			path string
			sees bool
		}{
			"receiver inbox": {receiver, "/inspect/cross-region/inbox", true}, "receiver to-do": {receiver, "/my", true},
			"sender inbox": {sender, "/inspect/cross-region/inbox", false}, "bystander inbox": {bystander, "/inspect/cross-region/inbox", false},
			"bystander cases": {bystander, "/inspect/cross-region", false}, "sender cases": {sender, "/inspect/cross-region", true},
		} {
			resp, body := tc.c.get(tc.path)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, code) != tc.sees {
				t.Errorf("%s: %d, shows the case %v, want %v", name, resp.StatusCode, !tc.sees, tc.sees)
			}
		}
		if _, body := sender.get("/inspect/cross-region"); strings.Contains(body, `action="/inspect/cross-region/`+id+`"`) {
			t.Error("the sender is offered the receiver's answer")
		}
		rtok, btok := receiver.csrf("/inspect/cross-region/inbox"), bystander.csrf("/inspect/cross-region/inbox")
		for i, tc := range []struct {
			c      *client
			tok    string
			action string
			reply  string
			code   int
			want   string
		}{
			{sender, tok, "accept", "", http.StatusForbidden, "requested"},
			{bystander, btok, "accept", "", http.StatusNotFound, "requested"},
			{receiver, rtok, "done", "", http.StatusSeeOther, "requested"},   // refused: not accepted yet
			{receiver, rtok, "return", "", http.StatusSeeOther, "requested"}, // refused: no reason
			{receiver, rtok, "accept", "已接收", http.StatusSeeOther, "accepted"},
			{receiver, rtok, "done", "已检查", http.StatusSeeOther, "done"},
		} {
			resp, _ := tc.c.postForm("/inspect/cross-region/"+id+"/"+tc.action, url.Values{"csrf_token": {tc.tok}, "reply": {tc.reply}})
			if resp.StatusCode != tc.code || statusOf() != tc.want {
				t.Errorf("step %d %s: %d, status %s; want %d, %s", i, tc.action, resp.StatusCode, status, tc.code, tc.want)
			}
		}
		if _, body := receiver.get("/my"); strings.Contains(body, code) {
			t.Error("a closed case stays on the receiver's to-do list")
		}
	})
}

// TestItemResultsScopedPage: in a joint draw of the market regulator's and
// the development commission's items, each department's inspector enters
// and sees only its own item's results; the other's item answers 404.
func TestItemResultsScopedPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		loc, entity, codes, _, _ := jointDraw(t, f, "省市场监管局", "省发展改革委")
		drc := deptUser(t, f, "drc.insp", "qh-drc", auth.RoleInspector)
		samr := f.as(t, "demo-inspector")
		stok, dtok := samr.csrf(loc), drc.csrf(loc)
		for i, tc := range []struct {
			c      *client
			tok    string
			item   string
			detail string
			code   int
		}{
			{samr, stok, codes[0], "市场监管局结果", http.StatusSeeOther},
			{drc, dtok, codes[1], "发改委结果", http.StatusSeeOther},
			{samr, stok, codes[1], "越权", http.StatusNotFound},
			{drc, dtok, codes[0], "越权", http.StatusNotFound},
		} {
			if resp, _ := tc.c.postForm(loc+"/item-results", url.Values{"csrf_token": {tc.tok}, "entity": {entity}, "item": {tc.item}, "outcome": {"未发现问题"}, "detail": {tc.detail}}); resp.StatusCode != tc.code {
				t.Errorf("%d: %d, want %d", i, resp.StatusCode, tc.code)
			}
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_item_results WHERE detail = '越权'`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d results written outside the scope", n)
		}
		for name, tc := range map[string]struct {
			c           *client
			sees, hides string
		}{"samr": {samr, "市场监管局结果", "发改委结果"}, "drc": {drc, "发改委结果", "市场监管局结果"}} {
			_, body := tc.c.get(loc)
			if !strings.Contains(body, tc.sees) || strings.Contains(body, tc.hides) {
				t.Errorf("%s: sees own %v, sees other's %v", name, strings.Contains(body, tc.sees), strings.Contains(body, tc.hides))
			}
		}
	})
}

// jointDraw gives the first demo items the departments depts and draws
// them from the web as the supervisor: the record's path, its first
// entity, the item codes, the supervisor and its CSRF token.
func jointDraw(t *testing.T, f *fixture, depts ...string) (loc, entity string, codes []string, c *client, tok string) {
	t.Helper()
	ctx := context.Background()
	db := f.db
	if err := store.EachRow(ctx, db.Reader(), `SELECT code FROM inspect_items ORDER BY code LIMIT $1`, []any{len(depts)}, func(r *sql.Rows) error {
		var c string
		err := r.Scan(&c)
		codes = append(codes, c)
		return err
	}); err != nil || len(codes) != len(depts) {
		t.Fatalf("demo items %v %v", codes, err)
	}
	for i, d := range depts {
		if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_items SET dept = $1 WHERE code = $2`, d, codes[i]); err != nil {
			t.Fatal(err)
		}
	}
	c = f.as(t, "demo-supervisor")
	tok = c.csrf("/inspect")
	resp, _ := c.postForm("/inspect/draws", url.Values{"csrf_token": {tok}, "name": {"联合抽查"}, "items": codes, "region_prefix": {"63"},
		"ratio_A": {"0.03"}, "ratio_B": {"0.05"}, "ratio_C": {"0.1"}, "ratio_D": {"1"}, "team_size": {"2"}})
	loc = resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/draws/") {
		t.Fatalf("draw: %d %s", resp.StatusCode, loc)
	}
	db.Reader().QueryRowContext(ctx, `SELECT credit_code FROM inspect_assignments WHERE draw_id = $1 AND seq = 1`, strings.TrimPrefix(loc, "/draws/")).Scan(&entity)
	return loc, entity, codes, c, tok
}
