package kit

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
)

// validation is the checking of an import's rows in file order, shared by
// the two-pass import and the one-pass load: the rows' own failures, the
// repeated keys (a 64-bit hash of each key, in a keySet), the plan's
// database check a batch at a time, the report and the rejects file.
//
// The repeated keys are checked a window of rows at a time (at most
// opt.Batch rows, and before every flush): a row repeating an earlier one
// is rejected when its window is checked. Meanwhile the window's failures
// and rejected rows wait (errs from errMark on, rejectsBuf), so that the
// error list and the rejects file stay in file order and the list keeps
// the first MaxReportErrors failures, as when every row was checked on
// its own. Memory: the window, and the keySet's heap part of at most
// keysInMemory keys (12 bytes a key in its runs).
type validation[T any] struct {
	ctx     context.Context
	pl      Plan[T]
	opt     ImportOptions
	rep     ImportReport
	rejects *csv.Writer
	// bad are the rejected rows, for the two-pass import's writing pass
	// (nil in a one-pass load, which reads the file once).
	bad  map[int]bool
	keys *keySet
	// col is the file's header (canonical column name → index), taken
	// from its first data row: the failures recorded get their column's
	// letter from it (withLetters).
	col  map[string]int
	good int
	// keep: the valid rows wait in pending for the check or the write;
	// pendingRows keeps their cells for the rejects file when there is a
	// check.
	keep        bool
	pending     []Item[T]
	pendingRows []Row
	// The window of rows whose keys are not checked yet: keyed (with
	// their cells, for the rejects file), from row windowFrom on; the
	// failures appended since errMark and the rejected rows' lines wait
	// for the check.
	keyed      []keyedRow[T]
	windowFrom int
	errMark    int
	rejectsBuf []rejectLine
}

// keyedRow is a valid row whose key waits for the duplicate check.
type keyedRow[T any] struct {
	hash  uint64
	item  Item[T]
	cells []string
}

// rejectLine is a line of the rejects file waiting for its window.
type rejectLine struct {
	row  int
	line []string
}

func newValidation[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T], keyLimit int) *validation[T] {
	load := pl.Load != nil && !opt.DryRun && !opt.TwoPass
	v := &validation[T]{ctx: ctx, pl: pl, opt: opt, rep: ImportReport{Kind: pl.Kind, File: src.Name},
		keep: pl.Check != nil || load}
	if !load {
		v.bad = map[int]bool{}
	}
	if pl.Key != nil {
		v.keys = newKeySet(keyLimit)
	}
	if opt.Rejects != nil {
		v.rejects = csv.NewWriter(opt.Rejects)
		v.rejects.Write([]string{"行号", "列", "原因", "原始内容…"})
	}
	return v
}

// open reports whether rows wait for the duplicate check.
func (v *validation[T]) open() bool { return v.windowFrom > 0 }

func (v *validation[T]) reject(row Row, errs Errors) {
	if v.bad != nil {
		v.bad[row.N] = true
	}
	v.rep.Rejected++
	for _, e := range withLetters(v.col, errs) {
		if len(v.rep.Errors) < MaxReportErrors || v.open() {
			v.rep.Errors = append(v.rep.Errors, e)
		}
		if v.rejects == nil {
			continue
		}
		line := append([]string{strconv.Itoa(row.N), e.ColumnLabel(), e.Msg}, row.Cells...)
		if v.open() {
			v.rejectsBuf = append(v.rejectsBuf, rejectLine{row.N, line})
		} else {
			v.rejects.Write(line)
		}
	}
}

// row takes one parsed row: false when it is invalid (rejected), true when
// it is valid so far (kept in pending when the validation keeps rows; a
// repeated key is found when the window is checked).
func (v *validation[T]) row(row Row, val T, errs Errors) (bool, error) {
	v.rep.Rows++
	if v.col == nil {
		v.col = row.col
	}
	if len(errs) > 0 {
		v.reject(row, errs)
		return false, v.windowFull(row.N)
	}
	v.good++
	if v.keep {
		v.pending = append(v.pending, Item[T]{row.N, val})
		if v.pl.Check != nil {
			v.pendingRows = append(v.pendingRows, Row{N: row.N, Cells: row.Cells})
		}
	}
	if v.keys != nil {
		if k := v.pl.Key(val); k != "" {
			h := fnv.New64a()
			h.Write([]byte(k))
			if !v.open() {
				v.windowFrom, v.errMark = row.N, len(v.rep.Errors)
			}
			v.keyed = append(v.keyed, keyedRow[T]{h.Sum64(), Item[T]{row.N, val}, row.Cells})
		}
	}
	return true, v.windowFull(row.N)
}

// windowFull checks the window's keys once it spans opt.Batch rows.
func (v *validation[T]) windowFull(n int) error {
	if v.open() && n-v.windowFrom+1 >= v.opt.Batch {
		return v.checkKeys()
	}
	return nil
}

