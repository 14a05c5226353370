package inspect_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// drawAll adds entities located in 西宁 (code, name pairs), all of class
// D, and draws every class-D entity of the province with item K-01.
func drawAll(t *testing.T, s *inspect.Service, codeNames ...string) inspect.Record {
	t.Helper()
	csv := "统一社会信用代码,名称,行政区划代码,类型,风险等级\n"
	for i := 0; i+1 < len(codeNames); i += 2 {
		csv += codeNames[i] + "," + codeNames[i+1] + ",630102,有限责任公司,D\n"
	}
	if _, err := s.ImportEntities(ctx, admin, kit.BytesSource("e.csv", []byte(csv)), kit.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	task := inspect.Task{Name: "跨区域", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
		Ratios: map[string]inspect.Ratio{"A": 0, "B": 0, "C": 0, "D": 1_000_000}, TeamSize: 2}
	rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// An entity located in 西宁 but registered in 海西 (its credit code's
// region) is a cross-region case once drawn: handed over or assisted,
// with its status moving requested → accepted → done.
func TestCrossRegionCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 20, 8)
		far := inspect.GenCode(900, "632801") // registered in 格尔木 (海西州)
		out := inspect.GenCode(901, "110105") // registered in Beijing
		rec := drawAll(t, s, far, "异地登记主体", out, "外省登记主体")
		cands, err := s.CrossCandidates(ctx, admin, 5, 100)
		if err != nil || len(cands) != 2 {
			t.Fatalf("candidates %+v %v", cands, err)
		}
		for _, c := range cands {
			if c.Here != "630100" || (c.CreditCode == far) != (c.Home == "632800") {
				t.Fatalf("candidate %+v", c)
			}
		}
		var local string
		for _, a := range rec.Result.Assignments {
			if a.Entity != far && a.Entity != out {
				local = a.Entity
			}
		}
		for name, tc := range map[string]struct{ code, mode, want string }{
			"same prefecture": {local, inspect.ModeHandover, "不是跨区域案件"},
			"not drawn":       {inspect.GenCode(999, "632801"), inspect.ModeHandover, "不在第"},
			"bad mode":        {far, "teleport", "方式须为"},
		} {
			if _, err := s.OpenCross(ctx, admin, rec.DrawID, tc.code, tc.mode, "", 0); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v", name, err)
			}
		}
		c, err := s.OpenCross(ctx, admin, rec.DrawID, strings.ToLower(far), inspect.ModeHandover, "移交海西州局", 0)
		if err != nil || c.Home != "632800" || c.Status != inspect.CrossRequested {
			t.Fatalf("open %+v %v", c, err)
		}
		// Refused writes: their messages, and neither a row nor an entry.
		caseRows := []string{`SELECT COUNT(*) FROM inspect_crossregion`, `SELECT COUNT(*) FROM inspect_crossregion WHERE status = 'requested' AND reply = ''`}
		move := func(id int64, status, reply string) func() error {
			return func() error { _, err := s.MoveCross(ctx, admin, id, status, reply); return err }
		}
		kittest.Refused(t, db, caseRows, []kittest.Refusal{
			{Name: "twice", Kind: apperr.ErrConflict, Msg: fmt.Sprintf("第 %d 号抽查中 %s 的跨区域案件已登记", rec.DrawID, far),
				Write: func() error {
					_, err := s.OpenCross(ctx, admin, rec.DrawID, far, inspect.ModeAssist, "", 0)
					return err
				}},
			{Name: "open by a viewer", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限",
				Write: func() error {
					_, err := s.OpenCross(ctx, auth.Principal{UserID: 9, Login: "x"}, rec.DrawID, out, inspect.ModeAssist, "", 0)
					return err
				}},
			{Name: "done before accepted", Kind: apperr.ErrInvalid, Msg: "“已发出，待对方接收”的案件不能改为“已办结”", Write: move(c.ID, inspect.CrossDone, "")},
			{Name: "unknown status", Kind: apperr.ErrInvalid, Msg: "“已发出，待对方接收”的案件不能改为“closed”", Write: move(c.ID, "closed", "")},
			{Name: "return without a reason", Kind: apperr.ErrInvalid, Msg: "退回案件须写明理由", Write: move(c.ID, inspect.CrossDeclined, " ")},
			{Name: "unknown case", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("跨区域案件 %d 不存在", c.ID+100), Write: move(c.ID+100, inspect.CrossAccepted, "")},
		})
		if _, err := s.MoveCross(ctx, admin, c.ID, inspect.CrossAccepted, "海西州局已接收"); err != nil {
			t.Fatal(err)
		}
		if c, err = s.MoveCross(ctx, admin, c.ID, inspect.CrossDone, "已检查，未发现问题"); err != nil || c.Status != inspect.CrossDone {
			t.Fatalf("done %+v %v", c, err)
		}
		if _, err := s.MoveCross(ctx, admin, c.ID, inspect.CrossAccepted, ""); err == nil {
			t.Fatal("reopened a done case")
		}
		// The entries: the case opened whole, each move its status and
		// reply before and after.
		opened, _ := json.Marshal(map[string]any{"credit_code": far, "draw_id": rec.DrawID, "from_dept": 0, "here": "630100", "home": "632800", "mode": inspect.ModeHandover,
			"note": "移交海西州局", "status": inspect.CrossRequested, "to_dept": 0})
		id := strconv.FormatInt(c.ID, 10)
		want := []string{
			id + " create null → " + string(opened),
			id + ` accept {"reply":"","status":"requested"} → {"reply":"海西州局已接收","status":"accepted"}`,
			id + ` complete {"reply":"海西州局已接收","status":"accepted"} → {"reply":"已检查，未发现问题","status":"done"}`,
		}
		if got := kittest.AuditEntries(t, db, "inspect_crossregion"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		list, err := s.CrossCases(ctx, admin, 10)
		if err != nil || len(list) != 1 || list[0].Reply != "已检查，未发现问题" || list[0].Name != "异地登记主体" {
			t.Fatalf("list %+v %v", list, err)
		}
		if cands, _ := s.CrossCandidates(ctx, admin, 5, 100); len(cands) != 1 || cands[0].CreditCode != out || inspect.PrefectureName(cands[0].Home) != "外省（区划 110100）" {
			t.Fatalf("candidates after: %+v", cands)
		}
	})
}

