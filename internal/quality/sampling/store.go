package sampling

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

const batchCols = `b.id, b.batch_no, COALESCE(b.task_id, 0), COALESCE(t.task_no, ''), COALESCE(b.dept_id, 0), COALESCE(d.name, ''), b.year, b.level,
	b.product, b.key_product, b.enterprise_name, b.credit_code, COALESCE(b.enterprise_id, 0), b.sampling_unit, b.sampled_on, b.testing_body,
	b.report_no, b.outcome, b.result_on, b.failed_items, b.retest_on, b.retest_reason, b.notice_on, b.done_on, b.demo`

const batchFrom = ` FROM sampling_batches b LEFT JOIN sampling_tasks t ON t.id = b.task_id LEFT JOIN departments d ON d.id = b.dept_id`

func scanBatch(sc interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var demo int
	err := sc.Scan(&b.ID, &b.BatchNo, &b.TaskID, &b.TaskNo, &b.DeptID, &b.DeptName, &b.Year, &b.Level, &b.Product, &b.KeyProduct,
		&b.EnterpriseName, &b.CreditCode, &b.EnterpriseID, &b.SamplingUnit, &b.SampledOn, &b.TestingBody, &b.ReportNo, &b.Outcome,
		&b.ResultOn, &b.FailedItems, &b.RetestOn, &b.RetestReason, &b.NoticeOn, &b.DoneOn, &demo)
	b.Demo = demo == 1
	if b.ResultOn != "" && (b.Outcome == Failed || Retest(b.Outcome)) {
		b.RetestDue = kit.AddDays(b.ResultOn, RetestDays)
	}
	return b, err
}

