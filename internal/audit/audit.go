package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sidi/internal/store"
)

// chainLock is the advisory-lock key that serialises appends on PostgreSQL.
const chainLock = 7216002

// Actor is who made a change and from where.
type Actor struct {
	ID   int64  // user id; 0 for the system or the command line
	Name string // login name, or "cli:root", "system"
	IP   string
}

// System is the actor for changes made by Sidi itself (seeding, migrations).
var System = Actor{Name: "system"}

// Entry is one change to record.
type Entry struct {
	Entity   string // e.g. "plan_version"
	EntityID string
	Action   string // e.g. "import", "approve", "update"
	Before   any    // nil for creations
	After    any    // nil for deletions
}

// Record is a stored audit row.
type Record struct {
	Seq      int64           `json:"seq"`
	At       string          `json:"at"`
	ActorID  int64           `json:"actor_id"`
	Actor    string          `json:"actor"`
	IP       string          `json:"ip"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Action   string          `json:"action"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	PrevHash string          `json:"prev"`
	Hash     string          `json:"-"`
}

// Append writes e to the log inside tx, linked to the previous record.
func Append(ctx context.Context, db *store.DB, tx *sql.Tx, a Actor, e Entry) error {
	if e.Entity == "" || e.Action == "" {
		return errors.New("audit: entry needs an entity and an action")
	}
	if err := db.LockChain(ctx, tx, chainLock); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	before, err := Canonical(e.Before)
	if err != nil {
		return fmt.Errorf("audit: before of %s %s: %w", e.Entity, e.EntityID, err)
	}
	after, err := Canonical(e.After)
	if err != nil {
		return fmt.Errorf("audit: after of %s %s: %w", e.Entity, e.EntityID, err)
	}
	var prevSeq int64
	var prevHash string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	r := Record{
		Seq: prevSeq + 1, At: time.Now().UTC().Format(time.RFC3339Nano),
		ActorID: a.ID, Actor: a.Name, IP: a.IP,
		Entity: e.Entity, EntityID: e.EntityID, Action: e.Action,
		Before: before, After: after, PrevHash: prevHash,
	}
	if r.Actor == "" {
		r.Actor = "unknown"
	}
	r.Hash, err = r.ComputeHash()
	if err != nil {
		return err
	}
	var actorID any
	if r.ActorID != 0 {
		actorID = r.ActorID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor_id, actor, ip, entity, entity_id, action, before, after, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.Seq, r.At, actorID, r.Actor, r.IP, r.Entity, r.EntityID, r.Action, string(r.Before), string(r.After), r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("audit: append %s %s: %w", e.Entity, e.Action, err)
	}
	return nil
}

// ComputeHash is SHA-256 over the canonical JSON of the record, which
// includes the previous record's hash.
func (r Record) ComputeHash() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("audit: hash record %d: %w", r.Seq, err)
	}
	c, err := canonicalBytes(b)
	if err != nil {
		return "", fmt.Errorf("audit: hash record %d: %w", r.Seq, err)
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// Canonical renders v as JSON with sorted keys, no HTML escaping and no
// insignificant space, so equal values always hash alike.
func Canonical(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonicalBytes(b)
}

func canonicalBytes(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// BrokenLinkError names the first record whose chain does not hold.
type BrokenLinkError struct {
	Seq    int64
	Reason string
}

func (e *BrokenLinkError) Error() string {
	return fmt.Sprintf("audit: chain broken at record %d: %s (审计链在第 %d 条记录处断裂)", e.Seq, e.Reason, e.Seq)
}

// Verify walks the whole chain in order and returns how many records it
// checked, or a *BrokenLinkError for the first record that does not match.
func Verify(ctx context.Context, q *sql.DB) (int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor, ip, entity, entity_id, action, before, after, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var n, wantSeq int64 = 0, 1
	prev := ""
	for rows.Next() {
		var r Record
		var before, after string
		if err := rows.Scan(&r.Seq, &r.At, &r.ActorID, &r.Actor, &r.IP, &r.Entity, &r.EntityID, &r.Action, &before, &after, &r.PrevHash, &r.Hash); err != nil {
			return n, fmt.Errorf("audit: verify: read record: %w", err)
		}
		r.Before, r.After = json.RawMessage(before), json.RawMessage(after)
		switch {
		case r.Seq != wantSeq:
			return n, &BrokenLinkError{Seq: wantSeq, Reason: fmt.Sprintf("record missing (next present is %d)", r.Seq)}
		case r.PrevHash != prev:
			return n, &BrokenLinkError{Seq: r.Seq, Reason: "previous-hash link does not match the record before it"}
		}
		h, err := r.ComputeHash()
		if err != nil {
			return n, &BrokenLinkError{Seq: r.Seq, Reason: "record content is not valid JSON: " + err.Error()}
		}
		if h != r.Hash {
			return n, &BrokenLinkError{Seq: r.Seq, Reason: "content does not match its hash"}
		}
		prev = r.Hash
		wantSeq++
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit: verify: %w", err)
	}
	return n, nil
}

// Head returns the sequence number of the newest record. Every write in
// Sidi appends one, so the head is a cheap version number of all data:
// caches keyed by it can never serve what a write has changed.
func Head(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int64, error) {
	var seq int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("audit: head: %w", err)
	}
	return seq, nil
}
