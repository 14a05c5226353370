package inspect_test

import (
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// An entity located in 西宁 but registered in 海西 (its credit code's
// region) is a cross-region case once drawn: handed over or assisted,
// with its status moving requested → accepted → done.
func TestCrossRegionCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 20, 8)
		far := inspect.GenCode(900, "632801") // registered in 格尔木 (海西州)
		out := inspect.GenCode(901, "110105") // registered in Beijing
		csv := "统一社会信用代码,名称,行政区划代码,类型,风险等级\n" + far + ",异地登记主体,630102,有限责任公司,D\n" + out + ",外省登记主体,630102,有限责任公司,D\n"
		if _, err := s.ImportEntities(ctx, admin, kit.BytesSource("e.csv", []byte(csv)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		task := inspect.Task{Name: "跨区域", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 0, "B": 0, "C": 0, "D": 1_000_000}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
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
			if _, err := s.OpenCross(ctx, admin, rec.DrawID, tc.code, tc.mode, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v", name, err)
			}
		}
		c, err := s.OpenCross(ctx, admin, rec.DrawID, strings.ToLower(far), inspect.ModeHandover, "移交海西州局")
		if err != nil || c.Home != "632800" || c.Status != inspect.CrossRequested {
			t.Fatalf("open %+v %v", c, err)
		}
		if _, err := s.OpenCross(ctx, admin, rec.DrawID, far, inspect.ModeAssist, ""); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("twice: %v", err)
		}
		if _, err := s.MoveCross(ctx, admin, c.ID, inspect.CrossDone, ""); err == nil {
			t.Fatal("done before accepted")
		}
		if _, err := s.MoveCross(ctx, admin, c.ID, inspect.CrossAccepted, "海西州局已接收"); err != nil {
			t.Fatal(err)
		}
		if c, err = s.MoveCross(ctx, admin, c.ID, inspect.CrossDone, "已检查，未发现问题"); err != nil || c.Status != inspect.CrossDone {
			t.Fatalf("done %+v %v", c, err)
		}
		if _, err := s.MoveCross(ctx, admin, c.ID, inspect.CrossAccepted, ""); err == nil {
			t.Fatal("reopened a done case")
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
