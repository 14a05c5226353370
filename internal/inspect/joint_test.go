package inspect_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

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

// A draw whose items belong to two departments is a joint inspection:
// the items carry their departments and each item's result is entered
// on its own.
func TestJointInspection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 30, 8)
		items := "事项编码,事项名称,检查对象,法律依据,检查方式,类别,实施部门\n" +
			"J-SE,特种设备安全检查,特种设备使用单位,《特种设备安全法》,现场检查,重点,省市场监管局\n" +
			"J-FIRE,消防安全检查,公众聚集场所,《消防法》,现场检查,重点,省消防救援总队\n"
		if _, err := s.ImportItems(ctx, admin, kit.BytesSource("i.csv", []byte(items)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		task := inspect.Task{Name: "联合", Items: []string{"J-SE", "J-FIRE"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 100_000, "B": 100_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		its, err := s.DrawItems(ctx, rec.Task.Items)
		if err != nil {
			t.Fatal(err)
		}
		if d := inspect.Departments(its); len(d) != 2 || d[0] != "省市场监管局" || d[1] != "省消防救援总队" {
			t.Fatalf("departments %v", d)
		}
		e := rec.Result.Assignments[0].Entity
		for name, tc := range map[string]struct{ entity, item, outcome, want string }{
			"item not in draw": {e, "K-01", "未发现问题", "不是第"},
			"entity not drawn": {"91630100MA752XKP3N", "J-SE", "未发现问题", "不在第"},
			"outcome":          {e, "J-SE", "都挺好", "检查结果须为"},
		} {
			if _, err := s.EnterItemResult(ctx, admin, rec.DrawID, tc.entity, tc.item, tc.outcome, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := s.EnterItemResult(ctx, admin, rec.DrawID, e, "J-SE", "未发现问题", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnterItemResult(ctx, admin, rec.DrawID, strings.ToLower(e), "J-FIRE", "发现问题已责令改正", "疏散通道堵塞"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnterItemResult(ctx, admin, rec.DrawID, e, "J-SE", "发现问题待后续处理", "更正"); err != nil {
			t.Fatal(err)
		}
		// The same result again changes nothing: no audit entry.
		if x, err := s.EnterItemResult(ctx, admin, rec.DrawID, e, "J-SE", "发现问题待后续处理", " 更正 "); err != nil || x.Outcome != "发现问题待后续处理" || x.Detail != "更正" || x.EnteredBy == "" {
			t.Fatalf("unchanged: %+v %v", x, err)
		}
		id := func(item string) string { return fmt.Sprintf("%d/%s/%s", rec.DrawID, e, item) }
		wantAudit := []string{
			id("J-SE") + ` result null → {"detail":"","outcome":"未发现问题"}`,
			id("J-FIRE") + ` result null → {"detail":"疏散通道堵塞","outcome":"发现问题已责令改正"}`,
			id("J-SE") + ` result {"detail":"","outcome":"未发现问题"} → {"detail":"更正","outcome":"发现问题待后续处理"}`,
		}
		if got := kittest.AuditEntries(t, db, "inspect_item_result"); strings.Join(got, "\n") != strings.Join(wantAudit, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantAudit, "\n"))
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		got, err := s.ItemResults(ctx, admin, rec.DrawID, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("%d results %v", len(got), err)
		}
		by := map[string]string{}
		for _, r := range got {
			by[r.ItemCode] = r.Outcome
		}
		if by["J-SE"] != "发现问题待后续处理" || by["J-FIRE"] != "发现问题已责令改正" {
			t.Fatalf("results %v", by)
		}
	})
}

// Item results belong to the item's department (实施部门 through the
// directory): a department enters and sees only the results of its own
// items; another department gets a not-found; items without a known
// department stay with the province-wide scope.
func TestItemResultsScoped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		s := setup(t, db)
		load(t, s, 30, 8)
		items := "事项编码,事项名称,检查对象,法律依据,检查方式,类别,实施部门\n" +
			"J-SE,特种设备安全检查,特种设备使用单位,《特种设备安全法》,现场检查,重点,省市场监管局\n" +
			"J-PRICE,价格行为检查,经营者,《价格法》,现场检查,重点,省发改委\n" +
			"J-FIRE,消防安全检查,公众聚集场所,《消防法》,现场检查,重点,省消防救援总队\n"
		if _, err := s.ImportItems(ctx, admin, kit.BytesSource("i.csv", []byte(items)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		task := inspect.Task{Name: "联合", Items: []string{"J-SE", "J-PRICE", "J-FIRE"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 100_000, "B": 100_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		e := rec.Result.Assignments[0].Entity
		samr := deptPrincipal(t, db, "qh-samr", auth.ScopeOwn)
		samr.Roles = []auth.Role{auth.RoleInspector}
		drc := deptPrincipal(t, db, "qh-drc", auth.ScopeOwn)
		xining := deptPrincipal(t, db, "630100", auth.ScopeSubtree)
		for i, tc := range []struct {
			p    auth.Principal
			item string
			want error
		}{
			{samr, "J-SE", nil},
			{drc, "J-PRICE", nil},
			{admin, "J-FIRE", nil},
			{samr, "J-PRICE", apperr.ErrOutOfScope},
			{drc, "J-SE", apperr.ErrOutOfScope},
			{xining, "J-SE", apperr.ErrOutOfScope},
			{samr, "J-FIRE", apperr.ErrOutOfScope}, // a department the directory does not know
		} {
			_, err := s.EnterItemResult(ctx, tc.p, rec.DrawID, e, tc.item, "未发现问题", "")
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%d: %s enters %s: %v, want %v", i, tc.p.Login, tc.item, err, tc.want)
			}
		}
		for name, tc := range map[string]struct {
			p    auth.Principal
			want []string
		}{
			"samr": {samr, []string{"J-SE"}}, "drc": {drc, []string{"J-PRICE"}}, "xining": {xining, nil},
			"province": {admin, []string{"J-FIRE", "J-PRICE", "J-SE"}},
		} {
			got, err := s.ItemResults(ctx, tc.p, rec.DrawID, 10)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var codes []string
			for _, r := range got {
				codes = append(codes, r.ItemCode)
			}
			slices.Sort(codes)
			if !slices.Equal(codes, tc.want) {
				t.Errorf("%s sees %v, want %v", name, codes, tc.want)
			}
			its, err := s.ItemsInScope(ctx, tc.p, rec.DrawID)
			if err != nil || len(its) != len(tc.want) {
				t.Errorf("%s: items in scope %+v %v", name, its, err)
			}
		}
	})
}
