package progress

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
)

// DemoLabel marks every demo report so nobody mistakes it for real data.
const DemoLabel = "【演示数据】"

// DemoMetricBindings binds targets to computed metrics when those metrics
// are registered (task 1: local standards and drug-standard varieties;
// task 3: standardization pilots; task 4: enterprise self-declarations;
// tasks 8, 9 and 10: valid Qinghai trademarks, agri-product brands, Madrid
// marks, regional public brands, GI marks, GI products in force and valid
// agri-product certificates; task 12: high-value invention patents per
// 10,000 residents and enterprises certified to GB/T 29490; task 20:
// organisations serving “四地” awarded the provincial quality award and
// quality improvement demonstration zones accepted, both ranges; task 23:
// the completed product-quality sampling batches; task 25: the
// growth of organic-certified enterprises over the baseline and the
// year-on-year growth of organisations with voluntary certificates).
var DemoMetricBindings = map[string]string{
	"1.1":  "standards.local.published",
	"1.2":  "standards.drug.varieties",
	"3.1":  "standards.pilots",
	"4.1":  "standards.declarations",
	"8.1":  "trademarks.qinghai",
	"8.2":  "brands.agri",
	"8.3":  "trademarks.madrid",
	"9.1":  "brands.regional",
	"10.1": "trademarks.gi",
	"10.2": "gi.products",
	"10.3": "agri.certs",
	"12.1": "patents.high_value.per_10k",
	"12.2": "ipm.certified_enterprises",
	"20.1": "quality.awards.sidi",
	"20.2": "quality.zones.accepted",
	"25.1": "certs.organic.growth",
	"25.2": "certs.voluntary.growth",
	"23.1": "sampling.batches",
}

// DemoTaskFigures are the live figures tasks without a numeric target show
// beside their narrative (pillar 3, tasks 15–18: fair-competition reviews,
// spot checks and complaints; fees listed and fee cases; business starts
// and the share within the commitment; public-interest campaigns; task
// 19: 双随机 draws held, entities drawn, results published on time), set
// when those metrics are registered.
var DemoTaskFigures = map[int][]string{
	15: {"fair.reviews.done", "fair.spotchecks", "fair.complaints"},
	16: {"fees.listed", "fees.cases"},
	17: {"bizstart.count", "bizstart.within_limit"},
	18: {"ads.campaigns"},
	19: {"inspect.draws", "inspect.entities", "inspect.results_on_time"},
}

