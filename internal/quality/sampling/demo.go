package sampling

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DemoBatches is how many labelled demo batches `sidi demo` adds: enough
// for the 1000-batch target of task 23 to show a live value under way.
const DemoBatches = 720

// SeedDemo adds a labelled demo plan with tasks, DemoBatches batches (a
// few failed ones published, re-tested and disposed of) once; a second
// run adds nothing. It reports how many records it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sampling_batches WHERE demo = 1`).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	dept := func(code string) (int64, error) {
		var id int64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return id, err
	}
	today := s.today()
	year := today[:4]
	added := 0
	pl, err := s.CreatePlan(ctx, p, PlanInput{PlanNo: "DEMO-QH-" + year, Year: year, Level: "省", Title: DemoLabel + "青海省" + year + "年产品质量省级监督抽查计划",
		Products: "盐湖化工产品\n光伏清洁能源产品\n氯化钾\n碳酸锂\n光伏组件\n电线电缆\n水泥\n复合肥料", Demo: true})
	if err != nil {
		return 0, fmt.Errorf("sampling: demo plan: %w", err)
	}
	added++
	var taskNos []string
	for _, t := range []struct{ no, product, dept string }{{"DEMO-RW-HX-01", "氯化钾", "632800"}, {"DEMO-RW-XN-01", "光伏组件", "630100"}} {
		d, err := dept(t.dept)
		if err != nil {
			return added, err
		}
		if d == 0 {
			continue // no department directory: the batches stay province-wide
		}
		if _, err := s.CreateTask(ctx, p, pl.ID, TaskInput{TaskNo: t.no, Product: t.product, DeptID: d, Planned: "200", DueOn: year + "-12-31", Demo: true}); err != nil {
			return added, fmt.Errorf("sampling: demo task: %w", err)
		}
		taskNos = append(taskNos, t.no)
		added++
	}
	g := &Gen{Seed: 23, Today: today, FromYear: 2022, Prefix: "DEMO-", Demo: true, Enterprises: 120}
	if len(taskNos) > 0 {
		g.TaskNo = func(i int) string {
			if i%4 == 0 {
				return taskNos[i/4%len(taskNos)]
			}
			return ""
		}
	}
	var buf bytes.Buffer
	if err := g.WriteCSV(&buf, DemoBatches); err != nil {
		return added, err
	}
	rep, err := s.Import(ctx, p, kit.BytesSource("demo-sampling.csv", buf.Bytes()), kit.ImportOptions{})
	if err != nil {
		return added, fmt.Errorf("sampling: demo batches: %w", err)
	}
	added += rep.Created
	// One failed batch carried down the disposal ladder's first two steps.
	var id int64
	var result string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT id, result_on FROM sampling_batches WHERE demo = 1 AND outcome = 'failed' AND notice_on <> ''
		ORDER BY result_on LIMIT 1`).Scan(&id, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return added, nil
	}
	if err != nil {
		return added, err
	}
	for i, st := range []string{StepCorrect, StepNotice} {
		on := kit.AddDays(result, 5+30*i)
		if on > today {
			break
		}
		if _, err := s.Dispose(ctx, p, id, DisposalInput{Step: st, On: on, DocNo: fmt.Sprintf("演示市监质罚〔%s〕%d号", result[:4], i+1), Note: DemoLabel}); err != nil {
			return added, fmt.Errorf("sampling: demo disposal: %w", err)
		}
	}
	return added, nil
}
