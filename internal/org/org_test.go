package org_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestResolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := org.NewService(db)
		n, err := svc.EnsureDirectory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n < 70 {
			t.Fatalf("seeded %d departments", n)
		}
		if again, err := svc.EnsureDirectory(ctx); err != nil || again != 0 {
			t.Fatalf("second seed added %d (%v), want 0", again, err)
		}
		cases := []struct {
			written string
			want    []string
			via     string
		}{
			{"省市场监管局", []string{"青海省市场监督管理局"}, ""},
			{"省发展改革委", []string{"青海省发展和改革委员会"}, ""},
			{" 省林草局 ", []string{"青海省林业和草原局"}, ""},
			{"省人力资源社会保障厅", []string{"青海省人力资源和社会保障厅"}, ""},
			{"省委宣传部", []string{"中共青海省委宣传部"}, ""},
			{"国家税务总局青海省税务局", []string{"国家税务总局青海省税务局"}, ""},
			{"人行西宁中心支行", []string{"中国人民银行青海省分行"}, ""},
			{"相关部门", []string{"相关部门（未具体指明）"}, ""},
			{"市场监管总局（标准委）", []string{"国家市场监督管理总局"}, ""},
			{"工信部", []string{"中华人民共和国工业和信息化部"}, ""},
			{"有关部门和单位", []string{"相关部门（未具体指明）"}, ""},
			{"各市州政府", []string{"西宁市人民政府", "海东市人民政府", "海北藏族自治州人民政府", "黄南藏族自治州人民政府",
				"海南藏族自治州人民政府", "果洛藏族自治州人民政府", "玉树藏族自治州人民政府", "海西蒙古族藏族自治州人民政府"}, "各市州政府"},
			{"各市（州）政府", nil, "各市州政府"},
			{"地方人民政府", nil, "各市州政府"},
		}
		for _, c := range cases {
			r, err := svc.Resolve(ctx, db.Reader(), c.written)
			if err != nil {
				t.Errorf("Resolve(%q): %v", c.written, err)
				continue
			}
			if r.Via != c.via {
				t.Errorf("Resolve(%q).Via = %q, want %q", c.written, r.Via, c.via)
			}
			if c.want == nil {
				if len(r.Departments) != 8 {
					t.Errorf("Resolve(%q) gave %d bodies, want 8", c.written, len(r.Departments))
				}
				continue
			}
			var got []string
			for _, d := range r.Departments {
				got = append(got, d.Name)
			}
			if len(got) != len(c.want) {
				t.Errorf("Resolve(%q) = %v, want %v", c.written, got, c.want)
				continue
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("Resolve(%q)[%d] = %s, want %s", c.written, i, got[i], c.want[i])
				}
			}
		}
		if _, err := svc.Resolve(ctx, db.Reader(), "省宇宙局"); !errors.Is(err, org.ErrUnknownName) {
			t.Errorf("unknown name: got %v", err)
		}
	})
}

// TestEnsureDirectoryAddsLaterAliases: a database whose directory lacks
// built-in aliases a later release added (here 工信部 and the 未具体指明
// owner's 有关部门和单位) gets them at the next start, with one audit entry
// per body; an alias an administrator gave to another body stays there.
func TestEnsureDirectoryAddsLaterAliases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := org.NewService(db)
		if _, err := svc.EnsureDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		var miit, samr int64
		db.Reader().QueryRow(`SELECT id FROM departments WHERE code = 'cn-miit'`).Scan(&miit)
		db.Reader().QueryRow(`SELECT id FROM departments WHERE code = 'qh-samr'`).Scan(&samr)
		if miit == 0 || samr == 0 {
			t.Fatal("seed departments missing")
		}
		// what an older release left: 工信部 unknown, 工业和信息化部 held by another body
		for _, q := range []string{
			`DELETE FROM department_aliases WHERE alias = '` + org.NormalizeName("工信部") + `'`,
			`UPDATE department_aliases SET department_id = ` + fmt.Sprint(samr) + ` WHERE alias = '` + org.NormalizeName("工业和信息化部") + `'`,
		} {
			if _, err := db.Writer().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		seeds := func() int {
			var n int
			db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'department' AND action = 'seed' AND entity_id = $1`, fmt.Sprint(miit)).Scan(&n)
			return n
		}
		before := seeds()
		if n, err := svc.EnsureDirectory(ctx); err != nil || n != 0 {
			t.Fatalf("EnsureDirectory = %d, %v", n, err)
		}
		if d, err := svc.Resolve(ctx, db.Reader(), "工信部"); err != nil || len(d.Departments) != 1 || d.Departments[0].ID != miit {
			t.Errorf("工信部 → %+v, %v", d, err)
		}
		if d, err := svc.Resolve(ctx, db.Reader(), "工业和信息化部"); err != nil || len(d.Departments) != 1 || d.Departments[0].ID != samr {
			t.Errorf("an alias held by another body moved: %+v, %v", d, err)
		}
		if got := seeds(); got != before+1 {
			t.Errorf("%d seed entries for the ministry, want %d", got, before+1)
		}
		if _, err := svc.EnsureDirectory(ctx); err != nil || seeds() != before+1 {
			t.Errorf("a third start wrote again: %d entries (%v)", seeds(), err)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Error(err)
		}
	})
}

// The seed's audit record of a body names its fields with the keys the
// audit log labels in Chinese (the administrator's page showed Go's field
// names Aliases, Code, Kind, Short … for every built-in department).
func TestSeedAuditKeysAreLabelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		labels := audit.Foundations()
		for _, code := range []string{"qh", "qh-samr"} {
			recs := trail(t, db, byCode(t, svc, code).ID)
			if len(recs) == 0 || recs[0].Action != "seed" {
				t.Fatalf("%s: no seed record: %+v", code, recs)
			}
			var after map[string]any
			if err := json.Unmarshal(recs[0].After, &after); err != nil {
				t.Fatalf("%s: %v", code, err)
			}
			if after["name"] == nil || after["code"] != code {
				t.Errorf("%s: seed record %s lacks name or code", code, recs[0].After)
			}
			for k := range after {
				if labels.Field(k) == k {
					t.Errorf("%s: seed record key %q has no Chinese label", code, k)
				}
			}
		}
	})
}
