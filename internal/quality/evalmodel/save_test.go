package evalmodel_test

import (
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
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
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM eval_models`, `SELECT COUNT(*) FROM eval_nodes`,
			`SELECT COUNT(*) FROM eval_models WHERE classes LIKE '%甲%'`}, []kittest.Refusal{
			{Name: "same code", Write: func() error {
				_, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "T1", Name: "另一个", Period: "2025", DeptID: d["qh-samr"], Tree: evalmodel.DemoTree})
				return err
			}, Kind: apperr.ErrConflict, Msg: "模型代码 T1 已存在；要修改已有模型请为它建立新版本"},
			{Name: "change another department's model", Write: func() error {
				_, err := s.SetClasses(ctx, haixi, m.ID, "甲,80,优\n乙,0,其他")
				return err
			}, Kind: apperr.ErrOutOfScope, Msg: fmt.Sprintf("没有编号为 %d 的评价模型", m.ID)},
			{Name: "new version of another department's model", Write: func() error {
				_, err := s.NewVersion(ctx, haixi, m.ID)
				return err
			}, Kind: apperr.ErrOutOfScope, Msg: fmt.Sprintf("没有编号为 %d 的评价模型", m.ID)},
			{Name: "new version of a missing model", Write: func() error {
				_, err := s.NewVersion(ctx, admin, 999999)
				return err
			}, Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的评价模型"},
		})
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
