package auth

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sidi/internal/kit"
)

// LoginEntry is one row of the login log (登录日志).
type LoginEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Login     string    `json:"login"`
	UserID    int64     `json:"user_id,omitempty"` // 0 when no such account exists
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Outcome   Outcome   `json:"outcome"`
	Detail    string    `json:"detail,omitempty"`
}

// LoginLogFilter selects login log entries; zero fields do not filter.
type LoginLogFilter struct {
	Login         string
	Outcome       Outcome
	From, To      time.Time // From inclusive, To exclusive
	Offset, Limit int
}

// LoginLog returns one page of the login log, newest first, and how many
// entries match in all. Administrators and supervisors only.
func (s *Service) LoginLog(ctx context.Context, p Principal, f LoginLogFilter) ([]LoginEntry, int, error) {
	if err := p.Require(RoleAdmin, RoleSupervisor); err != nil {
		return nil, 0, err
	}
	win, err := listPaging.Window(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w kit.Where
	if l := normalizeLogin(f.Login); l != "" {
		w.Add(`login = ?`, l)
	}
	if f.Outcome != "" {
		w.Add(`outcome = ?`, string(f.Outcome))
	}
	if !f.From.IsZero() {
		w.Add(`at >= ?`, f.From.UTC())
	}
	if !f.To.IsZero() {
		w.Add(`at < ?`, f.To.UTC())
	}
	cond := w.SQL()
	var total int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_log`+cond, w.Values()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count login log: %w", err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, at, login, user_id, ip, user_agent, outcome, detail FROM login_log`+cond+
		` ORDER BY at DESC, id DESC`+win.SQL(&w.Args), w.Values()...)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: login log: %w", err)
	}
	defer rows.Close()
	out := []LoginEntry{}
	for rows.Next() {
		var e LoginEntry
		var uid sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &e.Login, &uid, &e.IP, &e.UserAgent, &e.Outcome, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("auth: login log: %w", err)
		}
		e.At, e.UserID = e.At.UTC(), uid.Int64
		out = append(out, e)
	}
	return out, total, rows.Err()
}
