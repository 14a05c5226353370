package kit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"sidi/internal/store"

	"sidi/internal/apperr"
)

// An importable kind is a register's table as the command line and the
// import pages see it: a name (`sidi import standards FILE`), the header
// row, and the functions that import and export it. Registers declare
// their kinds; the module list collects them. P is the caller's principal
// (auth.Principal: the kit does not import auth, which uses the kit).
type ImportKind[P any] struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Columns []Column `json:"columns"`
	// Roles may import the kind (auth role names: the kit does not import
	// auth). The web import page lists a kind only to callers holding one
	// of them, and the route and menu admit only holders of some kind's
	// role; Import checks again, row by row where the register is kept by
	// departments. Empty: nobody on the web (the command line only).
	Roles []string `json:"roles,omitempty"`
	// Reach, when set, checks before a file is read that the caller's
	// department scope reaches the register at all (the special-equipment
	// register is kept by the market regulator's departments only).
	Reach func(ctx context.Context, p P) error `json:"-"`
	// Description, when set, says what users must know of the kind's file
	// beyond its columns (how rows form records, what is refused), a
	// sentence a line; the import page and `sidi kinds` show it.
	Description []string `json:"description,omitempty"`
	// Records, when set, names what the records of a kind whose records
	// span rows (GroupPlan) are counted in ("项声明"); its reports count
	// them in ImportReport.Records.
	Records string `json:"records,omitempty"`
	// Page, when set, is the register's own page (its list), which the
	// import page links back to.
	Page string `json:"page,omitempty"`
	// WebRows, when set, is the most data rows a web upload of the kind
	// takes, below the page's own limit: a kind whose rows are written one
	// at a time (a request must end in time) or whose file is held whole.
	// The command line takes the kind's own limit.
	WebRows int `json:"web_rows,omitempty"`
	// Template, when set, is the kind's own template workbook (.xlsx: an
	// example row, instructions), offered instead of the header row alone.
	Template func() ([]byte, error) `json:"-"`
	// Import reads src and writes its rows; see RunImport for the rules
	// every kind follows.
	Import func(ctx context.Context, p P, src Source, opt ImportOptions) (ImportReport, error) `json:"-"`
	// Export writes the kind's records the caller may see, header first.
	Export func(ctx context.Context, p P, w TableWriter) error `json:"-"`
}

// Source is an import file that can be read more than once (a validation
// pass, then a writing pass): a file on disk or an upload held in memory.
type Source struct {
	Name string // file name; its extension decides the format
	Open func() (io.ReadCloser, error)
}

