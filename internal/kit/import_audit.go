package kit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"

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
}

// AuditImportBatch appends the one audit entry of an import batch inside
// tx: the file and its SHA-256, the rows, the ids created (as ranges) and
// updated, and a hash of what the rows wrote, so the chain stays
// verifiable without one entry per row.
func AuditImportBatch(ctx context.Context, db *store.DB, tx *sql.Tx, by audit.Actor, b ImportBatch) error {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, a := range b.After {
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("import %s: digest: %w", b.Kind, err)
		}
	}
	return audit.Append(ctx, db, tx, by, audit.Entry{Entity: "import", EntityID: b.Kind, Action: "import",
		After: map[string]any{"kind": b.Kind, "file": b.File.File, "file_sha256": b.File.SHA256,
			"rows": [2]int{b.FirstRow, b.LastRow}, "created": IDRanges(b.Created), "updated": b.Updated,
			"unchanged": b.Unchanged, "rows_sha256": hex.EncodeToString(h.Sum(nil))}})
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
