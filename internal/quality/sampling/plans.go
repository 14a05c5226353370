package sampling

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// KeyCatalogue are the key products every provincial plan lists (task 23:
// 将盐湖化工、光伏清洁能源产品纳入重点监管目录和抽查计划).
var KeyCatalogue = []string{"盐湖化工产品", "光伏清洁能源产品"}

// Plan is a sampling plan of one year and level.
type Plan struct {
	ID       int64    `json:"id"`
	PlanNo   string   `json:"plan_no"`
	Year     int      `json:"year"`
	Level    string   `json:"level"`
	Title    string   `json:"title"`
	DeptID   int64    `json:"dept_id,omitempty"`
	DeptName string   `json:"dept_name,omitempty"`
	Products []string `json:"products"`
	Demo     bool     `json:"demo"`
	// KeyCovered says the catalogue names both key products.
	KeyCovered bool   `json:"key_covered"`
	Tasks      []Task `json:"tasks,omitempty"`
}

// Task is one task of a plan.
type Task struct {
	ID       int64  `json:"id"`
	TaskNo   string `json:"task_no"`
	PlanID   int64  `json:"plan_id"`
	Product  string `json:"product"`
	DeptID   int64  `json:"dept_id,omitempty"`
	DeptName string `json:"dept_name,omitempty"`
	Planned  int    `json:"planned"`
	DueOn    string `json:"due_on"`
	Done     int    `json:"done"` // completed batches recorded against it
	Demo     bool   `json:"demo"`
}

// PlanInput is a new plan.
type PlanInput struct {
	PlanNo   string `json:"plan_no"`
	Year     string `json:"year"`
	Level    string `json:"level"`
	Title    string `json:"title"`
	DeptID   int64  `json:"dept_id"`
	Products string `json:"products"` // one a line (or separated by 、，;)
	Demo     bool   `json:"-"`
}

// TaskInput is a new task of a plan.
type TaskInput struct {
	TaskNo  string `json:"task_no"`
	Product string `json:"product"`
	DeptID  int64  `json:"dept_id"`
	Planned string `json:"planned"`
	DueOn   string `json:"due_on"`
	Demo    bool   `json:"-"`
}

func keyCovered(products []string) bool {
	for _, k := range KeyCatalogue {
		found := false
		for _, p := range products {
			if strings.Contains(p, strings.TrimSuffix(strings.TrimSuffix(k, "产品"), "清洁能源")) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func splitProducts(v string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.FieldsFunc(v, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '、' || r == '，' || r == ',' || r == ';' || r == '；'
	}) {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// deptIn checks a department exists and is in sc (0 is province-wide: all-scope only).
func deptIn(ctx context.Context, q store.Querier, sc kit.Scope, id int64) error {
	if id == 0 {
		if !sc.All {
			return kit.Errors{{Field: "dept_id", Msg: "请选择您的数据范围内的部门"}}
		}
		return nil
	}
	return kit.DeptIn(ctx, q, sc, id, "部门")
}

// CreatePlan records a plan, audited. A provincial plan's catalogue must
// name the key products 盐湖化工 and 光伏.
func (s *Service) CreatePlan(ctx context.Context, p auth.Principal, in PlanInput) (Plan, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Plan{}, err
	}
	var errs kit.Errors
	field := func(f string) func(string, ...any) { return func(fm string, a ...any) { errs.Add(f, fm, a...) } }
	in.PlanNo = text(field("plan_no"), "计划编号", in.PlanNo, 64, true)
	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || year < 2000 || year > 2100 {
		errs.Add("year", "年度“%s”无效，应为 2000—2100 的年份", kit.Clip(in.Year))
	}
	level := lookup(LevelLabels, in.Level)
	if level == "" {
		errs.Add("level", "级别应为国家、省或市州")
	}
	in.Title = text(field("title"), "计划名称", in.Title, 200, true)
	products := splitProducts(in.Products)
	switch {
	case len(products) == 0:
		errs.Add("products", "请填写产品目录（每行一种产品）")
	case len(products) > 500:
		errs.Add("products", "产品目录不能超过 500 种")
	case level == LevelProvincial && !keyCovered(products):
		errs.Add("products", "省级抽查计划的产品目录应包含重点产品：%s", strings.Join(KeyCatalogue, "、"))
	}
	for _, pr := range products {
		text(field("products"), "产品名称", pr, 100, true)
	}
	if err := errs.Err(); err != nil {
		return Plan{}, err
	}
	plans := kit.Spec[Plan]{DB: s.db, Entity: "sampling_plan", Noun: "抽查计划", Load: loadPlan}
	return plans.Save(ctx, kit.Write[Plan]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Plan) error { return deptIn(ctx, tx, sc, in.DeptID) },
		Exec: func(tx *sql.Tx, _ Plan) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO sampling_plans(plan_no, year, level, title, dept_id, products, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, in.PlanNo, year, level, in.Title, store.NullID(in.DeptID), strings.Join(products, "\n"), store.BoolInt(in.Demo), s.stamp()).Scan(&id)
			return id, err
		},
		Conflict: func() string { return fmt.Sprintf("计划编号 %s 已存在", in.PlanNo) }})
}

