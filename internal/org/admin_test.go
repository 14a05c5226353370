package org_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var admin = audit.Actor{ID: 0, Name: "cli:test", IP: "127.0.0.1"}

func seeded(t *testing.T, db *store.DB) *org.Service {
	t.Helper()
	svc := org.NewService(db)
	if _, err := svc.EnsureDirectory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func byCode(t *testing.T, svc *org.Service, code string) org.Department {
	t.Helper()
	d, err := svc.Find(context.Background(), code)
	if err != nil {
		t.Fatalf("find %s: %v", code, err)
	}
	return d
}

// trail returns the audit records of one department, oldest first.
func trail(t *testing.T, db *store.DB, id int64) []audit.Record {
	t.Helper()
	recs, _, err := audit.List(context.Background(), db.Reader(), audit.Filter{Entity: "department", EntityID: fmt.Sprint(id), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	return recs
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	_, n, err := audit.List(context.Background(), db.Reader(), audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }
func int64p(n int64) *int64 { return &n }
func kindOf(err error) string {
	return fmt.Sprint(errors.Is(err, apperr.ErrInvalid), errors.Is(err, apperr.ErrConflict))
}

func TestCreateDepartment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := seeded(t, db)
		samr := byCode(t, svc, "qh-samr")
		renamed := byCode(t, svc, "qh-pbc-xining")
		bad := []struct {
			name string
			nd   org.NewDepartment
			kind error
			msg  string
		}{
			{"no name", org.NewDepartment{Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "请填写部门名称"},
			{"long name", org.NewDepartment{Name: strings.Repeat("处", 65), Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "部门名称不能超过 64 个字"},
			{"control character", org.NewDepartment{Name: "标准\n化处", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "控制字符"},
			{"group name", org.NewDepartment{Name: "各市（州）政府", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "统称"},
			{"no kind", org.NewDepartment{Name: "标准化处", ParentID: samr.ID}, apperr.ErrInvalid, "请选择部门类型"},
			{"root kind", org.NewDepartment{Name: "标准化处", Kind: org.KindRoot, ParentID: samr.ID}, apperr.ErrInvalid, "请选择部门类型"},
			{"no parent", org.NewDepartment{Name: "标准化处", Kind: org.KindOffice}, apperr.ErrInvalid, "请选择上级部门"},
			{"unknown parent", org.NewDepartment{Name: "标准化处", Kind: org.KindOffice, ParentID: 999999}, apperr.ErrInvalid, "上级部门不存在"},
			{"renamed parent", org.NewDepartment{Name: "标准化处", Kind: org.KindOffice, ParentID: renamed.ID}, apperr.ErrInvalid, "已更名"},
			{"bad code", org.NewDepartment{Code: "Std Office", Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "部门编码"},
			{"reserved code", org.NewDepartment{Code: "dept-1", Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrInvalid, "自动生成"},
			{"taken code", org.NewDepartment{Code: "qh-drc", Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrConflict, "已被使用"},
			{"taken name", org.NewDepartment{Name: "青海省教育厅", Kind: org.KindProvince, ParentID: samr.ID}, apperr.ErrConflict, "已存在"},
			{"name is another body's alias", org.NewDepartment{Name: "省发改委", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrConflict, "青海省发展和改革委员会"},
			{"short is another body's alias", org.NewDepartment{Name: "标准化处", Short: "省教育厅", Kind: org.KindOffice, ParentID: samr.ID}, apperr.ErrConflict, "青海省教育厅"},
			{"negative order", org.NewDepartment{Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID, SortOrder: intp(-1)}, apperr.ErrInvalid, "显示顺序"},
		}
		before := auditCount(t, db)
		for _, c := range bad {
			_, err := svc.CreateDepartment(ctx, admin, c.nd)
			if !errors.Is(err, c.kind) || !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: got %v, want %v containing %q", c.name, err, c.kind, c.msg)
			}
		}
		if after := auditCount(t, db); after != before {
			t.Fatalf("refused creations wrote %d audit records", after-before)
		}

		d, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Name: " 标准化处 ", Short: "标准处", Kind: org.KindOffice, ParentID: samr.ID})
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "标准化处" || d.Code != fmt.Sprintf("dept-%d", d.ID) || d.ParentID != samr.ID || d.Status != "active" || len(d.Aliases) != 2 {
			t.Fatalf("created %+v", d)
		}
		d2, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Code: "qh-samr-metro", Name: "计量处", Kind: org.KindOffice, ParentID: samr.ID, SortOrder: intp(7)})
		if err != nil {
			t.Fatal(err)
		}
		if d2.Code != "qh-samr-metro" || d2.SortOrder != 7 {
			t.Fatalf("created %+v", d2)
		}
		// Plan texts naming it resolve at once, by name and short name.
		for _, name := range []string{"标准化处", "标准处"} {
			r, err := svc.Resolve(ctx, db.Reader(), name)
			if err != nil || len(r.Departments) != 1 || r.Departments[0].ID != d.ID {
				t.Errorf("Resolve(%s) = %+v, %v", name, r, err)
			}
		}
		recs := trail(t, db, d.ID)
		if len(recs) != 1 || recs[0].Action != "create" || recs[0].Actor != "cli:test" || string(recs[0].Before) != "null" ||
			!strings.Contains(string(recs[0].After), `"name":"标准化处"`) {
			t.Fatalf("audit trail of the new department: %+v", recs)
		}
		if _, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("second 标准化处: %v", err)
		}
	})
}

func TestUpdateDepartment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := seeded(t, db)
		samr := byCode(t, svc, "qh-samr")
		xining := byCode(t, svc, "630100")
		chengdong := byCode(t, svc, "630102")
		d, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Name: "标准化处", Kind: org.KindOffice, ParentID: samr.ID})
		if err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			name  string
			id    int64
			patch org.DepartmentPatch
			kind  string
			msg   string
		}{
			{"empty name", d.ID, org.DepartmentPatch{Name: strp("  ")}, kindOf(apperr.ErrInvalid), "请填写部门名称"},
			{"name of another", d.ID, org.DepartmentPatch{Name: strp("青海省教育厅")}, kindOf(apperr.ErrConflict), "已存在"},
			{"short of another", d.ID, org.DepartmentPatch{Short: strp("西宁市")}, kindOf(apperr.ErrConflict), "西宁市人民政府"},
			{"parent is itself", xining.ID, org.DepartmentPatch{ParentID: int64p(xining.ID)}, kindOf(apperr.ErrInvalid), "本身或其下级"},
			{"parent below it", xining.ID, org.DepartmentPatch{ParentID: int64p(chengdong.ID)}, kindOf(apperr.ErrInvalid), "本身或其下级"},
			{"parent unknown", d.ID, org.DepartmentPatch{ParentID: int64p(999999)}, kindOf(apperr.ErrInvalid), "上级部门不存在"},
			{"order too large", d.ID, org.DepartmentPatch{SortOrder: intp(1 << 30)}, kindOf(apperr.ErrInvalid), "显示顺序"},
		}
		before := auditCount(t, db)
		for _, c := range bad {
			_, err := svc.UpdateDepartment(ctx, admin, c.id, c.patch)
			if kindOf(err) != c.kind || !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: got %v, want message containing %q", c.name, err, c.msg)
			}
		}
		if _, err := svc.UpdateDepartment(ctx, admin, 999999, org.DepartmentPatch{Name: strp("x")}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		// Nothing changed, nothing recorded.
		if _, err := svc.UpdateDepartment(ctx, admin, d.ID, org.DepartmentPatch{Name: strp("标准化处")}); err != nil {
			t.Fatal(err)
		}
		if after := auditCount(t, db); after != before {
			t.Fatalf("refused or empty updates wrote %d audit records", after-before)
		}

		u, err := svc.UpdateDepartment(ctx, admin, d.ID, org.DepartmentPatch{Name: strp("标准化与认证处"), Short: strp("标准认证处"), ParentID: int64p(xining.ID), SortOrder: intp(3)})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "标准化与认证处" || u.Short != "标准认证处" || u.ParentID != xining.ID || u.SortOrder != 3 {
			t.Fatalf("updated %+v", u)
		}
		// The old name still resolves, to the same body.
		for _, name := range []string{"标准化处", "标准化与认证处", "标准认证处"} {
			if r, err := svc.Resolve(ctx, db.Reader(), name); err != nil || r.Departments[0].ID != d.ID {
				t.Errorf("Resolve(%s) = %+v, %v", name, r, err)
			}
		}
		recs := trail(t, db, d.ID)
		if len(recs) != 2 || recs[1].Action != "update" {
			t.Fatalf("trail %+v", recs)
		}
		var b, a struct {
			Name     string `json:"name"`
			ParentID int64  `json:"parent_id"`
		}
		json.Unmarshal(recs[1].Before, &b)
		json.Unmarshal(recs[1].After, &a)
		if b.Name != "标准化处" || b.ParentID != samr.ID || a.Name != "标准化与认证处" || a.ParentID != xining.ID {
			t.Fatalf("before %+v after %+v", b, a)
		}
	})
}

