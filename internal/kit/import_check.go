package kit

import (
	"context"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"strconv"
)

// validation is the checking of an import's rows in file order, shared by
// the two-pass import and the one-pass load: the rows' own failures, the
// repeated keys (a 64-bit hash of each key), the plan's database check a
// batch at a time, the report and the rejects file.
type validation[T any] struct {
	ctx     context.Context
	pl      Plan[T]
	opt     ImportOptions
	rep     ImportReport
	rejects *csv.Writer
	bad     map[int]bool
	seen    map[uint64]int32
	good    int
	// keep: the valid rows wait in pending for the check or the write;
	// pendingRows keeps their cells for the rejects file when there is a
	// check.
	keep        bool
	pending     []Item[T]
	pendingRows []Row
}

func newValidation[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T]) *validation[T] {
	v := &validation[T]{ctx: ctx, pl: pl, opt: opt, rep: ImportReport{Kind: pl.Kind, File: src.Name},
		bad: map[int]bool{}, seen: map[uint64]int32{}, keep: pl.Check != nil || (pl.Load != nil && !opt.DryRun && !opt.TwoPass)}
	if opt.Rejects != nil {
		v.rejects = csv.NewWriter(opt.Rejects)
		v.rejects.Write([]string{"行号", "列", "原因", "原始内容…"})
	}
	return v
}

func (v *validation[T]) reject(row Row, errs Errors) {
	v.bad[row.N] = true
	v.rep.Rejected++
	for _, e := range errs {
		if len(v.rep.Errors) < MaxReportErrors {
			v.rep.Errors = append(v.rep.Errors, e)
		}
		if v.rejects != nil {
			v.rejects.Write(append([]string{strconv.Itoa(row.N), e.Column, e.Msg}, row.Cells...))
		}
	}
}

// row takes one parsed row: false when it is invalid (rejected), true when
// it is valid so far (kept in pending when the validation keeps rows).
func (v *validation[T]) row(row Row, val T, errs Errors) bool {
	v.rep.Rows++
	if len(errs) == 0 && v.pl.Key != nil {
		if k := v.pl.Key(val); k != "" {
			h := fnv.New64a()
			h.Write([]byte(k))
			sum := h.Sum64()
			if prev, dup := v.seen[sum]; dup {
				errs = append(errs, v.pl.Duplicate(row.N, val, int(prev)))
			} else {
				v.seen[sum] = int32(row.N)
			}
		}
	}
	if len(errs) > 0 {
		v.reject(row, errs)
		return false
	}
	v.good++
	if v.keep {
		v.pending = append(v.pending, Item[T]{row.N, val})
		if v.pl.Check != nil {
			v.pendingRows = append(v.pendingRows, Row{N: row.N, Cells: row.Cells})
		}
	}
	return true
}

// flush runs the plan's check on the pending rows, rejects those it
// refuses and returns the others (a new slice: pending starts again).
func (v *validation[T]) flush() ([]Item[T], error) {
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
	out := items[:0]
	for i, r := range rows {
		if es := byRow[r.N]; len(es) > 0 {
			v.reject(r, es)
			v.good--
			continue
		}
		out = append(out, items[i])
	}
	return out, nil
}

// finish ends the reading: the key hashes are dropped and the rejects file
// flushed; err is the reading's error, returned first.
func (v *validation[T]) finish(err error) error {
	v.seen = nil
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
