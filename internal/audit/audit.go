package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/store"
)

// chainLock is the advisory-lock key that serialises appends on PostgreSQL.
const chainLock = 7216002

// KeyedPrefix marks a hash that is an HMAC-SHA256 under the audit key (kept
// outside the database). Hashes without it are the plain SHA-256 of records
// written before the key existed; they verify only up to the sequence
// number where keying started, which the checkpoint file fixes.
const KeyedPrefix = "h1:"

// ErrNoKey is returned when a chain is written or verified on a database
// opened without the audit key.
var ErrNoKey = errors.New("audit: the database was opened without the audit key (未配置审计密钥：设置 SIDI_AUDIT_KEY 或使用数据目录中的 audit.key)")

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
	key := db.AuditKey()
	if key == nil {
		return ErrNoKey
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
	r.Hash, err = r.Sign(key)
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
	db.Observer().AuditAppend()
	return nil
}

// ComputeHash is SHA-256 over the canonical JSON of the record, which
// includes the previous record's hash: the unkeyed (legacy) form, which
// anyone with write access to the database can recompute.
func (r Record) ComputeHash() (string, error) {
	c, err := r.canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// Sign is the keyed hash of the record: KeyedPrefix and the hex HMAC-SHA256
// under key of the same canonical JSON that ComputeHash hashes.
func (r Record) Sign(key []byte) (string, error) {
	c, err := r.canonical()
	if err != nil {
		return "", err
	}
	return keyedHash(key, c), nil
}

func (r Record) canonical() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("audit: hash record %d: %w", r.Seq, err)
	}
	c, err := canonicalBytes(b)
	if err != nil {
		return nil, fmt.Errorf("audit: hash record %d: %w", r.Seq, err)
	}
	return c, nil
}

func keyedHash(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return KeyedPrefix + hex.EncodeToString(m.Sum(nil))
}

// checkHash says whether stored is the right hash of the canonical form c:
// an HMAC under key, or, for a record at or below legacyThrough, the plain
// SHA-256 of records written before keying started.
func checkHash(key []byte, c []byte, stored string, seq, legacyThrough int64) (ok bool, reason string) {
	if strings.HasPrefix(stored, KeyedPrefix) {
		if hmac.Equal([]byte(keyedHash(key, c)), []byte(stored)) {
			return true, ""
		}
		return false, "content does not match its keyed hash (HMAC) (内容与密钥签名不符)"
	}
	if seq > legacyThrough {
		return false, fmt.Sprintf("record has no keyed hash, but only records up to %d predate the key (无密钥签名，而密钥启用前的旧记录只到第 %d 条)", legacyThrough, legacyThrough)
	}
	sum := sha256.Sum256(c)
	if hex.EncodeToString(sum[:]) == stored {
		return true, ""
	}
	return false, "content does not match its hash (内容与哈希不符)"
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
	// Guarantee is GuaranteeLinks when a record is missing or does not link
	// to the one before it, GuaranteeIntegrity when its content does not
	// match its (keyed) hash.
	Guarantee string
}

// The guarantees `sidi audit verify` reports on, in order.
const (
	GuaranteeLinks       = "links"       // (a) every record links to the previous one
	GuaranteeIntegrity   = "integrity"   // (b) every record matches its HMAC (legacy SHA-256 only before keying)
	GuaranteeCheckpoints = "checkpoints" // (c) the chains still hold every checkpointed head
	GuaranteeLoginChain  = "login"       // (d) the login log chain holds
	GuaranteeRoles       = "roles"       // (e) PostgreSQL: the server's role does not own the tables
)

func (e *BrokenLinkError) Error() string {
	return fmt.Sprintf("audit: chain broken at record %d: %s (审计链在第 %d 条记录处断裂)", e.Seq, e.Reason, e.Seq)
}

// Verify walks the whole audit chain in order and returns how many records
// it checked, or a *BrokenLinkError for the first record that does not link
// or does not match its keyed hash. Checkpoints (which catch a truncated or
// rewritten tail) and the login log are checked by VerifyAll.
func Verify(ctx context.Context, db *store.DB) (int64, error) {
	legacy, err := legacyThrough(ctx, db, ChainAudit)
	if err != nil {
		return 0, err
	}
	w, err := walkAudit(ctx, db, legacy, nil)
	if err != nil {
		return w.ok, err
	}
	if first := w.first(); first != nil {
		return w.ok, first
	}
	return w.ok, nil
}

