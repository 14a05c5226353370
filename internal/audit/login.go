package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sidi/internal/store"
)

// loginChainLock is the advisory-lock key that serialises login log
// appends on PostgreSQL (apart from the audit chain's, so logins never wait
// for a long data change).
const loginChainLock = 7216003

// Login is one login log entry (登录日志) as it enters the chain.
type Login struct {
	Seq       int64  `json:"seq"`
	At        string `json:"at"` // RFC 3339 in UTC, microseconds at most
	Login     string `json:"login"`
	UserID    int64  `json:"user_id"` // 0 when no such account exists
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	Outcome   string `json:"outcome"`
	Detail    string `json:"detail"`
	PrevHash  string `json:"prev"`
	Hash      string `json:"-"`
}

// Execer is what AppendLogin writes through: the transaction of the login.
type Execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func loginTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (l Login) canonical() ([]byte, error) {
	c, err := Canonical(l)
	if err != nil {
		return nil, fmt.Errorf("audit: hash login record %d: %w", l.Seq, err)
	}
	return c, nil
}

// AppendLogin writes one login log entry inside q (a transaction), linked
// to the previous one and signed with the audit key: one read of the chain
// head and one insert (and, on PostgreSQL, the chain's advisory lock).
func AppendLogin(ctx context.Context, db *store.DB, q Execer, at time.Time, login string, userID int64, ip, userAgent, outcome, detail string) error {
	key := db.AuditKey()
	if key == nil {
		return ErrNoKey
	}
	if db.Dialect() == store.Postgres {
		if _, err := q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, loginChainLock); err != nil {
			return fmt.Errorf("audit: lock login chain: %w", err)
		}
	}
	var prevSeq int64
	var prevHash string
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM login_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: read login chain head: %w", err)
	}
	at = loginTime(at)
	l := Login{Seq: prevSeq + 1, At: at.Format(time.RFC3339Nano), Login: login, UserID: userID, IP: ip, UserAgent: userAgent, Outcome: outcome, Detail: detail, PrevHash: prevHash}
	c, err := l.canonical()
	if err != nil {
		return err
	}
	l.Hash = keyedHash(key, c)
	var uid any
	if userID != 0 {
		uid = userID
	}
	_, err = q.ExecContext(ctx, `INSERT INTO login_log(at, login, user_id, ip, user_agent, outcome, detail, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		at, login, uid, ip, userAgent, outcome, detail, l.Seq, l.PrevHash, l.Hash)
	if err != nil {
		return fmt.Errorf("audit: login log: %w", err)
	}
	return nil
}

// LoginHead is the newest entry of the login chain (zero when empty).
func LoginHead(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (ChainHead, error) {
	var h ChainHead
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM login_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ChainHead{}, fmt.Errorf("audit: login chain head: %w", err)
	}
	return h, nil
}

// AuditHead is the newest record of the audit chain (zero when empty).
func AuditHead(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (ChainHead, error) {
	var h ChainHead
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ChainHead{}, fmt.Errorf("audit: chain head: %w", err)
	}
	return h, nil
}

// walkLogin reads the login chain once. Entries written before the chain
// existed (seq NULL) are allowed only up to id legacy.
func walkLogin(ctx context.Context, db *store.DB, legacy int64, cps map[int64]string) (*walk, error) {
	w := &walk{}
	key := db.AuditKey()
	if key == nil {
		return w, ErrNoKey
	}
	var stray, strayID int64
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(id), 0) FROM login_log WHERE seq IS NULL AND id > $1`, legacy).Scan(&stray, &strayID); err != nil {
		return w, fmt.Errorf("audit: verify login log: %w", err)
	}
	if stray > 0 {
		w.links = &BrokenLinkError{Seq: 0, Guarantee: GuaranteeLoginChain,
			Reason: fmt.Sprintf("%d entries outside the chain written after it started (first id %d) (有 %d 条登录记录未入链，首条编号 %d)", stray, strayID, stray, strayID)}
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT seq, at, login, COALESCE(user_id, 0), ip, user_agent, outcome, detail, COALESCE(prev_hash, ''), COALESCE(hash, '')
		FROM login_log WHERE seq IS NOT NULL ORDER BY seq`)
	if err != nil {
		return w, fmt.Errorf("audit: verify login log: %w", err)
	}
	defer rows.Close()
	rules := chainRules{noun: "login entry", links: GuaranteeLoginChain, integrity: GuaranteeLoginChain, key: key, checkpoints: cps,
		rewrittenCheckpoint: "login entry differs from the checkpointed one: the log was rewritten after the checkpoint"}
	for rows.Next() {
		var l Login
		var at time.Time
		if err := rows.Scan(&l.Seq, &at, &l.Login, &l.UserID, &l.IP, &l.UserAgent, &l.Outcome, &l.Detail, &l.PrevHash, &l.Hash); err != nil {
			return w, fmt.Errorf("audit: verify login log: read entry: %w", err)
		}
		l.At = loginTime(at).Format(time.RFC3339Nano)
		c, cerr := l.canonical()
		w.step(rules, l.Seq, l.PrevHash, l.Hash, c, cerr)
	}
	if err := rows.Err(); err != nil {
		return w, fmt.Errorf("audit: verify login log: %w", err)
	}
	return w, nil
}
