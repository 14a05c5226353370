package kit

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// keysInMemory is how many keys an import keeps in the heap before it
// moves them to a file (keySet): the newest in a map (a sixteenth of them
// at most), the others in sorted runs of 12 bytes a key — ~55 MB of heap
// at most, so a file of up to 4,194,304 rows never touches the disk (the
// key file costs ~6 µs of CPU a key: BenchmarkKeySet).
const keysInMemory = 1 << 22

// keysPerStatement is how many keys go into one statement of the key
// file (two bound values each, under SQLite's 32,766).
const keysPerStatement = 8000

// keySet is the duplicate check's memory of an import: the 64-bit hash of
// each key seen and the file row of its first occurrence. Up to limit keys
// it is in the heap: a map of the newest keys which, past a sixteenth of
// the limit, becomes a sorted run (hashes and rows in two slices, found by
// binary search; runs of like size are merged, so there are few); past
// the limit the keys move to a throwaway SQLite file in the temporary
// directory (a table keyed by the hash, with a page cache of keyCacheKB,
// SQLite's memory), so the heap stays bounded whatever the file's size.
// The caller closes it.
type keySet struct {
	limit int // keys in the heap at most
	mem   map[uint64]int32
	runs  []keyRun // largest first
	dir   string
	db    *sql.DB
	conn  *sql.Conn
}

// keyRun is a set of keys sorted by hash, with the row of each.
type keyRun struct {
	h []uint64
	r []int32
}

// keyCacheKB bounds the key file's page cache (SQLite's memory, not Go's).
const keyCacheKB = 32768

// newKeySet keeps up to limit keys in the heap (keysInMemory).
func newKeySet(limit int) *keySet {
	return &keySet{limit: limit, mem: map[uint64]int32{}}
}

// add records the keys hashes[i] first seen at rows[i], in order, and
// returns for each the row of its first occurrence: rows[i] itself when
// the key is new (a repeat inside the call is found too).
func (k *keySet) add(ctx context.Context, hashes []uint64, rows []int32) ([]int32, error) {
	first := make([]int32, len(hashes))
	if k.mem != nil {
		for i, h := range hashes {
			if p, ok := k.find(h); ok {
				first[i] = p
				continue
			}
			k.mem[h] = rows[i]
			first[i] = rows[i]
		}
		if len(k.mem) > max(k.limit/16, 1) {
			k.runs = append(k.runs, k.mapRun())
			k.mem = map[uint64]int32{}
			// Merge while the newest run is as large as the one before it:
			// each key is merged about log2(runs) times, and a lookup
			// searches few runs.
			for n := len(k.runs); n > 1 && len(k.runs[n-2].h) <= len(k.runs[n-1].h); n = len(k.runs) {
				k.runs = append(k.runs[:n-2], mergeRuns(k.runs[n-2], k.runs[n-1]))
			}
		}
		inHeap := len(k.mem)
		for _, run := range k.runs {
			inHeap += len(run.h)
		}
		if inHeap <= k.limit {
			return first, nil
		}
		if err := k.spill(ctx); err != nil {
			return nil, err
		}
		return first, nil
	}
	byHash := make(map[uint64]int32, len(hashes))
	if err := k.upsert(ctx, hashes, rows, byHash); err != nil {
		return nil, err
	}
	for i, h := range hashes {
		first[i] = byHash[h]
	}
	return first, nil
}

// find is the row of h's first occurrence, from the heap.
func (k *keySet) find(h uint64) (int32, bool) {
	if p, ok := k.mem[h]; ok {
		return p, true
	}
	for _, run := range k.runs {
		if i, ok := slices.BinarySearch(run.h, h); ok {
			return run.r[i], true
		}
	}
	return 0, false
}

// mapRun is the map's keys as a run.
func (k *keySet) mapRun() keyRun {
	run := keyRun{h: slices.Sorted(maps.Keys(k.mem))}
	run.r = make([]int32, len(run.h))
	for i, h := range run.h {
		run.r[i] = k.mem[h]
	}
	return run
}