// deptPrincipal is a supervisor of the directory department code whose
// scope is the department and those below it.
func deptPrincipal(t *testing.T, db *store.DB, code string, scope auth.Scope) auth.Principal {
	t.Helper()
	var id int64
	if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatalf("department %s: %v", code, err)
	}
	return auth.Principal{UserID: id + 1000, Login: "sup-" + code, Name: "督办-" + code, DeptID: id, Roles: []auth.Role{auth.RoleSupervisor}, Scope: scope}
}

// A case sent from 西宁 to the bureau where the entity is registered
// (海西州) lands in that bureau's inbox only; only the receiver accepts,
// returns (with a reason) and closes it, each step audited; a bureau
// outside the province has no inbox, so the sender records its answer.
func TestCrossRegionInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		s := setup(t, db)
		load(t, s, 20, 8)
		far := inspect.GenCode(900, "632801")  // registered in 格尔木 (海西州)
		far2 := inspect.GenCode(902, "632301") // registered in 同仁 (黄南州)
		out := inspect.GenCode(901, "110105")  // registered in Beijing
		rec := drawAll(t, s, far, "异地登记主体", far2, "黄南登记主体", out, "外省登记主体")
		xining := deptPrincipal(t, db, "630100", auth.ScopeSubtree)
		haixi := deptPrincipal(t, db, "632800", auth.ScopeSubtree)
		huangnan := deptPrincipal(t, db, "632300", auth.ScopeOwn)
		haidong := deptPrincipal(t, db, "630200", auth.ScopeOwn)
		golmud := deptPrincipal(t, db, "632801", auth.ScopeOwn) // a county below 海西州

		if _, err := s.OpenCross(ctx, xining, rec.DrawID, far, inspect.ModeHandover, "", haidong.DeptID); err == nil || !strings.Contains(err.Error(), "接收部门须为海西州的部门") {
			t.Fatalf("receiver in another prefecture: %v", err)
		}
		c, err := s.OpenCross(ctx, xining, rec.DrawID, far, inspect.ModeHandover, "请海西州接收", 0)
		if err != nil || c.ToDept != haixi.DeptID || c.FromDept != xining.DeptID {
			t.Fatalf("open %+v %v", c, err)
		}
		c2, err := s.OpenCross(ctx, xining, rec.DrawID, far2, inspect.ModeAssist, "", huangnan.DeptID)
		if err != nil || c2.ToDept != huangnan.DeptID {
			t.Fatalf("open to 黄南 %+v %v", c2, err)
		}
		c3, err := s.OpenCross(ctx, xining, rec.DrawID, out, inspect.ModeAssist, "", 0)
		if err != nil || c3.ToDept != 0 {
			t.Fatalf("open to Beijing %+v %v", c3, err)
		}

		for name, tc := range map[string]struct {
			p    auth.Principal
			mine bool
			want []int64
		}{
			"receiver":             {haixi, false, []int64{c.ID}},
			"receiver's to-do":     {haixi, true, []int64{c.ID}},
			"other receiver":       {huangnan, false, []int64{c2.ID}},
			"sender":               {xining, false, nil},
			"bystander":            {haidong, false, nil},
			"county below":         {golmud, false, nil},
			"province-wide":        {admin, false, []int64{c.ID, c2.ID}},
			"province-wide to-do ": {admin, true, nil},
		} {
			got, err := s.CrossInbox(ctx, tc.p, tc.mine, 50)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var ids []int64
			for _, x := range got {
				ids = append(ids, x.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Errorf("%s: inbox %v, want %v", name, ids, tc.want)
			}
		}

		for i, tc := range []struct {
			p      auth.Principal
			id     int64
			status string
			reply  string
			want   error // nil: allowed
		}{
			{xining, c.ID, inspect.CrossAccepted, "", apperr.ErrForbidden},   // the sender does not accept for the receiver
			{haidong, c.ID, inspect.CrossAccepted, "", apperr.ErrOutOfScope}, // a bystander does not see it
			{golmud, c.ID, inspect.CrossAccepted, "", apperr.ErrOutOfScope},  // nor does a county below the receiver
			{haixi, c.ID, inspect.CrossDone, "", apperr.ErrInvalid},          // not accepted yet
			{huangnan, c2.ID, inspect.CrossDeclined, " ", apperr.ErrInvalid}, // a return needs its reason
			{haixi, c.ID, inspect.CrossAccepted, "已接收", nil},                 //
			{haixi, c.ID, inspect.CrossDone, "已检查，未发现问题", nil},               //
			{huangnan, c2.ID, inspect.CrossDeclined, "该主体已迁出本州", nil},        //
			{xining, c3.ID, inspect.CrossAccepted, "北京市局电话答复已接收", nil},       // outside the directory: the sender records it
			{haixi, c3.ID, inspect.CrossDone, "", apperr.ErrOutOfScope},      //
			{huangnan, c2.ID, inspect.CrossAccepted, "", apperr.ErrInvalid},  // returned is final
		} {
			_, err := s.MoveCross(ctx, tc.p, tc.id, tc.status, tc.reply)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("move %d (%s → %s): %v, want %v", i, tc.p.Login, tc.status, err, tc.want)
			}
		}
		if got, _ := s.CrossInbox(ctx, haixi, false, 50); len(got) != 0 {
			t.Errorf("closed case still in the inbox: %+v", got)
		}
		var actions []string
		if err := store.EachRow(ctx, db.Reader(), `SELECT action FROM audit_log WHERE entity = 'inspect_crossregion' AND action <> 'create' ORDER BY seq`, nil, func(r *sql.Rows) error {
			var a string
			err := r.Scan(&a)
			actions = append(actions, a)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if want := []string{"accept", "complete", "return", "accept"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions %v, want %v", actions, want)
		}
		for name, tc := range map[string]struct {
			p    auth.Principal
			want int
		}{"sender": {xining, 3}, "receiver": {haixi, 1}, "bystander": {haidong, 0}, "province": {admin, 3}} {
			if got, err := s.CrossCases(ctx, tc.p, 50); err != nil || len(got) != tc.want {
				t.Errorf("%s: %d cases %v, want %d", name, len(got), err, tc.want)
			}
		}
		// The lists say who answers: the receiver, or the sender when the
		// receiver is outside the directory.
		answerable := map[string]map[int64]bool{}
		for name, p := range map[string]auth.Principal{"sender": xining, "receiver": haixi} {
			list, _ := s.CrossCases(ctx, p, 50)
			answerable[name] = map[int64]bool{}
			for _, x := range list {
				answerable[name][x.ID] = x.Answerable
			}
		}
		if want := map[string]map[int64]bool{"sender": {c.ID: false, c2.ID: false, c3.ID: true}, "receiver": {c.ID: true}}; !maps.EqualFunc(answerable, want, maps.Equal) {
			t.Errorf("answerable %v, want %v", answerable, want)
		}
	})
}

