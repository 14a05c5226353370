package sampling

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Kind is the import kind's name: `sidi import sampling_batches FILE`.
const Kind = "sampling_batches"

// MaxRows is the largest file the command line imports.
const MaxRows = 2_000_000

// WebRows is the most rows a web upload takes.
const WebRows = 50_000

// ImportKinds is the register's kind for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	k := kit.ImportKind[auth.Principal]{Name: Kind, Title: "产品质量监督抽查批次 supervision sampling batches", Columns: BatchColumns, Roles: auth.RoleStrings(Keepers...),
		Description: importNotes(), WebRows: WebRows, Page: "/sampling"}
	if s != nil {
		k.Import, k.Export = s.Import, s.Export
	}
	return []kit.ImportKind[auth.Principal]{k}
}

// importNotes are what the import page says of the file beyond the
// columns.
func importNotes() []string {
	labels := make([]string, len(Outcomes))
	for i, o := range Outcomes {
		labels[i] = OutcomeLabels[o]
	}
	return []string{
		"每一行是一个抽样批次，按抽样单编号匹配：已登记的批次以文件为准更新，同一文件重复导入不会产生变化；导出的清单可直接作为导入文件。",
		"检验结论须为" + strings.Join(labels[:len(labels)-1], "、") + "或" + labels[len(labels)-1] + "。",
	}
}

// importRun is the state of one import: the tasks by number and the
// enterprise ids by credit code, loaded once and kept across batches.
type importRun struct {
	s     *Service
	p     auth.Principal
	sc    kit.Scope
	tasks map[string]Task
	ents  map[string]int64
}

// task is the task a row names; a row without one belongs to the caller's
// own department (province-wide for the command line).
func (r *importRun) task(no string) Task {
	if no == "" {
		return Task{DeptID: r.p.DeptID}
	}
	return r.tasks[no]
}

