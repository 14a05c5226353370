package search

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"sidi/internal/store"
)

// Source is a register whose records reach the index after they are
// written: its writes list the changed ids with Enqueue (a bulk import of
// a million rows then costs one small insert per batch instead of the
// index's own write cost), and Drain later turns them into documents.
type Source struct {
	Kind Kind
	// Docs returns the documents of ids that still exist (an id without a
	// document is dropped from the index), read inside q.
	Docs func(ctx context.Context, q store.Querier, ids []int64) ([]Doc, error)
}

// Enqueue lists refIDs of kind for the index inside tx (the transaction
// that wrote them, so that a record is never written without its entry).
func Enqueue(ctx context.Context, d store.Dialect, tx *sql.Tx, kind Kind, refIDs []int64) error {
	if len(refIDs) == 0 {
		return nil
	}
	if err := kind.Check(); err != nil {
		return fmt.Errorf("search: enqueue: %w", err)
	}
	return store.InsertRows(ctx, d, tx, "search: enqueue", `INSERT INTO search_pending(kind, ref_id) VALUES `, make([]string, 2), len(refIDs),
		func(i int) []any { return []any{kind.Name, refIDs[i]} }, ` ON CONFLICT (kind, ref_id) DO NOTHING`)
}

// PendingCount is how many records of kind wait for the index.
func PendingCount(ctx context.Context, q store.Querier, kind Kind) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_pending WHERE kind = $1`, kind.Name).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: pending %s: %w", kind, err)
	}
	return n, nil
}

// DrainBatch is how many pending records Drain indexes per transaction.
const DrainBatch = 2000

// Drain indexes the records of src waiting in search_pending, batch at a
// time (DrainBatch when batch ≤ 0), each batch in one transaction that
// also removes it from the list, until none is left or ctx ends. A record
// already in the index is replaced; one that no longer exists is removed.
// It returns how many records it took off the list. Drains of one kind
// never overlap: PostgreSQL takes an advisory lock per batch, SQLite has
// one writer.
func Drain(ctx context.Context, db *store.DB, src Source, batch int) (int, error) {
	if batch <= 0 {
		batch = DrainBatch
	}
	if err := src.Kind.Check(); err != nil {
		return 0, fmt.Errorf("search: drain: %w", err)
	}
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		// Nothing waiting, the usual case of the server's periodic drain:
		// answered by a reader, the writer is not taken.
		var waiting int
		err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_pending WHERE kind = $1 LIMIT 1) w`, src.Kind.Name).Scan(&waiting)
		if err != nil {
			return done, fmt.Errorf("search: drain %s: %w", src.Kind, err)
		}
		if waiting == 0 {
			return done, nil
		}
		n := 0
		err = Tx(ctx, db, func(tx *sql.Tx, conn *sql.Conn) error {
			if db.Dialect() == store.Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('search_pending'), $1)`, int32(src.Kind.Code)); err != nil {
					return fmt.Errorf("search: drain lock: %w", err)
				}
			}
			var ids []int64
			err := store.EachRow(ctx, tx, `SELECT ref_id FROM search_pending WHERE kind = $1 ORDER BY ref_id LIMIT `+fmt.Sprint(batch), []any{src.Kind.Name}, func(r *sql.Rows) error {
				var id int64
				err := r.Scan(&id)
				ids = append(ids, id)
				return err
			})
			if err != nil {
				return fmt.Errorf("search: drain %s: %w", src.Kind, err)
			}
			if n = len(ids); n == 0 {
				return nil
			}
			docs, err := src.Docs(ctx, tx, ids)
			if err != nil {
				return fmt.Errorf("search: drain %s: %w", src.Kind, err)
			}
			// Replace what the index holds of these ids: the records that
			// changed, and those that are gone.
			in := store.Placeholders(db.Dialect(), 2, len(ids))
			args := make([]any, 0, len(ids)+1)
			args = append(args, src.Kind.Name)
			for _, id := range ids {
				args = append(args, id)
			}
			var indexed []int64
			err = store.EachRow(ctx, tx, `SELECT ref_id FROM search_docs WHERE kind = $1 AND ref_id IN `+in, args, func(r *sql.Rows) error {
				var id int64
				err := r.Scan(&id)
				indexed = append(indexed, id)
				return err
			})
			if err != nil {
				return fmt.Errorf("search: drain %s: %w", src.Kind, err)
			}
			for _, id := range indexed {
				if err := Remove(ctx, db, tx, src.Kind, id); err != nil {
					return err
				}
			}
			asked := make(map[int64]bool, len(ids))
			for _, id := range ids {
				asked[id] = true
			}
			docs = slices.DeleteFunc(docs, func(d Doc) bool { return d.Kind != src.Kind || !asked[d.RefID] })
			if len(docs) > 0 {
				if err := NewBatch(db.Dialect(), docs).InsertConn(ctx, db, tx, conn); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE kind = $1 AND ref_id IN `+in, args...); err != nil {
				return fmt.Errorf("search: drain %s: %w", src.Kind, err)
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		if n == 0 {
			return done, nil
		}
		done += n
	}
}

// WaitingMatchSQL is the condition of a register's text query over its
// rows (their id column idCol) for a kind indexed after its writes: the
// rows the index finds for q that are not waiting for the index, and the
// waiting rows for which like (the caller's own text condition, its
// arguments already in args) holds — right at every moment, however far
// the index is behind. It appends its arguments to args, numbered on.
func WaitingMatchSQL(d store.Dialect, kind Kind, q Query, idCol, like string, args *[]any) string {
	*args = append(*args, kind.Name)
	waiting := idCol + " IN (SELECT ref_id FROM search_pending WHERE kind = $" + fmt.Sprint(len(*args)) + ")"
	sub, sargs := MatchSQL(d, kind, q, len(*args)+1)
	*args = append(*args, sargs...)
	return "((" + idCol + " IN (SELECT ref_id FROM (" + sub + ") m) AND NOT " + waiting + ") OR (" + waiting + " AND " + like + "))"
}

// rankEpoch is day 1 of DayRank.
var rankEpoch = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// DayRank is a Doc's Rank for a day written YYYY-MM-DD: the days since
// 1899-12-31, so that among equally good matches the later day comes
// first; 0 for no day or one before 1900.
func DayRank(day string) int64 {
	t, err := time.Parse("2006-01-02", day)
	if err != nil || t.Before(rankEpoch) {
		return 0
	}
	return min(int64(t.Sub(rankEpoch).Hours()/24)+1, MaxRank)
}
