package kit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// runLoad is RunImport's first load (pl.Load set): the file is hashed, then
// read once, each row parsed once, validated and — while no row has been
// refused, or with SkipInvalid — written a batch at a time inside the one
// transaction pl.Load holds. Memory does not grow with the file: the
// batch being written, the rows parsed ahead, the first failures and the
// key set (keySet: past keysInMemory keys, a temporary file). The audit
// entries name the file's SHA-256, known from the first read; a file that
// changed between the reads is refused and the transaction rolled back.
func runLoad[T any](ctx context.Context, src Source, opt ImportOptions, pl Plan[T], v *validation[T]) (ImportReport, error) {
	rep := &v.rep
	sum, err := fileSHA256(src, pl.Spec.Limits)
	if err != nil {
		return *rep, err
	}
	rep.SHA256 = sum
	done := 0
	err = pl.Load(ctx, func(write WriteFunc[T]) error {
		put := func(batch []Item[T]) error {
			if len(batch) == 0 || rep.Rejected > 0 && !opt.SkipInvalid {
				return nil // refused: only the validation goes on
			}
			res, err := write(ctx, batch, *rep)
			if err != nil {
				return fmt.Errorf("第 %d–%d 行（未导入任何记录）：%w", batch[0].Row, batch[len(batch)-1].Row, err)
			}
			done += rep.add(res, len(batch))
			if opt.Progress != nil {
				opt.Progress(done, 0)
			}
			return nil
		}
		f, err := src.Open()
		if err != nil {
			return fmt.Errorf("import %s: %w", src.Name, err)
		}
		defer f.Close()
		st, err := parseTable(ctx, src.Name, f, pl.Spec, parseWorkers(pl.Workers), pl.Parse, func(row Row, val T, errs Errors) error {
			ok, err := v.row(row, val, errs)
			if err != nil || !ok || len(v.pending) < opt.Batch {
				return errors.Join(err, ctx.Err())
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
		if err = v.finish(err); err != nil {
			return err
		}
		if st.SHA256 != sum {
			return fmt.Errorf("import: %s changed while it was imported", src.Name)
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