// checkKeys checks the window's keys against those seen before (and each
// other): a repeat is rejected, and dropped from pending. Then the
// window's failures and rejects lines go out in file order.
func (v *validation[T]) checkKeys() error {
	if !v.open() {
		return nil
	}
	hashes := make([]uint64, len(v.keyed))
	rows := make([]int32, len(v.keyed))
	for i, k := range v.keyed {
		hashes[i], rows[i] = k.hash, int32(k.item.Row)
	}
	first, err := v.keys.add(v.ctx, hashes, rows)
	if err != nil {
		return err
	}
	var dups map[int]bool
	for i, k := range v.keyed {
		if first[i] == rows[i] {
			continue
		}
		if dups == nil {
			dups = map[int]bool{}
		}
		dups[k.item.Row] = true
		v.good--
		v.reject(Row{N: k.item.Row, Cells: k.cells}, Errors{v.pl.Duplicate(k.item.Row, k.item.Val, int(first[i]))})
	}
	if dups != nil {
		v.pending = slices.DeleteFunc(v.pending, func(it Item[T]) bool { return dups[it.Row] })
		v.pendingRows = slices.DeleteFunc(v.pendingRows, func(r Row) bool { return dups[r.N] })
		slices.SortStableFunc(v.rep.Errors[v.errMark:], func(a, b FieldError) int { return a.Row - b.Row })
		slices.SortStableFunc(v.rejectsBuf, func(a, b rejectLine) int { return a.row - b.row })
	}
	if len(v.rep.Errors) > MaxReportErrors {
		v.rep.Errors = v.rep.Errors[:MaxReportErrors]
	}
	for _, l := range v.rejectsBuf {
		v.rejects.Write(l.line)
	}
	clear(v.keyed)
	v.keyed, v.rejectsBuf, v.windowFrom = v.keyed[:0], v.rejectsBuf[:0], 0
	return nil
}

// flush checks the window's keys, runs the plan's check on the pending
// rows, rejects those it refuses and returns the others (a new slice:
// pending starts again).
func (v *validation[T]) flush() ([]Item[T], error) {
	if err := v.checkKeys(); err != nil {
		return nil, err
	}
	items := v.pending
	v.pending = make([]Item[T], 0, cap(items))
	if v.pl.Check == nil || len(items) == 0 {
		return items, nil
	}
	rows := v.pendingRows
	v.pendingRows = v.pendingRows[:0]
	errs, err := v.pl.Check(v.ctx, items)
	if err != nil {
		return nil, err
	}
	if len(errs) == 0 {
		return items, nil
	}
	byRow := map[int]Errors{}
	for _, e := range errs {
		byRow[e.Row] = append(byRow[e.Row], e)
	}
	// The batch's rows that failed on their own were reported as they were
	// read; the check's failures go in among them, in file order.
	from := len(v.rep.Errors)
	for from > 0 && v.rep.Errors[from-1].Row >= items[0].Row {
		from--
	}
	out := items[:0]
	for i, r := range rows {
		if es := byRow[r.N]; len(es) > 0 {
			v.reject(r, es)
			v.good--
			continue
		}
		out = append(out, items[i])
	}
	slices.SortStableFunc(v.rep.Errors[from:], func(a, b FieldError) int { return a.Row - b.Row })
	return out, nil
}

// finish ends the reading: the last window's keys are checked, the key
// set dropped and the rejects file flushed; err is the reading's error,
// returned first.
func (v *validation[T]) finish(err error) error {
	if err == nil {
		err = v.checkKeys()
	}
	if v.keys != nil {
		err = errors.Join(err, v.keys.close())
		v.keys = nil
	}
	if v.rejects != nil {
		v.rejects.Flush()
		if werr := v.rejects.Error(); werr != nil && err == nil {
			err = fmt.Errorf("import: rejects file: %w", werr)
		}
	}
	return err
}

// verdict refuses a file without data rows, and a file with invalid rows
// unless they are skipped.
func (v *validation[T]) verdict() error {
	if v.rep.Rows == 0 {
		return fileError("文件中没有数据行")
	}
	if v.rep.Rejected > 0 && !v.opt.SkipInvalid {
		return Refuse(v.rep)
	}
	return nil
}

// withLetters returns errs with the spreadsheet letter of each failure's
// column in the file (col: canonical column name → index) where the
// failure names a column of the header and has no letter yet, so that
// every import's failures read "第 3 行 C 列（标准号）：…" (a column the
// file lacks keeps none). errs itself is not changed.
func withLetters(col map[string]int, errs Errors) Errors {
	var out Errors
	for i, e := range errs {
		if e.Col != "" || e.Column == "" || e.Sheet != "" {
			continue
		}
		j, ok := col[e.Column]
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(errs)
		}
		out[i].Col = ColumnLetter(j)
	}
	if out == nil {
		return errs
	}
	return out
}