func loadBatch(ctx context.Context, q store.Querier, id int64) (Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchCols+batchFrom+` WHERE b.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, apperr.NotFound("没有编号为 %d 的抽样批次", id)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("sampling: batch %d: %w", id, err)
	}
	err = store.EachRow(ctx, q, `SELECT step, on_date, doc_no, note, actor FROM sampling_disposals WHERE batch_id = $1 ORDER BY on_date, id`, []any{id}, func(r *sql.Rows) error {
		var d Disposal
		err := r.Scan(&d.Step, &d.On, &d.DocNo, &d.Note, &d.Actor)
		b.Disposals = append(b.Disposals, d)
		return err
	})
	return b, err
}

func (s *Service) spec() kit.Spec[Batch] {
	return kit.Spec[Batch]{DB: s.db, Entity: "sampling_batch", Noun: "抽样批次", Load: loadBatch,
		Dept: func(b Batch) int64 { return b.DeptID }}
}

// Batch returns a batch in p's scope with its disposals; outside the scope
// it does not exist.
func (s *Service) Batch(ctx context.Context, p auth.Principal, id int64) (Batch, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Readers...)
	if err != nil {
		return Batch{}, err
	}
	b, err := loadBatch(ctx, s.db.Reader(), id)
	if err != nil {
		return Batch{}, err
	}
	if !allows(sc, b.DeptID) {
		return Batch{}, apperr.NotFound("没有编号为 %d 的抽样批次", id)
	}
	return b, nil
}

// Filter narrows the batch list.
type Filter struct {
	P       auth.Principal `json:"-"`
	Q       string         `json:"q"` // batch number, product, enterprise or credit code
	Year    int            `json:"year,omitempty"`
	Level   string         `json:"level,omitempty"`
	Outcome string         `json:"outcome,omitempty"` // an outcome, or "tested" / "failed_all"
	Key     string         `json:"key_product,omitempty"`
	Page    int            `json:"page"`
	PerPage int            `json:"per_page"`
}

// List is one page of batches with the summary of every matching batch.
type List struct {
	Filter  Filter  `json:"filter"`
	Total   int     `json:"total"`
	Pages   int     `json:"pages"`
	Summary Summary `json:"summary"`
	Batches []Batch `json:"batches"`
}

var paging = kit.Paging{Default: 50, Max: 200}

// Search lists the batches in the caller's scope matching f, newest first.
func (s *Service) Search(ctx context.Context, f Filter) (List, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), f.P, Readers...)
	if err != nil {
		return List{}, err
	}
	pg, err := paging.Page(f.Page, f.PerPage)
	if err != nil {
		return List{}, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	var w kit.Where
	if !sc.All {
		w.Raw(sc.Cond("b.dept_id", &w.Args))
	}
	if f.Year != 0 {
		w.Add("b.year = ?", f.Year)
	}
	if f.Level != "" {
		if LevelLabels[f.Level] == "" {
			return List{}, apperr.Invalid("抽查级别“%s”无法识别", kit.Clip(f.Level))
		}
		w.Add("b.level = ?", f.Level)
	}
	switch {
	case f.Outcome == "":
	case f.Outcome == "failed_all":
		w.Raw("b.outcome IN ('failed', 'retesting', 'retest_upheld')")
	case OutcomeLabels[f.Outcome] != "":
		w.Add("b.outcome = ?", f.Outcome)
	default:
		return List{}, apperr.Invalid("检验结论“%s”无法识别", kit.Clip(f.Outcome))
	}
	if f.Key != "" {
		if KeyLabels[f.Key] == "" {
			return List{}, apperr.Invalid("重点产品“%s”无法识别", kit.Clip(f.Key))
		}
		w.Add("b.key_product = ?", f.Key)
	}
	w.Contains(f.Q, "b.batch_no", "b.product", "b.enterprise_name", "b.credit_code")
	l := List{Filter: f, Batches: []Batch{}}
	t, err := tally(ctx, s.db.Reader(), w.Conds(), w.Values())
	if err != nil {
		return List{}, fmt.Errorf("sampling: list: %w", err)
	}
	l.Summary = Summarize(t)
	l.Total = l.Summary.Batches
	l.Pages = pg.Pages(l.Total)
	q := `SELECT ` + batchCols + batchFrom + w.SQL() + ` ORDER BY b.sampled_on DESC, b.id DESC` + pg.SQL(&w.Args)
	err = store.EachRow(ctx, s.db.Reader(), q, w.Values(), func(r *sql.Rows) error {
		b, err := scanBatch(r)
		l.Batches = append(l.Batches, b)
		return err
	})
	return l, err
}

// BatchInput is a batch as a form or the API sends it: by column name
// (抽样单编号) or by field name (batch_no).
type BatchInput map[string]string

func (in BatchInput) get(col string) string {
	if v, ok := in[col]; ok {
		return v
	}
	return in[BatchFields[col]]
}

// SaveBatch creates (id 0) or changes a batch from a form, inside p's
// scope, audited; the rules are those of the import.
func (s *Service) SaveBatch(ctx context.Context, p auth.Principal, id int64, in BatchInput) (Batch, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Batch{}, err
	}
	b, errs := ParseBatch(0, in.get, s.today())
	action := "create"
	if id != 0 {
		action = "update"
	}
	var task Task
	return s.spec().Save(ctx, kit.Write[Batch]{
		By: p.Actor(), ID: id, Action: action, Scope: &sc,
		Validate: func() error { return errs.Err() },
		Check: func(tx *sql.Tx, before Batch) error {
			if id != 0 && !allows(sc, before.DeptID) {
				return apperr.NotFound("没有编号为 %d 的抽样批次", id)
			}
			task = Task{DeptID: p.DeptID} // without a task: the caller's own department
			if b.TaskNo != "" {
				var err error
				if task, err = taskByNo(ctx, tx, b.TaskNo); err != nil {
					return kit.Errors{{Field: "task_no", Column: ColTaskNo, Msg: err.Error()}}
				}
			}
			if !allows(sc, task.DeptID) {
				return kit.Errors{{Field: "task_no", Column: ColTaskNo, Msg: "请填写您的数据范围内的任务编号"}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, before Batch) (int64, error) {
			ent, err := s.ensure(ctx, tx, p, b.CreditCode, b.EnterpriseName, b.Demo)
			if err != nil {
				return 0, err
			}
			vals := []any{b.BatchNo, store.NullID(task.ID), store.NullID(task.DeptID), b.Year, b.Level, b.Product, b.KeyProduct, b.EnterpriseName, b.CreditCode, store.NullID(ent),
				b.SamplingUnit, b.SampledOn, b.TestingBody, b.ReportNo, b.Outcome, b.ResultOn, b.FailedItems, b.RetestOn, b.RetestReason, b.NoticeOn, b.DoneOn, store.BoolInt(b.Demo), s.stamp()}
			if id == 0 {
				var nid int64
				err := tx.QueryRowContext(ctx, `INSERT INTO sampling_batches(`+insertCols+`, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
					$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23) RETURNING id`, vals...).Scan(&nid)
				return nid, err
			}
			_, err = tx.ExecContext(ctx, `UPDATE sampling_batches SET batch_no = $1, task_id = $2, dept_id = $3, year = $4, level = $5, product = $6,
				key_product = $7, enterprise_name = $8, credit_code = $9, enterprise_id = $10, sampling_unit = $11, sampled_on = $12, testing_body = $13,
				report_no = $14, outcome = $15, result_on = $16, failed_items = $17, retest_on = $18, retest_reason = $19, notice_on = $20, done_on = $21,
				demo = $22, updated_at = $23 WHERE id = $24`, append(vals, id)...)
			return id, err
		},
		Conflict: func() string { return "抽样单编号 " + b.BatchNo + " 已在库中" },
	})
}

// insertCols are the columns a batch is written with, updated_at last.
const insertCols = `batch_no, task_id, dept_id, year, level, product, key_product, enterprise_name, credit_code, enterprise_id,
	sampling_unit, sampled_on, testing_body, report_no, outcome, result_on, failed_items, retest_on, retest_reason, notice_on, done_on, demo, updated_at`

// ensure links a credit code to the enterprise directory (registering it
// under name when the caller may; an inspector links known ones only).
func (s *Service) ensure(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (int64, error) {
	if code == "" || s.ent == nil {
		return 0, nil
	}
	return s.ent.EnsureTx(ctx, tx, p, code, name, demo)
}

// RetestInput records a re-test application and its result.
type RetestInput struct {
	On      string `json:"retest_on"`
	Reason  string `json:"retest_reason"`
	Outcome string `json:"outcome"` // retesting | retest_upheld | retest_overturned (or their labels)
}

// RecordRetest records the re-test of a batch: applied for within 15 days
// of the result (later only with a reason), audited.
func (s *Service) RecordRetest(ctx context.Context, p auth.Principal, id int64, in RetestInput) (Batch, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Batch{}, err
	}
	return s.change(ctx, sc, p, id, "retest", func(tx *sql.Tx, before Batch) error {
		if before.Outcome != Failed && !Retest(before.Outcome) {
			return apperr.Conflict("只有检验结论为不合格的批次才能登记复检，本批次为“%s”", OutcomeLabels[before.Outcome])
		}
		cells := before.Cells()
		get := func(col string) string {
			switch col {
			case ColRetestOn:
				return in.On
			case ColReason:
				return in.Reason
			case ColOutcome:
				return in.Outcome
			}
			for i, c := range BatchColumns {
				if c.Name == col {
					return cells[i]
				}
			}
			return ""
		}
		b, errs := ParseBatch(0, get, s.today())
		if err := errs.Err(); err != nil {
			return err
		}
		if !Retest(b.Outcome) {
			return kit.Errors{{Field: "outcome", Msg: "复检结果应为复检中、复检维持或复检改判"}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sampling_batches SET outcome = $1, retest_on = $2, retest_reason = $3, done_on = $4, updated_at = $5 WHERE id = $6`,
			b.Outcome, b.RetestOn, b.RetestReason, b.DoneOn, s.stamp(), id); err != nil {
			return fmt.Errorf("sampling: retest %d: %w", id, err)
		}
		return nil
	})
}

