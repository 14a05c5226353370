package kit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// runLoad is RunImport's first load (pl.Load set): the file is hashed, then
// read once, each row parsed once, validated and — while no row has been
// refused, or with SkipInvalid — written a batch at a time inside the one
// transaction pl.Load holds. Memory stays that of the two-pass import: the
// key hashes, the failures and the batch being written. The audit entries
// name the file's SHA-256, known from the first read; a file that changed
// between the reads is refused and the transaction rolled back.
func runLoad[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T], v *validation[T]) (ImportReport, error) {
	rep := &v.rep
	sum, err := fileSHA256(src, pl.Spec.Limits)
	if err != nil {
		return *rep, err
	}
	rep.SHA256 = sum
	var done int
	err = pl.Load(ctx, func(write WriteFunc[T]) error {
		w := startWriter(ctx, write, ImportReport{Kind: rep.Kind, File: rep.File, SHA256: sum}, opt.Progress)
		put := func(batch []Item[T]) error {
			if len(batch) == 0 || rep.Rejected > 0 && !opt.SkipInvalid {
				return nil // refused: only the validation goes on
			}
			return w.put(batch)
		}
		err := func() error {
			f, err := src.Open()
			if err != nil {
				return fmt.Errorf("import %s: %w", src.Name, err)
			}
			defer f.Close()
			st, err := parseTable(ctx, src.Name, f, pl.Spec, parseWorkers(pl.Workers), pl.Parse, func(row Row, val T, errs Errors) error {
				if !v.row(row, val, errs) || len(v.pending) < opt.Batch {
					return ctx.Err()
				}
				batch, err := v.flush()
				if err != nil {
					return err
				}
				return put(batch)
			})
			if err == nil {
				var batch []Item[T]
				if batch, err = v.flush(); err == nil {
					err = put(batch)
				}
			}
			if err == nil && st.SHA256 != sum {
				err = fmt.Errorf("import: %s changed while it was imported", src.Name)
			}
			return err
		}()
		// The writer's error first: the reading stops at it.
		var res BatchResult
		var batches int
		if werr := w.close(&res, &batches, &done); werr != nil {
			err = werr
		}
		rep.Batches += batches
		rep.Created, rep.Updated, rep.Unchanged = rep.Created+res.Created, rep.Updated+res.Updated, rep.Unchanged+res.Unchanged
		if err = v.finish(err); err != nil {
			return err
		}
		return v.verdict()
	})
	if err != nil {
		// Rolled back: nothing of the file is stored.
		rep.Batches, rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0, 0
		return *rep, err
	}
	if opt.Progress != nil && done > 0 {
		opt.Progress(done, done)
	}
	return *rep, nil
}

// loadWriter writes a first load's batches in a goroutine of its own, in
// order, while the next batch is read, parsed and checked: one batch
// waits at most. write runs in that goroutine only.
type loadWriter[T any] struct {
	batches chan []Item[T]
	failed  chan struct{} // closed when a write failed
	done    chan struct{} // closed when the goroutine has ended
	err     error
	res     BatchResult
	n       int // batches written
	rows    int
}

func startWriter[T any](ctx context.Context, write WriteFunc[T], file ImportReport, progress func(done, total int)) *loadWriter[T] {
	w := &loadWriter[T]{batches: make(chan []Item[T], 1), failed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for batch := range w.batches {
			if w.err != nil {
				continue // drain
			}
			res, err := write(ctx, batch, file)
			if err != nil {
				w.err = fmt.Errorf("第 %d–%d 行（未导入任何记录）：%w", batch[0].Row, batch[len(batch)-1].Row, err)
				close(w.failed)
				continue
			}
			w.n++
			w.res.Created += res.Created
			w.res.Updated += res.Updated
			w.res.Unchanged += res.Unchanged
			w.rows += len(batch)
			if progress != nil {
				progress(w.rows, 0)
			}
		}
	}()
	return w
}

// put queues batch for writing; it fails once a write has failed.
func (w *loadWriter[T]) put(batch []Item[T]) error {
	select {
	case w.batches <- batch:
		return nil
	case <-w.failed:
		return errWriteFailed
	}
}

// errWriteFailed stops the reading after a failed write; close returns the
// write's own error.
var errWriteFailed = fmt.Errorf("import: write failed")

// close waits for the queued batches to be written and adds what they did
// to res, batches and rows; it returns the first write's error.
func (w *loadWriter[T]) close(res *BatchResult, batches, rows *int) error {
	close(w.batches)
	<-w.done
	*res, *batches, *rows = w.res, w.n, w.rows
	return w.err
}

// fileSHA256 reads src once for its SHA-256 (hex); a file over the
// limits' size is refused as ScanTable refuses it.
func fileSHA256(src Source, lim Limits) (string, error) {
	lim = lim.withDefaults()
	f, err := src.Open()
	if err != nil {
		return "", fmt.Errorf("import %s: %w", src.Name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyN(h, f, lim.MaxBytes+1)
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("import %s: %w", src.Name, err)
	}
	if n > lim.MaxBytes {
		return "", tooBig(lim.MaxBytes)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
