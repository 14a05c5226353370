package kit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// keysInMemory is how many keys an import keeps in a map before it moves
// them to a file (keySet): ~1.5 MB of heap at most, and a small file never
// touches the disk.
const keysInMemory = 1 << 16

// keysPerStatement is how many keys go into one statement of the key
// file (two bound values each, under SQLite's 32,766).
const keysPerStatement = 8000

// keySet is the duplicate check's memory of an import: the 64-bit hash of
// each key seen and the file row of its first occurrence. Up to
// keysInMemory keys it is a map; past that the keys move to a throwaway
// SQLite file in the temporary directory (a table keyed by the hash, with
// a page cache of keyCacheKB), so the heap does not grow with the file.
// The caller closes it.
type keySet struct {
	mem  map[uint64]int32
	dir  string
	db   *sql.DB
	conn *sql.Conn
}

// keyCacheKB bounds the key file's page cache (SQLite's memory, not Go's).
const keyCacheKB = 8192

func newKeySet() *keySet { return &keySet{mem: map[uint64]int32{}} }

// add records the keys hashes[i] first seen at rows[i], in order, and
// returns for each the row of its first occurrence: rows[i] itself when
// the key is new (a repeat inside the call is found too).
func (k *keySet) add(ctx context.Context, hashes []uint64, rows []int32) ([]int32, error) {
	first := make([]int32, len(hashes))
	if k.mem != nil {
		for i, h := range hashes {
			if p, ok := k.mem[h]; ok {
				first[i] = p
				continue
			}
			k.mem[h] = rows[i]
			first[i] = rows[i]
		}
		if len(k.mem) <= keysInMemory {
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

// spill moves the map's keys to a new key file.
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
	hashes := make([]uint64, 0, len(k.mem))
	rows := make([]int32, 0, len(k.mem))
	for h, r := range k.mem {
		hashes, rows = append(hashes, h), append(rows, r)
	}
	k.mem = nil
	return k.upsert(ctx, hashes, rows, nil)
}

// upsert writes the keys not yet in the file and, when first is set,
// tells there the first row of each key (the stored one for a repeat).
func (k *keySet) upsert(ctx context.Context, hashes []uint64, rows []int32, first map[uint64]int32) error {
	args := make([]any, 0, 2*min(len(hashes), keysPerStatement))
	var q strings.Builder
	for lo := 0; lo < len(hashes); lo += keysPerStatement {
		hi := min(lo+keysPerStatement, len(hashes))
		args, q = args[:0], strings.Builder{}
		q.WriteString(`INSERT INTO k(h, r) VALUES `)
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteByte(',')
			}
			q.WriteString("(?,?)")
			args = append(args, int64(hashes[i]), rows[i])
		}
		// A repeat leaves the first row and returns it.
		q.WriteString(` ON CONFLICT(h) DO UPDATE SET r = r RETURNING h, r`)
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
			if first != nil {
				first[uint64(h)] = r
			}
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
	k.mem = nil
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
