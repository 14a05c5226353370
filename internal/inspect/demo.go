package inspect

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

//go:embed testdata/real_items.csv
var realItems []byte

const demoItem = "\n" + `DEMO-ZD-01,【演示数据】特种设备使用单位安全管理情况的检查,特种设备使用单位,《特种设备安全法》第三十二条至第四十二条,现场检查,重点` + "\n"

// DemoTask is the task `sidi demo` draws (the example ratios).
var DemoTask = Task{Name: "【演示数据】2026 年第四季度市场主体登记事项和特种设备使用安全双随机抽查", Items: []string{"CQ-2023-01", "DEMO-ZD-01"},
	Scope: Scope{RegionPrefix: "63"}, Ratios: map[string]Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}

// SeedDemo imports the real item rows and a demo item, 600 demo entities
// and 24 demo inspectors, computes the credit-risk classes once and draws
// DemoTask once with them (a second run adds nothing; a database seeded
// before the demo computed the classes gets its one computation). It
// reports how many records it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_draws WHERE demo = 1`).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, demoRisk(ctx, s, p)
	}
	var ents, ins bytes.Buffer
	if err := WriteEntities(&ents, 600, true); err != nil {
		return 0, err
	}
	if err := WriteInspectors(&ins, 24, 600, true); err != nil {
		return 0, err
	}
	added := 0
	for _, f := range []struct {
		name string
		body []byte
		imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	}{{"demo-items.csv", append(bytes.TrimRight(append([]byte(nil), realItems...), "\n"), demoItem...), s.ImportItems},
		{"demo-entities.csv", ents.Bytes(), s.ImportEntities}, {"demo-inspectors.csv", ins.Bytes(), s.ImportInspectors}} {
		rep, err := f.imp(ctx, p, kit.BytesSource(f.name, f.body), kit.ImportOptions{})
		if err != nil {
			return added, fmt.Errorf("inspect: demo %s: %w", f.name, err)
		}
		added += rep.Created
	}
	if err := demoRisk(ctx, s, p); err != nil {
		return added, err
	}
	rec, err := s.Run(ctx, p, DemoTask, RunOptions{Demo: true})
	if err != nil {
		return added, fmt.Errorf("inspect: demo draw: %w", err)
	}
	added += 1 + len(rec.Result.Assignments)
	// Three results: one published, one pending, one overdue.
	day := func(back int) string { return s.now().In(kit.CST).AddDate(0, 0, -back).Format("2006-01-02") }
	for i, r := range []struct {
		back    int
		outcome string
		publish bool
	}{{12, "未发现问题", true}, {3, "发现问题已责令改正", false}, {45, "未按规定公示应当公示的信息", false}} {
		if i >= len(rec.Result.Assignments) {
			break
		}
		code := rec.Result.Assignments[i].Entity
		if _, err := s.EnterResult(ctx, p, rec.DrawID, code, r.outcome, "【演示数据】", day(r.back)); err != nil {
			return added, fmt.Errorf("inspect: demo result: %w", err)
		}
		if r.publish {
			if _, err := s.PublishResult(ctx, p, rec.DrawID, code); err != nil {
				return added, err
			}
		}
		added++
	}
	return added, nil
}

// demoRisk runs the credit-risk recompute once when it never ran, so the
// risk pages show classes and the demo draw uses them.
func demoRisk(ctx context.Context, s *Service, p auth.Principal) error {
	var runs int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_runs`).Scan(&runs); err != nil || runs > 0 {
		return err
	}
	if _, _, err := s.Recompute(ctx, p, CauseManual); err != nil {
		return fmt.Errorf("inspect: demo risk classes: %w", err)
	}
	return nil
}