// Import reads a table of batches: every row is checked first (the
// enumeration of outcomes, dates, credit codes, the 15-day re-test window,
// task numbers in the caller's scope) and, unless opt.SkipInvalid, one
// invalid row refuses the whole file with its row, column and reason,
// nothing written. The rows are then written a batch per transaction with
// one audit entry each, their enterprises linked to the directory; into an
// empty register the file is read once and written in one transaction,
// the indexes built after the rows (kit.Plan.Load). Rows are matched on the
// batch number: the same file twice changes nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Keepers...)
	if err != nil {
		return kit.ImportReport{Kind: Kind, File: src.Name}, err
	}
	restore, err := s.db.BulkCache(ctx)
	if err != nil {
		return kit.ImportReport{Kind: Kind, File: src.Name}, err
	}
	defer restore()
	run := &importRun{s: s, p: p, sc: sc, tasks: map[string]Task{}, ents: map[string]int64{}}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+taskCols+` FROM sampling_tasks t LEFT JOIN departments d ON d.id = t.dept_id`, nil, func(r *sql.Rows) error {
		t, err := scanTask(r)
		run.tasks[t.TaskNo] = t
		return err
	})
	if err != nil {
		return kit.ImportReport{Kind: Kind, File: src.Name}, err
	}
	var stored int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM sampling_batches LIMIT 1) x`).Scan(&stored); err != nil {
		return kit.ImportReport{Kind: Kind, File: src.Name}, fmt.Errorf("sampling: import: %w", err)
	}
	today := s.today()
	pl := kit.Plan[Batch]{
		Kind:  Kind,
		Spec:  kit.TableSpec{Columns: BatchColumns, Formulas: true, Limits: kit.Limits{MaxRows: MaxRows}},
		Parse: func(row kit.Row) (Batch, kit.Errors) { return parseRow(row, today) },
		Key:   func(b Batch) string { return b.BatchNo },
		Duplicate: func(row int, b Batch, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: ColBatchNo, Msg: fmt.Sprintf("抽样单编号 %s 与第 %d 行重复", b.BatchNo, prev)}
		},
		Check:   run.check,
		Write:   run.write,
		Workers: kit.AllCPUs, // parseRow keeps no state
	}
	if stored == 0 {
		pl.Load = run.load
	}
	rep, err := kit.RunImport(ctx, src, opt, pl)
	if rep.Batches > 0 {
		s.db.Observer().ImportRows(Kind, rep.Created+rep.Updated+rep.Unchanged)
	}
	return rep, err
}

// parseRow checks one row of the file.
func parseRow(row kit.Row, today string) (Batch, kit.Errors) {
	b, errs := ParseBatch(row.N, row.Get, today)
	return b, append(row.Errs, errs...)
}

// check refuses rows naming a task that does not exist or lies outside the
// caller's scope.
func (r *importRun) check(_ context.Context, batch []kit.Item[Batch]) (kit.Errors, error) {
	var errs kit.Errors
	for _, it := range batch {
		t, ok := r.tasks[it.Val.TaskNo]
		switch {
		case it.Val.TaskNo != "" && !ok:
			errs.AddCell(it.Row, ColTaskNo, "任务编号“%s”不存在", kit.Clip(it.Val.TaskNo))
		case it.Val.TaskNo != "" && !allows(r.sc, t.DeptID):
			errs.AddCell(it.Row, ColTaskNo, "任务编号“%s”不在您的数据范围内", kit.Clip(it.Val.TaskNo))
		case it.Val.TaskNo == "" && !allows(r.sc, r.p.DeptID):
			errs.AddCell(it.Row, ColTaskNo, "请填写您的数据范围内的任务编号")
		}
	}
	return errs, nil
}

// stored is a batch as the register holds it, for comparison.
type stored struct {
	id   int64
	b    Batch
	ent  int64
	task int64
}

// written is what one row wrote, for the audit digest.
type written struct {
	ID           int64
	Row          int
	Rec          []string
	TaskID       int64
	EnterpriseID int64
}

// existing loads the stored batches among keys: a probe of the batch-number
// index first (a fresh import finds none there), then the rows found.
func (r *importRun) existing(ctx context.Context, tx *sql.Tx, keys []string) (map[string]stored, error) {
	out := map[string]stored{}
	var found []string
	const chunk = 500
	for lo := 0; lo < len(keys); lo += chunk {
		part := keys[lo:min(lo+chunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		err := store.EachRow(ctx, tx, `SELECT batch_no FROM sampling_batches WHERE batch_no IN `+store.Placeholders(r.s.db.Dialect(), 1, len(part)), args, func(rows *sql.Rows) error {
			var k string
			err := rows.Scan(&k)
			found = append(found, k)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sampling: import lookup: %w", err)
		}
	}
	for lo := 0; lo < len(found); lo += chunk {
		part := found[lo:min(lo+chunk, len(found))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		err := store.EachRow(ctx, tx, `SELECT `+batchCols+batchFrom+` WHERE b.batch_no IN `+store.Placeholders(r.s.db.Dialect(), 1, len(part)), args, func(rows *sql.Rows) error {
			b, err := scanBatch(rows)
			out[b.BatchNo] = stored{id: b.ID, b: b, ent: b.EnterpriseID, task: b.TaskID}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sampling: import lookup: %w", err)
		}
	}
	return out, nil
}

// enterprises fills r.ents with the directory ids of the batch's credit
// codes, registering those the directory lacks under the row's name (in
// bulk: enterprise.EnsureMany).
func (r *importRun) enterprises(ctx context.Context, tx *sql.Tx, batch []kit.Item[Batch]) error {
	if r.s.ent == nil {
		return nil
	}
	var refs []enterprise.Ref
	for _, it := range batch {
		if _, known := r.ents[it.Val.CreditCode]; !known && it.Val.CreditCode != "" {
			refs = append(refs, enterprise.Ref{CreditCode: it.Val.CreditCode, Name: it.Val.EnterpriseName, Demo: it.Val.Demo})
		}
	}
	ids, err := r.s.ent.EnsureMany(ctx, tx, r.p, refs)
	if err != nil {
		return fmt.Errorf("sampling: enterprises: %w", err)
	}
	maps.Copy(r.ents, ids)
	return nil
}

// write stores one batch of rows in one transaction (writeTx).
func (r *importRun) write(ctx context.Context, batch []kit.Item[Batch], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := search.Tx(ctx, r.s.db, func(tx *sql.Tx, conn *sql.Conn) (err error) {
		res, err = r.writeTx(ctx, tx, conn, batch, file, false)
		return err
	})
	if err != nil {
		r.ents = map[string]int64{} // the directory entries of a rolled-back batch are gone
	}
	return res, err
}

// load is the first load into an empty register (kit.Plan.Load): one
// transaction, the secondary indexes built after the rows, no lookup of
// stored batches (a batch written meanwhile fails the load on the unique
// batch number).
func (r *importRun) load(ctx context.Context, load func(kit.WriteFunc[Batch]) error) error {
	return search.Tx(ctx, r.s.db, func(tx *sql.Tx, conn *sql.Conn) error {
		build, err := kit.DeferIndexes(ctx, r.s.db.Dialect(), tx, "sampling_batches")
		if err != nil {
			return err
		}
		err = load(func(ctx context.Context, batch []kit.Item[Batch], file kit.ImportReport) (kit.BatchResult, error) {
			return r.writeTx(ctx, tx, conn, batch, file, true)
		})
		if err != nil {
			r.ents = map[string]int64{}
			return err
		}
		return build()
	})
}

// writeTx stores one batch of rows inside tx: new batches with multi-row
// statements (COPY on PostgreSQL), changed ones one by one, and one audit
// entry naming the file, the rows, the ids and a SHA-256 of what the rows
// wrote. fresh: the register was empty when the import began.
func (r *importRun) writeTx(ctx context.Context, tx *sql.Tx, conn *sql.Conn, batch []kit.Item[Batch], file kit.ImportReport, fresh bool) (kit.BatchResult, error) {
	var res kit.BatchResult
	s := r.s
	ex := map[string]stored{}
	if !fresh {
		keys := make([]string, len(batch))
		for i, it := range batch {
			keys[i] = it.Val.BatchNo
		}
		var err error
		if ex, err = r.existing(ctx, tx, keys); err != nil {
			return res, err
		}
	}
	if err := r.enterprises(ctx, tx, batch); err != nil {
		return res, err
	}
	now := s.stamp()
	var added []written
	var after []written
	var updated []int64
	for _, it := range batch {
		b := it.Val
		t := r.task(b.TaskNo)
		ent := r.ents[b.CreditCode]
		w := written{Row: it.Row, Rec: b.Cells(), TaskID: t.ID, EnterpriseID: ent}
		e, ok := ex[b.BatchNo]
		if !ok {
			added = append(added, w)
			continue
		}
		if e.ent == ent && e.task == t.ID && e.b.DeptID == t.DeptID && e.b.Demo == b.Demo && slices.Equal(e.b.Cells(), w.Rec) {
			res.Unchanged++
			continue
		}
		vals := batchValues(b, t, ent, now)
		if _, err := tx.ExecContext(ctx, `UPDATE sampling_batches SET batch_no = $1, task_id = $2, dept_id = $3, year = $4, level = $5, product = $6,
			key_product = $7, enterprise_name = $8, credit_code = $9, enterprise_id = $10, sampling_unit = $11, sampled_on = $12, testing_body = $13,
			report_no = $14, outcome = $15, result_on = $16, failed_items = $17, retest_on = $18, retest_reason = $19, notice_on = $20, done_on = $21,
			demo = $22, updated_at = $23 WHERE id = $24`, append(vals, e.id)...); err != nil {
			return res, fmt.Errorf("第 %d 行：%w", it.Row, err)
		}
		w.ID = e.id
		updated = append(updated, e.id)
		after = append(after, w)
		res.Updated++
	}
	var created []int64
	if len(added) > 0 {
		// In batch-number order: the unique index takes them in sequence.
		slices.SortFunc(added, func(a, b written) int { return strings.Compare(a.Rec[0], b.Rec[0]) })
		var err error
		if created, err = store.NewIDs(ctx, r.s.db.Dialect(), tx, "sampling_batches", len(added)); err != nil {
			return res, err
		}
		byRow := map[int]Batch{}
		for _, it := range batch {
			byRow[it.Row] = it.Val
		}
		for i := range added {
			added[i].ID = created[i]
		}
		if err = r.insert(ctx, tx, conn, added, byRow, now); err != nil {
			return res, err
		}
		after = append(after, added...)
		res.Created = len(added)
	}
	if len(after) == 0 {
		return res, nil
	}
	digest := kit.NewRowsDigest()
	var vals []string
	for _, w := range after {
		vals = append(append(vals[:0], w.Rec...), strconv.FormatInt(w.TaskID, 10), strconv.FormatInt(w.EnterpriseID, 10))
		digest.Add(w.ID, w.Row, vals...)
	}
	return res, kit.AuditImportBatch(ctx, s.db, tx, r.p.Actor(), kit.ImportBatch{Kind: Kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
		Created: created, Updated: updated, Unchanged: res.Unchanged, Digest: digest})
}

// batchValues are the values of insertCols for b.
func batchValues(b Batch, t Task, ent int64, now string) []any {
	return append(appendBatchValues(make([]any, 0, 23), b, t, ent), now)
}

// appendBatchValues appends the values of insertCols for b but the last,
// the stamp, to args.
func appendBatchValues(args []any, b Batch, t Task, ent int64) []any {
	return append(args, b.BatchNo, store.NullID(t.ID), store.NullID(t.DeptID), b.Year, b.Level, b.Product, b.KeyProduct, b.EnterpriseName, b.CreditCode, store.NullID(ent),
		b.SamplingUnit, b.SampledOn, b.TestingBody, b.ReportNo, b.Outcome, b.ResultOn, b.FailedItems, b.RetestOn, b.RetestReason, b.NoticeOn, b.DoneOn, store.BoolInt(b.Demo))
}

// insert writes new batches: with COPY on PostgreSQL, else with multi-row
// prepared statements.
func (r *importRun) insert(ctx context.Context, tx *sql.Tx, conn *sql.Conn, fresh []written, byRow map[int]Batch, now string) error {
	s := r.s
	if s.db.Dialect() == store.Postgres && conn != nil {
		var buf []byte
		for _, w := range fresh {
			buf = strconv.AppendInt(buf, w.ID, 10)
			for _, v := range batchValues(byRow[w.Row], r.task(byRow[w.Row].TaskNo), w.EnterpriseID, now) {
				buf = append(buf, '\t')
				switch x := v.(type) {
				case nil:
					buf = append(buf, '\\', 'N')
				case string:
					buf = store.AppendCopy(buf, x)
				default:
					buf = append(buf, fmt.Sprint(x)...)
				}
			}
			buf = append(buf, '\t')
			buf = store.AppendCopy(buf, now)
			buf = append(buf, '\n')
		}
		if err := store.CopyFrom(ctx, conn, `COPY sampling_batches(id, `+insertCols+`, created_at) FROM STDIN`, buf); err != nil {
			return fmt.Errorf("sampling: copy: %w", err)
		}
		return nil
	}
	// OR FAIL, and the ids left to SQLite, which gives the ones reserved
	// (kit.CheckLastID): a multi-row INSERT that may abort midway, or that
	// names the INTEGER PRIMARY KEY, otherwise writes a statement journal of
	// every page it touches; here a failure rolls the whole batch back
	// anyway.
	// The stamp (updated_at, created_at) is bound once per statement.
	cols := make([]int, 24)
	for j := range 22 {
		cols[j] = -1
	}
	err := store.InsertShared(ctx, tx, "sampling", `INSERT OR FAIL INTO sampling_batches(`+insertCols+`, created_at) VALUES `, cols, []any{now}, 400, len(fresh), func(i int, args []any) []any {
		w := fresh[i]
		b := byRow[w.Row]
		return appendBatchValues(args, b, r.task(b.TaskNo), w.EnterpriseID)
	})
	if err != nil {
		return err
	}
	return kit.CheckLastID(ctx, tx, "sampling_batches", fresh[len(fresh)-1].ID)
}

// Export writes the batches in the caller's scope as an import file of the
// same columns (importing an export changes nothing), in id order.
func (s *Service) Export(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Readers...)
	if err != nil {
		return err
	}
	if err := w.Write(kit.Header(BatchColumns)); err != nil {
		return err
	}
	const chunk = 5000
	for last := int64(0); ; {
		var wh kit.Where
		if !sc.All {
			wh.Raw(sc.Cond("b.dept_id", &wh.Args))
		}
		wh.Add("b.id > ?", last)
		var rows [][]string
		err := store.EachRow(ctx, s.db.Reader(), `SELECT `+batchCols+batchFrom+wh.SQL()+` ORDER BY b.id LIMIT `+wh.Args.Add(chunk), wh.Values(), func(r *sql.Rows) error {
			b, err := scanBatch(r)
			last = b.ID
			rows = append(rows, b.Cells())
			return err
		})
		if err != nil {
			return fmt.Errorf("sampling: export: %w", err)
		}
		for _, c := range rows {
			if err := w.Write(c); err != nil {
				return err
			}
		}
		if len(rows) < chunk {
			return nil
		}
	}
}