// DisposalInput is one step of the disposal ladder.
type DisposalInput struct {
	Step  string `json:"step"`
	On    string `json:"on"`
	DocNo string `json:"doc_no"`
	Note  string `json:"note"`
}

// Dispose records the next step of a failed batch's disposal ladder: the
// steps come in order (责令改正 → 公告 → 责令停业整顿 → 吊销营业执照), none
// skipped, each dated on or after the one before and the result, audited.
func (s *Service) Dispose(ctx context.Context, p auth.Principal, id int64, in DisposalInput) (Batch, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Batch{}, err
	}
	var errs kit.Errors
	field := func(f string) func(string, ...any) { return func(fm string, a ...any) { errs.Add(f, fm, a...) } }
	step := lookup(StepLabels, in.Step)
	if step == "" {
		errs.Add("step", "处置措施“%s”无法识别，应为责令改正、公告、责令停业整顿或吊销营业执照", kit.Clip(in.Step))
	}
	on, ok := kit.ParseDate(in.On)
	if !ok || on > s.today() {
		errs.Add("on", "处置日期“%s”无效（不晚于今天 %s）", kit.Clip(in.On), s.today())
	}
	in.DocNo = text(field("doc_no"), "文书编号", in.DocNo, 64, true)
	in.Note = text(field("note"), "说明", in.Note, 500, false)
	if err := errs.Err(); err != nil {
		return Batch{}, err
	}
	return s.change(ctx, sc, p, id, "dispose", func(tx *sql.Tx, before Batch) error {
		if before.Outcome != Failed && before.Outcome != Upheld {
			return apperr.Conflict("只有不合格（或复检维持）的批次才能处置，本批次为“%s”", OutcomeLabels[before.Outcome])
		}
		want := Steps[min(len(before.Disposals), len(Steps)-1)]
		if len(before.Disposals) == len(Steps) {
			return apperr.Conflict("本批次已处置到最后一步（吊销营业执照）")
		}
		if step != want {
			return kit.Errors{{Field: "step", Msg: fmt.Sprintf("处置应按责令改正、公告、责令停业整顿、吊销营业执照的顺序进行，下一步应为“%s”", StepLabels[want])}}
		}
		prev := before.ResultOn
		if n := len(before.Disposals); n > 0 {
			prev = before.Disposals[n-1].On
		}
		if on < prev {
			return kit.Errors{{Field: "on", Msg: fmt.Sprintf("处置日期 %s 早于上一环节（%s）", on, prev)}}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sampling_disposals(batch_id, step, on_date, doc_no, note, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, step, on, in.DocNo, in.Note, p.Actor().Name, s.stamp()); err != nil {
			if kit.IsUnique(err) {
				return apperr.Conflict("本批次已有“%s”", StepLabels[step])
			}
			return fmt.Errorf("sampling: dispose %d: %w", id, err)
		}
		return nil
	})
}

