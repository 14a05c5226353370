package kit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// ImportBatch is what one written batch of an import tells the audit log.
type ImportBatch struct {
	Kind      string // the import kind ("trademarks")
	File      ImportReport
	FirstRow  int     // the file rows the batch covers
	LastRow   int     //
	Created   []int64 // ids, ascending
	Updated   []int64
	Unchanged int
	// After are the rows' after-states, in the order written; only their
	// SHA-256 (one JSON value a line) goes into the entry.
	After []any
	// Digest, when set, is the hash of the rows written instead of After
	// (the entry says so: "rows_digest": RowsDigestName).
	Digest *RowsDigest
}

// RowsDigestName names RowsDigest's encoding in an audit entry.
const RowsDigestName = "kit.RowsDigest/1"

// RowsDigest is a SHA-256 of what an import batch's rows wrote, a row at a
// time: its id, its row in the file (0 when the entry does not name it)
// and the values stored, each value as its length (a varint) and its
// bytes. It costs a fraction of a JSON line per row and proves the same:
// recomputed from the stored rows, it matches or it does not.
type RowsDigest struct {
	h   hash.Hash
	buf []byte
}

// NewRowsDigest starts a digest.
func NewRowsDigest() *RowsDigest { return &RowsDigest{h: sha256.New()} }

// Add hashes one row.
func (d *RowsDigest) Add(id int64, row int, vals ...string) {
	b := d.head(id, row, len(vals))
	for _, v := range vals {
		b = appendDigestValue(b, v)
	}
	d.h.Write(b)
	d.buf = b
}

// addValues hashes one row as Add does its values as text (valueText: the
// empty string for nil), without a slice of them.
func (d *RowsDigest) addValues(id int64, row int, vals []any) {
	b := d.head(id, row, len(vals))
	for _, v := range vals {
		b = appendDigestValue(b, valueText(v))
	}
	d.h.Write(b)
	d.buf = b
}

func (d *RowsDigest) head(id int64, row, n int) []byte {
	b := binary.AppendVarint(d.buf[:0], id)
	b = binary.AppendUvarint(b, uint64(row))
	return binary.AppendUvarint(b, uint64(n))
}

func appendDigestValue(b []byte, v string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// Sum is the digest in hex.
func (d *RowsDigest) Sum() string { return hex.EncodeToString(d.h.Sum(nil)) }

// AuditImportBatch appends the one audit entry of an import batch inside
// tx: the file and its SHA-256, the rows, the ids created (as ranges) and
// updated, and a hash of what the rows wrote, so the chain stays
// verifiable without one entry per row.
func AuditImportBatch(ctx context.Context, db *store.DB, tx *sql.Tx, by audit.Actor, b ImportBatch) error {
	after := map[string]any{"kind": b.Kind, "file": b.File.File, "file_sha256": b.File.SHA256,
		"rows": [2]int{b.FirstRow, b.LastRow}, "created": IDRanges(b.Created), "updated": b.Updated, "unchanged": b.Unchanged}
	if b.Digest != nil {
		after["rows_sha256"], after["rows_digest"] = b.Digest.Sum(), RowsDigestName
	} else {
		h := sha256.New()
		enc := json.NewEncoder(h)
		for _, a := range b.After {
			if err := enc.Encode(a); err != nil {
				return fmt.Errorf("import %s: digest: %w", b.Kind, err)
			}
		}
		after["rows_sha256"] = hex.EncodeToString(h.Sum(nil))
	}
	return audit.Append(ctx, db, tx, by, audit.Entry{Entity: "import", EntityID: b.Kind, Action: "import", After: after})
}

// IDRanges writes ascending ids as [first, last] ranges.
func IDRanges(ids []int64) [][2]int64 {
	var out [][2]int64
	for _, id := range ids {
		if n := len(out); n > 0 && out[n-1][1]+1 == id {
			out[n-1][1] = id
			continue
		}
		out = append(out, [2]int64{id, id})
	}
	return out
}
