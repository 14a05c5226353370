package kit

import (
	"context"
	"io"
	"runtime"
	"sync"
)

// AllCPUs as a Plan's Workers parses on every usable CPU.
const AllCPUs = 1 << 16

// parseChunk is how many rows a parsing goroutine takes at a time.
const parseChunk = 256

// parseAhead is how many chunks the reading and parsing may run ahead of
// the rows' consumer: more than a batch of the default size (5,000 rows),
// so that the parsers go on while the consumer writes a batch instead of
// stopping a few chunks in (memory: parseAhead × parseChunk rows).
const parseAhead = 32

// chunk is a run of rows and, once done is closed, their parses.
type chunk[T any] struct {
	rows []Row
	vals []T
	errs []Errors
	done chan struct{}
}

// parseWorkers is how many goroutines parse an import's rows: the plan's
// Workers, at most the usable CPUs.
func parseWorkers(n int) int {
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// parseTable reads a table against spec and calls fn with every row and
// its parse, in file order. With workers > 1 the rows are parsed by that
// many goroutines a chunk at a time while the file is read (parse must be
// safe for concurrent use); fn always runs in the caller's goroutine. An
// error from fn, from the reader or from ctx stops the read; every
// goroutine has ended when parseTable returns.
func parseTable[T any](ctx context.Context, name string, r io.Reader, spec TableSpec, workers int, parse func(Row) (T, Errors), fn func(Row, T, Errors) error) (TableStats, error) {
	if workers <= 1 {
		return ReadTable(name, r, spec, func(row Row) error {
			v, errs := parse(row)
			return fn(row, v, errs)
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *chunk[T], workers)
	order := make(chan *chunk[T], max(2*workers, parseAhead))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				c.vals = make([]T, len(c.rows))
				c.errs = make([]Errors, len(c.rows))
				for i, row := range c.rows {
					c.vals[i], c.errs[i] = parse(row)
				}
				close(c.done)
			}
		}()
	}
	var st TableStats
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		var cur *chunk[T]
		send := func() error {
			c := cur
			cur = nil
			select {
			case order <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- c:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s, err := ReadTable(name, r, spec, func(row Row) error {
			if cur == nil {
				cur = &chunk[T]{rows: make([]Row, 0, parseChunk), done: make(chan struct{})}
			}
			cur.rows = append(cur.rows, row)
			if len(cur.rows) == parseChunk {
				return send()
			}
			return nil
		})
		if err == nil && cur != nil {
			err = send()
		}
		st = s
		readErr <- err
	}()
	var ferr error
	for c := range order {
		if ferr != nil {
			continue // drain: the reader stops at the cancel
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			ferr = ctx.Err()
			cancel()
			continue
		}
		for i, row := range c.rows {
			if err := fn(row, c.vals[i], c.errs[i]); err != nil {
				ferr = err
				cancel()
				break
			}
		}
	}
	rerr := <-readErr
	wg.Wait()
	if ferr != nil {
		return st, ferr
	}
	return st, rerr
}