func TestAliasAndRename(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := seeded(t, db)
		samr := byCode(t, svc, "qh-samr")
		drc := byCode(t, svc, "qh-drc")
		root := byCode(t, svc, "qh")

		aliasCases := []struct {
			alias string
			err   error
			msg   string
		}{
			{"", apperr.ErrInvalid, "请填写别名"},
			{"相关部门", apperr.ErrInvalid, "统称"},
			{"省发改委", apperr.ErrConflict, "青海省发展和改革委员会"},
			{"青海省质量技术监督局", nil, ""},
			{"青海省质量技术监督局", nil, ""}, // again: nothing changes
			{"省市场监管局", nil, ""},     // already its own
		}
		before := auditCount(t, db)
		for _, c := range aliasCases {
			err := svc.AddAlias(ctx, admin, samr.ID, c.alias)
			if c.err == nil && err != nil || c.err != nil && (!errors.Is(err, c.err) || !strings.Contains(apperr.Message(err), c.msg)) {
				t.Errorf("AddAlias(%q) = %v, want %v %q", c.alias, err, c.err, c.msg)
			}
		}
		if n := auditCount(t, db) - before; n != 1 {
			t.Fatalf("alias additions wrote %d audit records, want 1", n)
		}
		if r, err := svc.Resolve(ctx, db.Reader(), "青海省质量技术监督局"); err != nil || r.Departments[0].ID != samr.ID {
			t.Fatalf("new alias does not resolve: %+v %v", r, err)
		}
		if err := svc.AddAlias(ctx, admin, 999999, "某局"); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("alias of unknown department: %v", err)
		}

		// The reform merges 省发展改革委 into a new body.
		succ, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Name: "青海省发展和改革委员会（新）", Short: "省发改委新", Kind: org.KindProvince, ParentID: root.ID})
		if err != nil {
			t.Fatal(err)
		}
		renameCases := []struct {
			name     string
			id, succ int64
			err      error
			msg      string
		}{
			{"no successor", drc.ID, 0, apperr.ErrInvalid, "请选择更名后的部门"},
			{"itself", drc.ID, drc.ID, apperr.ErrInvalid, "其本身"},
			{"unknown successor", drc.ID, 999999, apperr.ErrInvalid, "不存在"},
			{"renamed successor", drc.ID, byCode(t, svc, "qh-pbc-xining").ID, apperr.ErrInvalid, "不能作为承接单位"},
			{"root", root.ID, samr.ID, apperr.ErrInvalid, "不能标记为更名"},
			{"unknown body", 999999, samr.ID, apperr.ErrNotFound, "部门不存在"},
			{"already renamed", byCode(t, svc, "qh-pbc-xining").ID, samr.ID, apperr.ErrConflict, "已标记为更名"},
		}
		before = auditCount(t, db)
		for _, c := range renameCases {
			err := svc.MarkRenamed(ctx, admin, c.id, c.succ)
			if !errors.Is(err, c.err) || !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: got %v, want %v %q", c.name, err, c.err, c.msg)
			}
		}
		if n := auditCount(t, db) - before; n != 0 {
			t.Fatalf("refused renames wrote %d audit records", n)
		}
		// Two accounts of the old body and one elsewhere: the rename moves
		// the first two to the successor and names them in the audit record.
		now := time.Now().UTC()
		for i, dept := range []int64{drc.ID, drc.ID, samr.ID} {
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO users (login, name, dept_id, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, $2, $3, 'x', $4, $4, $4)`, fmt.Sprintf("rename-%d", i), "某人", dept, now); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.MarkRenamed(ctx, admin, drc.ID, succ.ID); err != nil {
			t.Fatal(err)
		}
		for login, want := range map[string]int64{"rename-0": succ.ID, "rename-1": succ.ID, "rename-2": samr.ID} {
			var got int64
			if err := db.Reader().QueryRowContext(ctx, `SELECT dept_id FROM users WHERE login = $1`, login).Scan(&got); err != nil || got != want {
				t.Errorf("%s after rename: dept %d (%v), want %d", login, got, err, want)
			}
		}
		old, err := svc.Details(ctx, drc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if old.Status != "renamed" || old.SuccessorID != succ.ID || old.Name != "青海省发展和改革委员会" || len(old.Aliases) == 0 {
			t.Fatalf("old body after rename: %+v", old)
		}
		// Documents naming the old body now resolve to its successor.
		for _, name := range []string{"省发展改革委", "省发改委", "青海省发展和改革委员会"} {
			if r, err := svc.Resolve(ctx, db.Reader(), name); err != nil || r.Departments[0].ID != succ.ID {
				t.Errorf("Resolve(%s) after rename = %+v, %v", name, r, err)
			}
		}
		recs := trail(t, db, drc.ID)
		last := recs[len(recs)-1]
		if last.Action != "rename" || !strings.Contains(string(last.Before), `"status":"active"`) || !strings.Contains(string(last.After), `"status":"renamed"`) ||
			!strings.Contains(string(last.After), `"moved_users":[`) || strings.Contains(string(last.Before), "moved_users") {
			t.Fatalf("rename record %+v", last)
		}
		// A renamed body can no longer take new children.
		if _, err := svc.CreateDepartment(ctx, admin, org.NewDepartment{Name: "某处", Kind: org.KindOffice, ParentID: drc.ID}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("child of a renamed body: %v", err)
		}
	})
}

func TestFind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := seeded(t, db)
		cases := []struct {
			in   string
			want string
			err  error
		}{
			{"qh-samr", "青海省市场监督管理局", nil},
			{"630100", "西宁市人民政府", nil},
			{"省发改委", "青海省发展和改革委员会", nil},
			{"人行西宁中心支行", "中国人民银行青海省分行", nil},
			{"各市州政府", "", apperr.ErrInvalid},
			{"省宇宙局", "", apperr.ErrNotFound},
			{" ", "", apperr.ErrInvalid},
		}
		for _, c := range cases {
			d, err := svc.Find(ctx, c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("Find(%q) = %v, want %v", c.in, err, c.err)
				}
				continue
			}
			if err != nil || d.Name != c.want {
				t.Errorf("Find(%q) = %s, %v; want %s", c.in, d.Name, err, c.want)
			}
		}
	})
}
