package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// InsertRows runs head followed by n rows of len(casts) placeholders each
// (casts[j] follows the j-th placeholder, "" for none), rowsPerStmt rows a
// statement; row(i) gives the values of row i. The statements are not
// prepared through tx, unless ctx carries WithStatements' cache (SQLite
// only), which prepares each text once: database/sql keeps every statement
// a transaction prepared, and its text, until the transaction ends, so in
// a first load's one transaction they grew with the file (52 MB of text at
// 1M standards).
// SQLite gets anonymous "?" placeholders: it looks numbered ones up by
// name, which grows with the square of their number. what names the
// caller in errors; tail, when given, follows the rows (an ON CONFLICT
// clause).
func InsertRows(ctx context.Context, d Dialect, tx *sql.Tx, what, head string, casts []string, n int, row func(i int) []any, tail ...string) error {
	const rowsPerStmt = 100
	stmts := map[int]string{}
	for start := 0; start < n; start += rowsPerStmt {
		end := min(start+rowsPerStmt, n)
		st := stmts[end-start]
		if st == "" {
			var q strings.Builder
			q.WriteString(head)
			k := 0
			for i := start; i < end; i++ {
				if i > start {
					q.WriteByte(',')
				}
				q.WriteByte('(')
				for j, c := range casts {
					if j > 0 {
						q.WriteByte(',')
					}
					k++
					if d == Postgres {
						q.WriteString("$" + strconv.Itoa(k))
					} else {
						q.WriteByte('?')
					}
					q.WriteString(c)
				}
				q.WriteByte(')')
			}
			for _, t := range tail {
				q.WriteString(t)
			}
			st = q.String()
			stmts[end-start] = st
		}
		args := make([]any, 0, (end-start)*len(casts))
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		var err error
		if d == SQLite {
			err = execBulk(ctx, tx, st, args)
		} else {
			_, err = tx.ExecContext(ctx, st, args...) // pgx keeps its own statement cache
		}
		if err != nil {
			return fmt.Errorf("%s: bulk insert: %w", what, err)
		}
	}
	return nil
}

// Placeholders is "(p1,…,pn)" for an IN list of n values whose first is
// argument number first: "$first"… on PostgreSQL, anonymous "?" on SQLite
// (see InsertRows).
func Placeholders(d Dialect, first, n int) string {
	var b strings.Builder
	b.Grow(2 + 6*n)
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if d == Postgres {
			b.WriteString("$" + strconv.Itoa(first+i))
		} else {
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

// Args are ids as query arguments (for an IN list of Placeholders).
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// InChunk bounds the values of one IN list that EachIn reads.
const InChunk = 500

// EachIn runs query, which ends in "IN ", over keys InChunk at a time
// (each chunk's Placeholders, then tail), calling fn for every row: a
// lookup of many keys in a few statements instead of one each.
func EachIn[T any](ctx context.Context, q Querier, d Dialect, query, tail string, keys []T, fn func(*sql.Rows) error) error {
	for lo := 0; lo < len(keys); lo += InChunk {
		part := keys[lo:min(lo+InChunk, len(keys))]
		if err := EachRow(ctx, q, query+Placeholders(d, 1, len(part))+tail, Args(part), fn); err != nil {
			return err
		}
	}
	return nil
}

// InsertShared is InsertRows for SQLite with values shared by every row:
// head is followed by n rows of len(cols) placeholders each, perStmt rows
// a statement (executed, or prepared once through ctx's WithStatements
// cache: see InsertRows); cols[j] < 0 marks a value of the
// row, cols[j] = k ≥ 0 the shared value shared[k], bound once per
// statement (its first place takes an anonymous "?", its others "?N" of
// that number: SQLite numbers an anonymous placeholder one past the largest
// so far, and looks up only the few numbered ones). row(i, args) appends
// the values of row i to args and returns it, so that no row allocates.
func InsertShared(ctx context.Context, tx *sql.Tx, what, head string, cols []int, shared []any, perStmt, n int, row func(i int, args []any) []any) error {
	perRow := 0
	for _, c := range cols {
		if c < 0 {
			perRow++
		}
	}
	var st string
	size := 0
	var args []any
	for start := 0; start < n; start += perStmt {
		end := min(start+perStmt, n)
		if end-start != size {
			var q strings.Builder
			q.WriteString(head)
			num := make([]int, len(shared)) // the number of shared[k], once placed
			k := 0
			for i := start; i < end; i++ {
				if i > start {
					q.WriteByte(',')
				}
				q.WriteByte('(')
				for j, c := range cols {
					if j > 0 {
						q.WriteByte(',')
					}
					if c >= 0 && num[c] > 0 {
						q.WriteString("?" + strconv.Itoa(num[c]))
						continue
					}
					k++
					if c >= 0 {
						num[c] = k
					}
					q.WriteByte('?')
				}
				q.WriteByte(')')
			}
			st, size = q.String(), end-start
		}
		args = args[:0]
		placed := make([]bool, len(shared))
		for i := start; i < end; i++ {
			// The row's values, the shared ones placed where they first appear.
			from := len(args)
			args = row(i, args)
			if len(args)-from != perRow {
				return fmt.Errorf("%s: bulk insert: row %d has %d values, want %d", what, i, len(args)-from, perRow)
			}
			if i > start {
				continue
			}
			vals := append([]any(nil), args[from:]...)
			args = args[:from]
			v := 0
			for _, c := range cols {
				switch {
				case c < 0:
					args = append(args, vals[v])
					v++
				case !placed[c]:
					args = append(args, shared[c])
					placed[c] = true
				}
			}
		}
		if err := execBulk(ctx, tx, st, args); err != nil {
			return fmt.Errorf("%s: bulk insert: %w", what, err)
		}
	}
	return nil
}
