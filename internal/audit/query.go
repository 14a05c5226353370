package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Filter selects audit records for List; zero fields do not filter.
type Filter struct {
	Actor    string // login name as recorded (exact)
	ActorID  int64
	DeptID   int64 // the department of the acting user (users.dept_id)
	WithSub  bool  // with DeptID: also the departments below it
	Entity   string
	EntityID string
	Action   string
	From, To time.Time // From inclusive, To exclusive; whole seconds
	Offset   int
	Limit    int // 20 when 0, at most 500
}

// timeBound renders t for comparison with the at column. Records store
// RFC 3339 with trimmed fractions ("…:05Z", "…:05.5Z"), which do not sort
// as text within one second; the bound leaves out the zone and fraction, so
// every record of that second compares greater than it.
func timeBound(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// List returns one page of the audit log matching f, newest first, and how
// many records match in all. It applies no access control: callers decide
// who may read the log.
func List(ctx context.Context, q Querier, f Filter) ([]Record, int, error) {
	var args []any
	ph := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var with string
	var where []string
	if f.DeptID != 0 {
		if f.WithSub {
			with = `WITH RECURSIVE sub(id) AS (
				SELECT id FROM departments WHERE id = ` + ph(f.DeptID) + `
				UNION
				SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id
			) `
			where = append(where, `actor_id IN (SELECT u.id FROM users u WHERE u.dept_id IN (SELECT id FROM sub))`)
		} else {
			where = append(where, `actor_id IN (SELECT u.id FROM users u WHERE u.dept_id = `+ph(f.DeptID)+`)`)
		}
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		where = append(where, `actor = `+ph(a))
	}
	if f.ActorID != 0 {
		where = append(where, `actor_id = `+ph(f.ActorID))
	}
	if e := strings.TrimSpace(f.Entity); e != "" {
		where = append(where, `entity = `+ph(e))
	}
	if id := strings.TrimSpace(f.EntityID); id != "" {
		where = append(where, `entity_id = `+ph(id))
	}
	if a := strings.TrimSpace(f.Action); a != "" {
		where = append(where, `action = `+ph(a))
	}
	if !f.From.IsZero() {
		where = append(where, `at >= `+ph(timeBound(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, `at < `+ph(timeBound(f.To)))
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := q.QueryRowContext(ctx, with+`SELECT COUNT(*) FROM audit_log`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit: count records: %w", err)
	}
	limit, offset := f.Limit, f.Offset
	switch {
	case limit <= 0:
		limit = 20
	case limit > 500:
		limit = 500
	}
	if offset < 0 {
		offset = 0
	}
	rows, err := q.QueryContext(ctx, with+`SELECT seq, at, COALESCE(actor_id, 0), actor, ip, entity, entity_id, action, before, after, prev_hash, hash
		FROM audit_log`+cond+` ORDER BY seq DESC LIMIT `+ph(limit)+` OFFSET `+ph(offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list records: %w", err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		var before, after string
		if err := rows.Scan(&r.Seq, &r.At, &r.ActorID, &r.Actor, &r.IP, &r.Entity, &r.EntityID, &r.Action, &before, &after, &r.PrevHash, &r.Hash); err != nil {
			return nil, 0, fmt.Errorf("audit: list records: %w", err)
		}
		r.Before, r.After = json.RawMessage(before), json.RawMessage(after)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: list records: %w", err)
	}
	return out, total, nil
}

// Kinds returns the entity types and the actions that occur in the log,
// each sorted, for the filters above it.
func Kinds(ctx context.Context, q Querier) (entities, actions []string, err error) {
	distinct := func(col string) ([]string, error) {
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT `+col+` FROM audit_log ORDER BY `+col)
		if err != nil {
			return nil, fmt.Errorf("audit: distinct %s: %w", col, err)
		}
		defer rows.Close()
		out := []string{}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, fmt.Errorf("audit: distinct %s: %w", col, err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("audit: distinct %s: %w", col, err)
		}
		return out, nil
	}
	if entities, err = distinct("entity"); err != nil {
		return nil, nil, err
	}
	if actions, err = distinct("action"); err != nil {
		return nil, nil, err
	}
	return entities, actions, nil
}

// ActorNames returns the display names of the users who acted in recs, by
// user id.
func ActorNames(ctx context.Context, q Querier, recs []Record) (map[int64]string, error) {
	names := map[int64]string{}
	for _, r := range recs {
		if r.ActorID == 0 {
			continue
		}
		if _, ok := names[r.ActorID]; ok {
			continue
		}
		var name string
		err := q.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, r.ActorID).Scan(&name)
		if err != nil && err != sql.ErrNoRows {
			return nil, fmt.Errorf("audit: name of user %d: %w", r.ActorID, err)
		}
		names[r.ActorID] = name
	}
	return names, nil
}