// walk is the result of one pass over a chain.
type walk struct {
	ok         int64 // records that linked and matched before the first failure
	count      int64 // records present
	head       ChainHead
	links      *BrokenLinkError
	integrity  *BrokenLinkError
	checkpoint *BrokenLinkError // first checkpointed (seq, hash) the chain no longer holds

	prev string // hash of the record stepped over last
	want int64  // the sequence number the next record must have
}

// chainRules say how one chain's records are checked and named in failures.
type chainRules struct {
	noun                string // "record", "login entry"
	links, integrity    string // the guarantees a broken link and a bad hash fail
	key                 []byte
	legacy              int64            // records up to this seq may carry a plain SHA-256
	checkpoints         map[int64]string // checkpointed seq → hash
	rewrittenCheckpoint string           // reason when a checkpointed record changed
}

// step checks the next record of a chain read in order: its link to the
// record before, its keyed hash over canon (or cerr when the record could
// not be made canonical), and the checkpoint at its sequence number.
func (w *walk) step(c chainRules, seq int64, prevHash, hash string, canon []byte, cerr error) {
	if w.want == 0 {
		w.want = 1
	}
	w.count++
	w.head = ChainHead{Seq: seq, Hash: hash}
	if w.links == nil {
		switch {
		case seq != w.want:
			w.links = &BrokenLinkError{Seq: w.want, Reason: fmt.Sprintf("%s missing (next present is %d)", c.noun, seq), Guarantee: c.links}
		case prevHash != w.prev:
			w.links = &BrokenLinkError{Seq: seq, Reason: "previous-hash link does not match the " + c.noun + " before it", Guarantee: c.links}
		}
	}
	if w.integrity == nil {
		if cerr != nil {
			w.integrity = &BrokenLinkError{Seq: seq, Reason: c.noun + " content is not valid JSON: " + cerr.Error(), Guarantee: c.integrity}
		} else if ok, reason := checkHash(c.key, canon, hash, seq, c.legacy); !ok {
			w.integrity = &BrokenLinkError{Seq: seq, Reason: reason, Guarantee: c.integrity}
		}
	}
	if h, ok := c.checkpoints[seq]; ok && w.checkpoint == nil && h != hash {
		w.checkpoint = &BrokenLinkError{Seq: seq, Reason: c.rewrittenCheckpoint, Guarantee: GuaranteeCheckpoints}
	}
	if w.links == nil && w.integrity == nil {
		w.ok++
	}
	w.prev, w.want = hash, seq+1
}

func (w *walk) first() *BrokenLinkError {
	var f *BrokenLinkError
	for _, e := range []*BrokenLinkError{w.links, w.integrity} {
		if e != nil && (f == nil || e.Seq < f.Seq) {
			f = e
		}
	}
	return f
}

// walkAudit reads the audit chain once, noting the first failure of each
// guarantee; cps maps checkpointed sequence numbers to their hashes.
func walkAudit(ctx context.Context, db *store.DB, legacy int64, cps map[int64]string) (*walk, error) {
	w := &walk{}
	key := db.AuditKey()
	if key == nil {
		return w, ErrNoKey
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor, ip, entity, entity_id, action, before, after, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return w, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	rules := chainRules{noun: "record", links: GuaranteeLinks, integrity: GuaranteeIntegrity, key: key, legacy: legacy, checkpoints: cps,
		rewrittenCheckpoint: "record differs from the checkpointed one: the chain was rewritten after the checkpoint"}
	for rows.Next() {
		var r Record
		var before, after string
		if err := rows.Scan(&r.Seq, &r.At, &r.ActorID, &r.Actor, &r.IP, &r.Entity, &r.EntityID, &r.Action, &before, &after, &r.PrevHash, &r.Hash); err != nil {
			return w, fmt.Errorf("audit: verify: read record: %w", err)
		}
		r.Before, r.After = json.RawMessage(before), json.RawMessage(after)
		c, cerr := r.canonical()
		w.step(rules, r.Seq, r.PrevHash, r.Hash, c, cerr)
	}
	if err := rows.Err(); err != nil {
		return w, fmt.Errorf("audit: verify: %w", err)
	}
	return w, nil
}

// ChainHead is the newest record of a chain: its sequence number and hash.
type ChainHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Short is the head as printed on a bulletin: 第 N 条，哈希 and the first
// twelve hex digits of the hash.
func (h ChainHead) Short() string {
	x := strings.TrimPrefix(h.Hash, KeyedPrefix)
	if len(x) > 12 {
		x = x[:12] + "…"
	}
	if h.Seq == 0 {
		return "第 0 条（空）"
	}
	return fmt.Sprintf("第 %d 条，哈希 %s", h.Seq, x)
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