// SeedDemo fills a plan with clearly labelled demo reports from its start
// to the end of 2025, so pages show realistic colours, rankings and
// bulletins. The last period is left partly unreported, partly awaiting
// review and partly returned. It does nothing when reports already exist.
func (s *Service) SeedDemo(ctx context.Context, p auth.Principal, planID int64) (int, error) {
	pv, err := s.plans.Current(ctx, planID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE plan_id = $1`, pv.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("progress: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	if _, err := s.EnsurePeriods(ctx, p, pv.ID, 2025); err != nil {
		return 0, err
	}
	periods, err := s.Periods(ctx, pv.ID)
	if err != nil {
		return 0, err
	}
	st, err := s.Settings(ctx, pv.ID)
	if err != nil {
		return 0, err
	}
	start, _ := parseDay(st.PlanStart)
	// Baselines and bindings first, through the service so they are audited.
	for _, t := range pv.Tasks() {
		for i, g := range t.Targets {
			b := Binding{TaskNumber: t.Number, Ordinal: i + 1, Baseline: demoBaseline(g.Value, g.Unit), Note: DemoLabel + "基线为演示值"}
			if key, ok := DemoMetricBindings[bindingKey(t.Number, i+1)]; ok {
				if _, registered := s.metrics.Get(key); registered {
					b.MetricKey, b.Baseline, b.Note = key, 0, "由系统登记数据实时计算"
				}
			}
			if err := s.SetBinding(ctx, p, pv.ID, b); err != nil {
				return 0, err
			}
		}
	}
	for task, keys := range DemoTaskFigures {
		var known []string
		for _, k := range keys {
			if _, ok := s.metrics.Get(k); ok {
				known = append(known, k)
			}
		}
		if len(known) == 0 {
			continue
		}
		if _, _, err := s.plans.Task(ctx, pv.ID, task); err != nil {
			continue // a plan without that task
		}
		if err := s.SetTaskFigures(ctx, p, pv.ID, task, known); err != nil {
			return 0, err
		}
	}
	count := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for pi, per := range periods {
			end := per.EndTime()
			if end.Year() > 2025 || end.Before(start) {
				continue
			}
			last := pi == len(periods)-1 || periods[pi+1].EndTime().Year() > 2025
			frac := ScheduleShare(start, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), end) / 100
			for _, t := range pv.Tasks() {
				for di, d := range Expected(t) {
					role := "co"
					for _, l := range t.LeadDepts {
						if l.ID == d.ID {
							role = "lead"
						}
					}
					status, returned := ReportApproved, 0
					h := seed(fmt.Sprintf("%d/%d/%s", t.Number, d.ID, per.Code))
					if last {
						switch h % 6 {
						case 0:
							continue // not reported: overdue
						case 1:
							status = ReportSubmitted
						case 2:
							status, returned = ReportReturned, 1
						}
					}
					submitted := per.DeadlineTime().AddDate(0, 0, -int(h%9)).Add(2 * time.Hour)
					if h%11 == 0 {
						submitted = per.DeadlineTime().AddDate(0, 0, 3) // late
					}
					var progress any
					if len(t.Targets) == 0 && role == "lead" {
						progress = math.Round(math.Min(100, 100*frac*perf(t.Number, 0)))
					}
					comment := ""
					if status == ReportReturned {
						comment = "佐证材料不全，请补充相关文件后重新提交。"
					}
					var id int64
					err := tx.QueryRowContext(ctx, `INSERT INTO reports(plan_id, period_id, task_number, dept_id, role, status, narrative, progress, times_returned,
						created_by, created_at, updated_at, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment, demo)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $11, $13, $14, $15, 1) RETURNING id`,
						pv.ID, per.ID, t.Number, d.ID, role, status,
						fmt.Sprintf("%s%s围绕“%s”按计划推进，本期完成阶段性工作%d项。", DemoLabel, d.Name, t.Title, 1+h%4),
						progress, returned, "demo", submitted, "demo", reviewer(status), reviewedAt(status, submitted), comment).Scan(&id)
					if err != nil {
						return fmt.Errorf("progress: demo report: %w", err)
					}
					count++
					if role != "lead" {
						continue
					}
					for i, g := range t.Targets {
						base := demoBaseline(g.Value, g.Unit)
						v := base + (g.Value-base)*perf(t.Number, i+1)*math.Pow(frac, 0.9)*(1+float64(di%2)*0.01)
						if g.Unit != "%" {
							v = math.Round(v*100) / 100
							if g.Value >= 10 {
								v = math.Round(v)
							}
						}
						if _, err := tx.ExecContext(ctx, `INSERT INTO report_values(report_id, target_ordinal, value) VALUES ($1, $2, $3)`, id, i+1, v); err != nil {
							return err
						}
						if status == ReportApproved {
							if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_values(plan_id, task_number, target_ordinal, as_of, value, report_id, approved_by, approved_at)
								VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, pv.ID, t.Number, i+1, per.Ends, v, id, "demo", submitted.AddDate(0, 0, 2)); err != nil {
								return err
							}
						}
					}
					if progress != nil && status == ReportApproved {
						if _, err := tx.ExecContext(ctx, `INSERT INTO task_progress_values(plan_id, task_number, as_of, progress, report_id, approved_at) VALUES ($1, $2, $3, $4, $5, $6)`,
							pv.ID, t.Number, per.Ends, progress, id, submitted.AddDate(0, 0, 2)); err != nil {
							return err
						}
					}
				}
			}
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "reports", EntityID: fmt.Sprint(pv.ID), Action: "demo_seed",
			After: map[string]any{"reports": count, "label": DemoLabel}})
	})
	return count, err
}

func reviewer(status string) string {
	if status == ReportApproved || status == ReportReturned {
		return "demo-supervisor"
	}
	return ""
}

func reviewedAt(status string, submitted time.Time) any {
	if status == ReportApproved || status == ReportReturned {
		return submitted.AddDate(0, 0, 2)
	}
	return nil
}

// demoBaseline invents a plausible starting value: about 45 % of a count
// target, nothing for growth rates and awards.
func demoBaseline(target float64, unit string) float64 {
	if unit == "%" || target < 10 {
		return 0
	}
	return math.Round(target * 0.45)
}

// perf is a task's (and target's) demo performance: most reach their
// target on time, some overshoot, a few fall clearly behind.
func perf(task, ord int) float64 {
	h := seed(fmt.Sprintf("perf/%d/%d", task, ord))
	return []float64{1.12, 1.05, 0.97, 0.9, 1.2, 0.72, 1.01, 0.84}[h%8]
}

func seed(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