// mergeRuns is one run of the keys of a and b (which share none).
func mergeRuns(a, b keyRun) keyRun {
	out := keyRun{h: make([]uint64, 0, len(a.h)+len(b.h)), r: make([]int32, 0, len(a.h)+len(b.h))}
	i, j := 0, 0
	for i < len(a.h) || j < len(b.h) {
		if j == len(b.h) || i < len(a.h) && a.h[i] < b.h[j] {
			out.h, out.r = append(out.h, a.h[i]), append(out.r, a.r[i])
			i++
		} else {
			out.h, out.r = append(out.h, b.h[j]), append(out.r, b.r[j])
			j++
		}
	}
	return out
}

// spill moves the heap's keys to a new key file.
func (k *keySet) spill(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "sidi-import-keys-")
	if err != nil {
		return fmt.Errorf("import: key file: %w", err)
	}
	k.dir = dir
	k.db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "keys.db")+
		fmt.Sprintf("?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-%d)&_pragma=temp_store(FILE)", keyCacheKB))
	if err == nil {
		k.conn, err = k.db.Conn(ctx)
	}
	if err == nil {
		_, err = k.conn.ExecContext(ctx, `CREATE TABLE k(h INTEGER PRIMARY KEY, r INTEGER NOT NULL)`)
	}
	if err != nil {
		return fmt.Errorf("import: key file: %w", err)
	}
	// In the order of the hashes: each statement appends to the table.
	all := k.mapRun()
	for _, run := range k.runs {
		all = mergeRuns(all, run)
	}
	k.mem, k.runs = nil, nil
	return k.upsert(ctx, all.h, all.r, nil)
}

// upsert writes the keys not yet in the file (a repeat leaves the first
// row) and, when first is set, tells there the first row of each key of a
// statement that left some out: they are looked up after it (rarely: a
// repeat in the file).
func (k *keySet) upsert(ctx context.Context, hashes []uint64, rows []int32, first map[uint64]int32) error {
	args := make([]any, 0, 2*min(len(hashes), keysPerStatement))
	for lo := 0; lo < len(hashes); lo += keysPerStatement {
		hi := min(lo+keysPerStatement, len(hashes))
		var q strings.Builder
		q.WriteString(`INSERT OR IGNORE INTO k(h, r) VALUES `)
		args = args[:0]
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteByte(',')
			}
			q.WriteString("(?,?)")
			args = append(args, int64(hashes[i]), rows[i])
		}
		res, err := k.conn.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("import: key file: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("import: key file: %w", err)
		}
		if first == nil || int(n) == hi-lo {
			for i := lo; i < hi; i++ {
				if first != nil {
					first[hashes[i]] = rows[i]
				}
			}
			continue
		}
		q.Reset()
		q.WriteString(`SELECT h, r FROM k WHERE h IN (`)
		args = args[:0]
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteByte(',')
			}
			q.WriteByte('?')
			args = append(args, int64(hashes[i]))
		}
		q.WriteByte(')')
		rs, err := k.conn.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("import: key file: %w", err)
		}
		for rs.Next() {
			var h int64
			var r int32
			if err := rs.Scan(&h, &r); err != nil {
				rs.Close()
				return fmt.Errorf("import: key file: %w", err)
			}
			first[uint64(h)] = r
		}
		if err := rs.Close(); err != nil {
			return fmt.Errorf("import: key file: %w", err)
		}
		if err := rs.Err(); err != nil {
			return fmt.Errorf("import: key file: %w", err)
		}
	}
	return nil
}

// close removes the key file, if there is one.
func (k *keySet) close() error {
	k.mem, k.runs = nil, nil
	if k.db == nil {
		return nil
	}
	if k.conn != nil {
		k.conn.Close()
	}
	err := k.db.Close()
	if rerr := os.RemoveAll(k.dir); err == nil {
		err = rerr
	}
	k.db, k.conn = nil, nil
	if err != nil {
		return fmt.Errorf("import: key file: %w", err)
	}
	return nil
}