// Publish puts a failed batch on the public notice page from day on
// (today when empty), audited.
func (s *Service) Publish(ctx context.Context, p auth.Principal, id int64, on string) (Batch, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return Batch{}, err
	}
	if strings.TrimSpace(on) == "" {
		on = s.today()
	}
	day, ok := kit.ParseDate(on)
	if !ok || day > s.today() {
		return Batch{}, kit.Errors{{Field: "notice_on", Msg: fmt.Sprintf("公告日期“%s”无效（不晚于今天 %s）", kit.Clip(on), s.today())}}
	}
	return s.change(ctx, sc, p, id, "publish", func(tx *sql.Tx, before Batch) error {
		switch {
		case before.Outcome != Failed && before.Outcome != Upheld:
			return apperr.Conflict("只有不合格（或复检维持）的批次才能公告，本批次为“%s”", OutcomeLabels[before.Outcome])
		case before.NoticeOn != "":
			return apperr.Conflict("本批次已于 %s 公告", before.NoticeOn)
		case day < before.ResultOn:
			return kit.Errors{{Field: "notice_on", Msg: fmt.Sprintf("公告日期 %s 早于结果通知日期 %s", day, before.ResultOn)}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sampling_batches SET notice_on = $1, updated_at = $2 WHERE id = $3`, day, s.stamp(), id); err != nil {
			return fmt.Errorf("sampling: publish %d: %w", id, err)
		}
		return nil
	})
}

// change runs one audited change of batch id inside sc through the
// batches' kit.Spec: load, the scope check (outside: an
// apperr.OutOfScope), apply (the rules that depend on the stored batch,
// and the write), reload, and the audit entry with the before and after
// states, in one transaction.
func (s *Service) change(ctx context.Context, sc kit.Scope, p auth.Principal, id int64, action string, apply func(tx *sql.Tx, before Batch) error) (Batch, error) {
	return s.spec().Save(ctx, kit.Write[Batch]{By: p.Actor(), Scope: &sc, ID: id, Action: action,
		Exec: func(tx *sql.Tx, before Batch) (int64, error) { return id, apply(tx, before) }})
}

// Notice is a published failed batch: what the public sees of it.
type Notice struct {
	BatchNo        string `json:"batch_no"`
	Year           int    `json:"year"`
	Level          string `json:"level"`
	LevelLabel     string `json:"level_label"`
	Product        string `json:"product"`
	EnterpriseName string `json:"enterprise_name"`
	CreditCode     string `json:"credit_code"`
	SampledOn      string `json:"sampled_on"`
	TestingBody    string `json:"testing_body"`
	ReportNo       string `json:"report_no"`
	FailedItems    string `json:"failed_items"`
	Outcome        string `json:"outcome"`
	NoticeOn       string `json:"notice_on"`
	Demo           bool   `json:"demo"`
}

// Notices lists the published failed batches, newest first, optionally of
// one year; anyone may read them.
func (s *Service) Notices(ctx context.Context, year int) ([]Notice, error) {
	var w kit.Where
	w.Raw("notice_on <> ''")
	if year != 0 {
		if year < 2000 || year > 2100 {
			return nil, apperr.Invalid("年度 %d 无效", year)
		}
		w.Add("year = ?", year)
	}
	out := []Notice{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT batch_no, year, level, product, enterprise_name, credit_code, sampled_on, testing_body, report_no,
		failed_items, outcome, notice_on, demo FROM sampling_batches`+w.SQL()+` ORDER BY notice_on DESC, id DESC LIMIT 1000`, w.Values(), func(r *sql.Rows) error {
		var n Notice
		var demo int
		if err := r.Scan(&n.BatchNo, &n.Year, &n.Level, &n.Product, &n.EnterpriseName, &n.CreditCode, &n.SampledOn, &n.TestingBody, &n.ReportNo,
			&n.FailedItems, &n.Outcome, &n.NoticeOn, &demo); err != nil {
			return err
		}
		n.Demo, n.LevelLabel, n.Outcome = demo == 1, LevelLabels[n.Level], OutcomeLabels[n.Outcome]
		out = append(out, n)
		return nil
	})
	return out, err
}
