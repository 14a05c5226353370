package kit

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Grouped imports: a kind whose records span rows, such as a
// self-declaration, one product a row, whose rows with the same credit
// code and standard are one declaration wherever they stand in the file.
// Such a file is read once and its records held in memory (the kind's
// Spec.Limits.MaxRows bounds them); a record is all or nothing: a failure
// of any of its rows rejects all its rows. Without SkipInvalid one
// rejected row refuses the file; with it the valid records are written.
// The records are written in one transaction (Write), after the rows were
// checked against each other (Add) and against the database (Check).

// Group is one record of a grouped import: its rows in file order and the
// value they form.
type Group[G any] struct {
	Rows []int
	Val  *G
}

// GroupPlan is a grouped kind's part of an import; RunGroupImport does the
// rest.
type GroupPlan[T, G any] struct {
	Kind string
	Spec TableSpec
	// Skip, when set, passes over a row that is not data (a template's
	// example row): counted in ImportReport.Skipped, not in Rows.
	Skip func(Row) bool
	// Parse checks one row without the database (row.Errs included).
	Parse func(Row) (T, Errors)
	// Key is the key of the record a row belongs to; "" when the row's
	// failures leave it unknown (the row is then rejected on its own).
	Key func(T) string
	// Add folds a valid row into its record (g nil for the record's first
	// valid row) and returns the record. Its failures (the row against
	// the record's other rows, or against earlier rows) reject the row,
	// and with it the record. Add is called in file order.
	Add func(g *G, it Item[T]) (*G, Errors)
	// Check, when set, checks the valid records against the database
	// (nothing is written); a failure names a row of the record it
	// rejects.
	Check func(ctx context.Context, groups []*Group[G]) (Errors, error)
	// Write stores the records in one transaction, with its audit entry.
	// Errors it returns (the database changed since Check) refuse the
	// file as Check's would; nothing is written then.
	// It returns its own counts as well ("新登记企业").
	Write func(ctx context.Context, groups []*Group[G], file ImportReport) (BatchResult, []Count, error)
	// Preview, when set, counts what Write would do (created, updated,
	// unchanged), writing nothing: a dry run's report.
	Preview func(ctx context.Context, groups []*Group[G]) (BatchResult, error)
	// Mate words the failure of a valid row rejected because row bad of
	// its record failed (with SkipInvalid, so the rejects say why).
	Mate func(bad int) string
}