// TestStoreRefusesADrawNoLongerCommitted: a draw whose row left the
// committed state between the seed's commitment and the result (here set
// refused by hand) is not stored: a conflict, no assignment and no audit
// entry of the draw.
func TestStoreRefusesADrawNoLongerCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 20, 8)
		csv := "统一社会信用代码,名称,行政区划代码,类型,风险等级\n" + inspect.GenCode(900, "630102") + ",甲公司,630102,有限责任公司,D\n"
		if _, err := s.ImportEntities(ctx, admin, kit.BytesSource("e.csv", []byte(csv)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		task := inspect.Task{Name: "并发", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 0, "B": 0, "C": 0, "D": 1_000_000}, TeamSize: 2}
		var id int64
		_, err := s.Run(ctx, admin, task, inspect.RunOptions{Committed: func(drawID int64, _, _ string, _ int) {
			id = drawID
			if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_draws SET status = 'refused' WHERE id = $1`, drawID); err != nil {
				t.Error(err)
			}
		}})
		if !errors.Is(err, apperr.ErrConflict) || !strings.Contains(apperr.Message(err), "不在待抽取状态") {
			t.Fatalf("Run: %v, want the conflict", err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_assignments WHERE draw_id = $1`, id).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d assignments stored (%v), want none", n, err)
		}
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'inspect_draw' AND entity_id = $1 AND action <> 'commit'`, fmt.Sprint(id)).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d audit entries after the commitment (%v), want none", n, err)
		}
	})
}

// TestCorrectionLosesToAConcurrentPublication (PostgreSQL, where writers
// run side by side): a correction that read the result as unpublished
// while another transaction was publishing it waits for that one and then
// is refused; the result stays as published, with no correction entry.
func TestCorrectionLosesToAConcurrentPublication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer: no transaction runs between the correction's read and its write")
		}
		s := setup(t, db)
		load(t, s, 50, 8)
		task := inspect.Task{Name: "并发公示", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"}, Ratios: map[string]inspect.Ratio{"D": 1_000_000}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		code := rec.Result.Assignments[0].Entity
		insp := auth.Principal{UserID: 3, Login: "i", Roles: []auth.Role{auth.RoleInspector}}
		if _, err := s.EnterResult(ctx, insp, rec.DrawID, code, "未发现问题", "", "2026-10-30"); err != nil {
			t.Fatal(err)
		}
		// The publication, uncommitted, holds the row.
		pub, err := db.Writer().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer pub.Rollback()
		if _, err := pub.ExecContext(ctx, `UPDATE inspect_results SET published_on = '2026-11-30' WHERE draw_id = $1 AND credit_code = $2`, rec.DrawID, code); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := s.EnterResult(ctx, insp, rec.DrawID, code, "发现问题已责令改正", "复查", "2026-10-29")
			done <- err
		}()
		// Until the correction waits for the publication's row lock.
		for i := 0; ; i++ {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE inspect_results SET outcome%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the correction ended before the publication committed: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
			if i > 500 {
				t.Fatal("the correction never waited for the publication")
			}
		}
		if err := pub.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("correction after the publication: %v, want a conflict", err)
		}
		var outcome, published string
		if err := db.Reader().QueryRowContext(ctx, `SELECT outcome, published_on FROM inspect_results WHERE draw_id = $1 AND credit_code = $2`, rec.DrawID, code).Scan(&outcome, &published); err != nil {
			t.Fatal(err)
		}
		if outcome != "未发现问题" || published != "2026-11-30" {
			t.Errorf("the published result became %s (published %q)", outcome, published)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'inspect_result' AND action = 'correct_result'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d correction entries (%v), want none", n, err)
		}
	})
}
