package evalmodel_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestRefusedWritesLeaveNothing: a second model of the same code is a
// conflict, a change or a new version of another department's model is
// refused as not existing, with no row and no audit entry written; a new
// version is audited as the creation of its id, naming the model it was
// copied from.
func TestRefusedWritesLeaveNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		m, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "T1", Name: "测试模型", Period: "2025", DeptID: d["qh-samr"], Tree: evalmodel.DemoTree})
		if err != nil {
			t.Fatal(err)
		}
		haixi := auth.Principal{UserID: 9, Login: "hx", DeptID: d["632800"], Roles: []auth.Role{auth.RoleSupervisor}, Scope: auth.ScopeSubtree}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		state := func() [4]int {
			return [4]int{count(`SELECT COUNT(*) FROM audit_log`), count(`SELECT COUNT(*) FROM eval_models`), count(`SELECT COUNT(*) FROM eval_nodes`),
				count(`SELECT COUNT(*) FROM eval_models WHERE classes LIKE '%甲%'`)}
		}
		start := state()
		for _, w := range []struct {
			name  string
			write func() error
			kind  error
			msg   string
		}{
			{"same code", func() error {
				_, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "T1", Name: "另一个", Period: "2025", DeptID: d["qh-samr"], Tree: evalmodel.DemoTree})
				return err
			}, apperr.ErrConflict, "模型代码 T1 已存在；要修改已有模型请为它建立新版本"},
			{"change another department's model", func() error {
				_, err := s.SetClasses(ctx, haixi, m.ID, "甲,80,优\n乙,0,其他")
				return err
			}, apperr.ErrOutOfScope, fmt.Sprintf("没有编号为 %d 的评价模型", m.ID)},
			{"new version of another department's model", func() error {
				_, err := s.NewVersion(ctx, haixi, m.ID)
				return err
			}, apperr.ErrOutOfScope, fmt.Sprintf("没有编号为 %d 的评价模型", m.ID)},
			{"new version of a missing model", func() error {
				_, err := s.NewVersion(ctx, admin, 999999)
				return err
			}, apperr.ErrNotFound, "没有编号为 999999 的评价模型"},
		} {
			err := w.write()
			if !errors.Is(err, w.kind) || apperr.Message(err) != w.msg {
				t.Errorf("%s: %v, want %q", w.name, err, w.msg)
			}
			if got := state(); got != start {
				t.Errorf("%s: audit, models, nodes, classes changed %v, was %v", w.name, got, start)
			}
		}
		v2, err := s.NewVersion(ctx, admin, m.ID)
		if err != nil || v2.Version != 2 || v2.Status != evalmodel.Draft || len(v2.Nodes) != len(m.Nodes) {
			t.Fatalf("new version: %+v %v", v2, err)
		}
		var before, after string
		err = db.Reader().QueryRowContext(ctx, `SELECT COALESCE(before, ''), after FROM audit_log WHERE entity = 'eval_model' AND entity_id = $1 AND action = 'version'`, fmt.Sprint(v2.ID)).Scan(&before, &after)
		if err != nil || (before != "" && before != "null") || !strings.Contains(after, fmt.Sprintf(`"from":%d`, m.ID)) || !strings.Contains(after, `"model":{`) {
			t.Errorf("version audited before %q after %s (%v)", before, after, err)
		}
	})
}