// CreateTask adds a task to a plan, for a department of p's scope, audited.
func (s *Service) CreateTask(ctx context.Context, p auth.Principal, planID int64, in TaskInput) (Task, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Task{}, err
	}
	var errs kit.Errors
	field := func(f string) func(string, ...any) { return func(fm string, a ...any) { errs.Add(f, fm, a...) } }
	in.TaskNo = text(field("task_no"), "任务编号", in.TaskNo, 64, true)
	in.Product = text(field("product"), "产品", in.Product, 100, true)
	planned, err := strconv.Atoi(strings.TrimSpace(in.Planned))
	if err != nil || planned < 1 || planned > 100000 {
		errs.Add("planned", "计划批次“%s”无效，应为 1—100000 的整数", kit.Clip(in.Planned))
	}
	due, ok := kit.ParseDate(in.DueOn)
	if !ok {
		errs.Add("due_on", "完成期限“%s”不是有效日期", kit.Clip(in.DueOn))
	}
	if err := errs.Err(); err != nil {
		return Task{}, err
	}
	tasks := kit.Spec[Task]{DB: s.db, Entity: "sampling_task", Noun: "抽查任务", Load: taskByID}
	return tasks.Save(ctx, kit.Write[Task]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Task) error {
			pl, err := loadPlan(ctx, tx, planID)
			if err != nil {
				return err
			}
			if !slices.Contains(pl.Products, in.Product) {
				return kit.Errors{{Field: "product", Msg: fmt.Sprintf("产品“%s”不在计划的产品目录中", kit.Clip(in.Product))}}
			}
			return deptIn(ctx, tx, sc, in.DeptID)
		},
		Exec: func(tx *sql.Tx, _ Task) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO sampling_tasks(task_no, plan_id, product, dept_id, planned, due_on, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, in.TaskNo, planID, in.Product, store.NullID(in.DeptID), planned, due, store.BoolInt(in.Demo), s.stamp()).Scan(&id)
			return id, err
		},
		Conflict: func() string { return fmt.Sprintf("任务编号 %s 已存在", in.TaskNo) }})
}

const planCols = `p.id, p.plan_no, p.year, p.level, p.title, COALESCE(p.dept_id, 0), COALESCE(d.name, ''), p.products, p.demo`

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var pl Plan
	var products string
	var demo int
	err := sc.Scan(&pl.ID, &pl.PlanNo, &pl.Year, &pl.Level, &pl.Title, &pl.DeptID, &pl.DeptName, &products, &demo)
	pl.Products, pl.Demo = splitProducts(products), demo == 1
	pl.KeyCovered = keyCovered(pl.Products)
	return pl, err
}

func loadPlan(ctx context.Context, q store.Querier, id int64) (Plan, error) {
	pl, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planCols+` FROM sampling_plans p LEFT JOIN departments d ON d.id = p.dept_id WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, apperr.NotFound("没有编号为 %d 的抽查计划", id)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("sampling: plan %d: %w", id, err)
	}
	return pl, nil
}

const taskCols = `t.id, t.task_no, t.plan_id, t.product, COALESCE(t.dept_id, 0), COALESCE(d.name, ''), t.planned, t.due_on, t.demo,
	(SELECT COUNT(*) FROM sampling_batches b WHERE b.task_id = t.id AND b.done_on <> '')`

func scanTask(sc interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var demo int
	err := sc.Scan(&t.ID, &t.TaskNo, &t.PlanID, &t.Product, &t.DeptID, &t.DeptName, &t.Planned, &t.DueOn, &demo, &t.Done)
	t.Demo = demo == 1
	return t, err
}

func taskByID(ctx context.Context, q store.Querier, id int64) (Task, error) {
	return taskWhere(ctx, q, "t.id", id, apperr.NotFound("没有编号为 %d 的抽查任务", id))
}

func taskByNo(ctx context.Context, q store.Querier, no string) (Task, error) {
	return taskWhere(ctx, q, "t.task_no", no, fmt.Errorf("任务编号“%s”不存在", kit.Clip(no)))
}

// taskWhere reads the task whose col is v; missing is the error when
// there is none.
func taskWhere(ctx context.Context, q store.Querier, col string, v any, missing error) (Task, error) {
	t, err := scanTask(q.QueryRowContext(ctx, `SELECT `+taskCols+` FROM sampling_tasks t LEFT JOIN departments d ON d.id = t.dept_id WHERE `+col+` = $1`, v))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, missing
	}
	if err != nil {
		return Task{}, fmt.Errorf("sampling: task %v: %w", v, err)
	}
	return t, nil
}

// Plans lists the plans, newest year first, each with its tasks in p's
// scope (staff).
func (s *Service) Plans(ctx context.Context, p auth.Principal) ([]Plan, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Readers...)
	if err != nil {
		return nil, err
	}
	var out []Plan
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+planCols+` FROM sampling_plans p LEFT JOIN departments d ON d.id = p.dept_id ORDER BY p.year DESC, p.id DESC LIMIT 500`, nil,
		func(r *sql.Rows) error { pl, err := scanPlan(r); out = append(out, pl); return err })
	if err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	for i, pl := range out {
		idx[pl.ID] = i
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+taskCols+` FROM sampling_tasks t LEFT JOIN departments d ON d.id = t.dept_id ORDER BY t.due_on, t.id LIMIT 5000`, nil, func(r *sql.Rows) error {
		t, err := scanTask(r)
		if i, ok := idx[t.PlanID]; ok && err == nil && allows(sc, t.DeptID) {
			out[i].Tasks = append(out[i].Tasks, t)
		}
		return err
	})
	return out, err
}

// Dept is a department a keeper may choose.
type Dept = kit.Dept

// Depts lists the active departments in p's scope (the forms' choices).
func (s *Service) Depts(ctx context.Context, p auth.Principal) ([]Dept, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return nil, err
	}
	return kit.ActiveDepts(ctx, s.db.Reader(), sc)
}