// RunGroupImport imports src as records spanning rows: see GroupPlan.
func RunGroupImport[T, G any](ctx context.Context, src Source, opt ImportOptions, pl GroupPlan[T, G]) (ImportReport, error) {
	rep := ImportReport{Kind: pl.Kind, File: src.Name}
	if opt.MaxRows > 0 && (pl.Spec.Limits.MaxRows == 0 || opt.MaxRows < pl.Spec.Limits.MaxRows) {
		pl.Spec.Limits.MaxRows = opt.MaxRows
	}
	f, err := src.Open()
	if err != nil {
		return rep, fmt.Errorf("import %s: %w", src.Name, err)
	}
	var bad []failedRow         // the rows with their own failures
	badKeys := map[string]int{} // a failed record's key → its first failing row
	groups := map[string]*Group[G]{}
	var order []string // the records' keys in the order of their first rows
	cells := map[int][]string{}
	var col map[string]int // the file's header, from its first data row
	fail := func(row Row, key string, errs Errors) {
		bad = append(bad, failedRow{row, withLetters(col, errs)})
		if key == "" {
			return
		}
		if first, ok := badKeys[key]; !ok || row.N < first {
			badKeys[key] = row.N
		}
	}
	st, err := ReadTable(src.Name, f, pl.Spec, func(row Row) error {
		if col == nil {
			col = row.col
		}
		if pl.Skip != nil && pl.Skip(row) {
			rep.Skipped++
			return nil
		}
		rep.Rows++
		val, errs := pl.Parse(row)
		key := pl.Key(val)
		if len(errs) > 0 {
			fail(row, key, errs)
			return ctx.Err()
		}
		if key == "" {
			return fmt.Errorf("import %s: row %d: valid but without a record key", pl.Kind, row.N)
		}
		g := groups[key]
		var prev *G
		if g != nil {
			prev = g.Val
		}
		next, errs := pl.Add(prev, Item[T]{row.N, val})
		if len(errs) > 0 {
			fail(row, key, errs)
			return ctx.Err()
		}
		if g == nil {
			g = &Group[G]{}
			groups[key] = g
			order = append(order, key)
		}
		g.Rows, g.Val = append(g.Rows, row.N), next
		cells[row.N] = row.Cells
		return ctx.Err()
	})
	f.Close()
	rep.SHA256 = st.SHA256
	if err != nil {
		return rep, err
	}
	if rep.Rows == 0 {
		return rep, fileError("文件中没有数据行")
	}
	var valid []*Group[G]
	byRow := map[int]string{}
	for _, k := range order {
		if _, failed := badKeys[k]; failed {
			continue
		}
		valid = append(valid, groups[k])
		for _, n := range groups[k].Rows {
			byRow[n] = k
		}
	}
	if pl.Check != nil && len(valid) > 0 {
		errs, err := pl.Check(ctx, valid)
		if err != nil {
			return rep, err
		}
		for _, e := range errs {
			k, ok := byRow[e.Row]
			if !ok {
				return rep, fmt.Errorf("import %s: check failed row %d, not a row of a valid record", pl.Kind, e.Row)
			}
			fail(Row{N: e.Row, Cells: cells[e.Row]}, k, Errors{e})
		}
		valid = slices.DeleteFunc(valid, func(g *Group[G]) bool { _, failed := badKeys[byRow[g.Rows[0]]]; return failed })
	}
	// The rows of failed records that did not fail themselves.
	if opt.SkipInvalid {
		own := map[int]bool{}
		for _, b := range bad {
			own[b.row.N] = true
		}
		for _, k := range order {
			first, failed := badKeys[k]
			if !failed {
				continue
			}
			for _, n := range groups[k].Rows {
				if !own[n] {
					msg := fmt.Sprintf("与第 %d 行属于同一记录，该记录有错误，整条未导入", first)
					if pl.Mate != nil {
						msg = pl.Mate(first)
					}
					bad = append(bad, failedRow{Row{N: n, Cells: cells[n]}, Errors{{Row: n, Msg: msg}}})
				}
			}
		}
	}
	report(&rep, bad)
	rep.Records = len(valid)
	if rep.Rejected > 0 && !opt.SkipInvalid {
		rep.Records = 0
		return rep, errors.Join(writeRejects(opt.Rejects, bad), Refuse(rep))
	}
	if opt.DryRun && pl.Preview != nil && len(valid) > 0 {
		res, err := pl.Preview(ctx, valid)
		if err != nil {
			return rep, err
		}
		rep.Created, rep.Updated, rep.Unchanged = res.Created, res.Updated, res.Unchanged
	}
	if opt.DryRun || len(valid) == 0 {
		return rep, writeRejects(opt.Rejects, bad)
	}
	res, counts, err := pl.Write(ctx, valid, rep)
	var es Errors
	if errors.As(err, &es) {
		// The database changed since the check: the write refused it all.
		bad = bad[:0]
		for _, e := range es {
			bad = append(bad, failedRow{Row{N: e.Row, Cells: cells[e.Row]}, withLetters(col, Errors{e})})
		}
		report(&rep, bad)
		rep.Records = 0
		return rep, errors.Join(writeRejects(opt.Rejects, bad), Refuse(rep))
	}
	if err != nil {
		return rep, err
	}
	rows := 0
	for _, g := range valid {
		rows += len(g.Rows)
	}
	rep.add(res, rows)
	rep.Counts = counts
	if opt.Progress != nil {
		opt.Progress(rows, rows)
	}
	return rep, writeRejects(opt.Rejects, bad)
}

// failedRow is a rejected row of a grouped import with its failures.
type failedRow struct {
	row  Row
	errs Errors
}

// report puts the failed rows into the report in file order: the first
// MaxReportErrors failures and the number of rows.
func report(rep *ImportReport, bad []failedRow) {
	slices.SortStableFunc(bad, func(a, b failedRow) int { return a.row.N - b.row.N })
	rep.Errors, rep.Rejected = nil, 0
	last := 0
	for _, b := range bad {
		if b.row.N != last {
			rep.Rejected++
			last = b.row.N
		}
		for _, e := range b.errs {
			if len(rep.Errors) < MaxReportErrors {
				rep.Errors = append(rep.Errors, e)
			}
		}
	}
}

// writeRejects writes the rejects file of the failed rows (sorted by
// report): the row, the column, the reason, the row's cells.
func writeRejects(w io.Writer, bad []failedRow) error {
	if w == nil {
		return nil
	}
	rw := csv.NewWriter(w)
	rw.Write([]string{"行号", "列", "原因", "原始内容…"})
	for _, b := range bad {
		for _, e := range b.errs {
			rw.Write(append([]string{strconv.Itoa(b.row.N), e.ColumnLabel(), e.Msg}, b.row.Cells...))
		}
	}
	rw.Flush()
	if err := rw.Error(); err != nil {
		return fmt.Errorf("import: rejects file: %w", err)
	}
	return nil
}