// FileSource reads the file at path.
func FileSource(path string) Source {
	return Source{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// BytesSource reads an upload held in memory.
func BytesSource(name string, data []byte) Source {
	return Source{Name: name, Open: func() (io.ReadCloser, error) { return memFile{bytes.NewReader(data)}, nil }}
}

// memFile is an upload as a ReadCloser that still tells its length.
type memFile struct{ *bytes.Reader }

func (memFile) Close() error { return nil }

// ImportOptions are the caller's choices of an import.
type ImportOptions struct {
	// SkipInvalid writes the valid rows and leaves the invalid ones out;
	// without it one invalid row refuses the whole file.
	SkipInvalid bool
	// Rejects, when set, receives a CSV of the invalid rows: the row number
	// of the file, the column, the reason, then the row's cells.
	Rejects io.Writer
	// Progress is told how many of total valid rows are written (total 0:
	// not known yet, in a one-pass load, until the last call).
	Progress func(done, total int)
	// Batch is the number of rows written per transaction (default 5000).
	Batch int
	// MaxRows, when set, lowers the kind's limit of data rows (a web
	// upload takes fewer than the command line).
	MaxRows int
	// TwoPass imports in two passes with a transaction per batch even
	// where the kind offers a one-pass first load (Plan.Load): the batches
	// are committed as they are written.
	TwoPass bool
	// DryRun only checks the file (its rows, against each other and the
	// database) and writes nothing: the report counts the rows read and
	// rejected, and an invalid row refuses the file as it would otherwise.
	DryRun bool
}

// ImportReport says what an import did.
type ImportReport struct {
	Kind      string `json:"kind"`
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	Rows      int    `json:"rows"` // data rows read
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Rejected  int    `json:"rejected"` // invalid rows left out (with SkipInvalid)
	Batches   int    `json:"batches"`
	// Skipped are rows passed over as not data (a template's example row).
	Skipped int `json:"skipped,omitempty"`
	// Records are the records the rows form, in a kind whose records span
	// rows (GroupPlan): created, updated and unchanged count them.
	Records int `json:"records,omitempty"`
	// Counts are what else the kind's import did ("新登记企业"), in order.
	Counts []Count `json:"counts,omitempty"`
	// Errors are the first failures of the invalid rows (at most
	// MaxReportErrors; Rejected counts the rows).
	Errors Errors `json:"errors,omitempty"`
}

// MaxReportErrors is how many failures an import keeps to report.
const MaxReportErrors = 1000

// Item is a row parsed and checked by an import, with its row number.
type Item[T any] struct {
	Row int
	Val T
}

// BatchResult counts what the writing of one batch did.
type BatchResult struct{ Created, Updated, Unchanged int }

// Count is a kind's own count of what an import did, labelled as users
// read it.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Count returns the count labelled label, 0 when there is none.
func (rep ImportReport) Count(label string) int {
	for _, c := range rep.Counts {
		if c.Label == label {
			return c.N
		}
	}
	return 0
}

// WriteFunc stores one batch of rows with its audit entry.
type WriteFunc[T any] func(ctx context.Context, batch []Item[T], file ImportReport) (BatchResult, error)

// Plan is a kind's part of an import; RunImport does the rest.
type Plan[T any] struct {
	Kind string
	Spec TableSpec
	// Parse checks one row without the database and returns its record
	// or the row's failures (row.Errs included).
	Parse func(row Row) (T, Errors)
	// Key names the record for duplicate detection inside the file ("" for
	// none); Duplicate words the failure of a row repeating row prev.
	Key       func(T) string
	Duplicate func(row int, v T, prev int) FieldError
	// Check, when set, checks a batch of parsed rows against the database
	// during the validation pass (nothing is written then).
	Check func(ctx context.Context, batch []Item[T]) (Errors, error)
	// Write stores one batch in one transaction, with its audit entry.
	Write WriteFunc[T]
	// Load, when set, makes the import a first load, read once: the kind
	// sets it when its table is empty. Load opens one transaction (and may
	// drop the table's secondary indexes in it: DeferIndexes), calls load
	// with the function that writes a batch inside it, and commits only
	// when load returns nil — after building the indexes again. load
	// validates and writes in the same pass; an invalid row (without
	// SkipInvalid) stops the writing, and load returns the refusal, so the
	// transaction is rolled back: nothing written, indexes as they were.
	// Write is not called then; DryRun ignores Load.
	Load func(ctx context.Context, load func(write WriteFunc[T]) error) error
	// Workers, when above 1, is how many goroutines parse the rows while
	// the file is read (at most the usable CPUs); Parse must then be safe
	// for concurrent use. Key, Duplicate, Check and Write always run one
	// at a time, in file order.
	Workers int
}

// RunImport imports src in two passes over the file. The first reads every
// row, parses and checks it (against the file's other rows and, a batch at
// a time, the database) and keeps only the failures, the rejected rows'
// numbers and, for duplicate detection, a 64-bit hash of each row's key
// (keySet: in the heap up to keysInMemory keys, 12 bytes a key in sorted runs; past them in a temporary file).
// When a row is invalid and SkipInvalid is not set
// nothing is written and the error lists the failures. The second pass
// reads the file again and writes its valid rows opt.Batch at a time, each
// batch in one transaction; a file that changed between the passes is
// refused.
//
// A plan with Load (a first load into an empty table) is read once
// instead: see runLoad.
func RunImport[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T]) (ImportReport, error) {
	return runImport(ctx, src, opt, pl, keysInMemory)
}

// runImport is RunImport with the key set's map limited to keyLimit keys
// (the tests' smaller limit reaches the key file with fewer rows).
func runImport[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T], keyLimit int) (ImportReport, error) {
	if opt.Batch <= 0 {
		opt.Batch = 5000
	}
	if opt.MaxRows > 0 && (pl.Spec.Limits.MaxRows == 0 || opt.MaxRows < pl.Spec.Limits.MaxRows) {
		pl.Spec.Limits.MaxRows = opt.MaxRows
	}
	ctx = store.WithStatements(ctx) // each batch's INSERT texts parsed once a transaction
	v := newValidation(ctx, src, opt, pl, keyLimit)
	if pl.Load != nil && !opt.DryRun && !opt.TwoPass {
		return runLoad(ctx, src, opt, pl, v)
	}
	rep := &v.rep
	open := func() (io.ReadCloser, error) {
		f, err := src.Open()
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", src.Name, err)
		}
		return f, nil
	}
	f, err := open()
	if err != nil {
		return *rep, err
	}
	workers := parseWorkers(pl.Workers)
	st, err := parseTable(ctx, src.Name, f, pl.Spec, workers, pl.Parse, func(row Row, val T, errs Errors) error {
		ok, err := v.row(row, val, errs)
		if err != nil || !ok || pl.Check == nil {
			return errors.Join(err, ctx.Err())
		}
		if len(v.pending) >= opt.Batch {
			_, err := v.flush()
			return err
		}
		return nil
	})
	f.Close()
	if err == nil {
		_, err = v.flush()
	}
	rep.SHA256 = st.SHA256
	if err = v.finish(err); err != nil {
		return *rep, err
	}
	if err = v.verdict(); err != nil || v.good == 0 || opt.DryRun {
		return *rep, err
	}
	bad, good := v.bad, v.good

	// The writing pass: the file is read and parsed in a goroutine, a
	// batch ahead of the one being written.
	f, err = open()
	if err != nil {
		return *rep, err
	}
	defer f.Close()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Item[T], 1)
	readErr := make(chan error, 1)
	var st2 TableStats
	go func() {
		defer close(batches)
		var batch []Item[T]
		send := func() error {
			select {
			case batches <- batch:
				batch = nil
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		}
		parse := func(row Row) (T, Errors) {
			if bad[row.N] { // read only in this pass
				var zero T
				return zero, nil
			}
			return pl.Parse(row)
		}
		s, err := parseTable(rctx, src.Name, f, pl.Spec, workers, parse, func(row Row, v T, errs Errors) error {
			if bad[row.N] {
				return nil
			}
			if len(errs) > 0 {
				return fmt.Errorf("import: row %d changed between the passes: %w", row.N, errs)
			}
			batch = append(batch, Item[T]{row.N, v})
			if len(batch) >= opt.Batch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		st2 = s
		readErr <- err
	}()
	done := 0
	var werr error
	for batch := range batches {
		if werr != nil {
			continue // drain until the reader sees the cancel
		}
		res, err := pl.Write(ctx, batch, *rep)
		if err != nil {
			werr = fmt.Errorf("第 %d–%d 行（之前的 %d 批已写入）：%w", batch[0].Row, batch[len(batch)-1].Row, rep.Batches, err)
			cancel()
			continue
		}
		done += rep.add(res, len(batch))
		if opt.Progress != nil {
			opt.Progress(done, good)
		}
	}
	rerr := <-readErr
	if werr != nil {
		return *rep, werr
	}
	if rerr != nil {
		return *rep, rerr
	}
	if st2.SHA256 != st.SHA256 {
		return *rep, fmt.Errorf("import: %s changed while it was imported", src.Name)
	}
	return *rep, nil
}

// add counts one written batch of n rows; it returns n.
func (rep *ImportReport) add(res BatchResult, n int) int {
	rep.Batches++
	rep.Created += res.Created
	rep.Updated += res.Updated
	rep.Unchanged += res.Unchanged
	return n
}

// Refuse is the error of a file with invalid rows (rep.Errors, counted in
// rep.Rejected): nothing was written. Its message names the first
// failures, one a line.
func Refuse(rep ImportReport) error {
	shown := rep.Errors[:min(len(rep.Errors), maxMessage)]
	lines := make([]string, len(shown))
	for i, e := range shown {
		lines[i] = e.String()
	}
	msg := fmt.Sprintf("导入文件有 %d 行错误，未导入任何记录：\n%s", rep.Rejected, strings.Join(lines, "\n"))
	if len(rep.Errors) > len(shown) {
		msg += fmt.Sprintf("\n……共 %d 处错误", len(rep.Errors))
	}
	return &ImportRefused{Report: rep, err: &apperr.Error{Kind: apperr.ErrInvalid, Msg: msg, Err: rep.Errors}}
}

// ImportRefused is the error of an import refused for invalid rows (an
// invalid-input error); its report lists them.
type ImportRefused struct {
	Report ImportReport
	err    error
}

func (e *ImportRefused) Error() string { return e.err.Error() }

// ErrorDetails lists the failures for API clients.
func (e *ImportRefused) ErrorDetails() any { return []FieldError(e.Report.Errors) }

// Unwrap makes the refusal an invalid-input error with the message.
func (e *ImportRefused) Unwrap() error { return e.err }
