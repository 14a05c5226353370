package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
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
	var a sqlArgs
	var where []string
	if l := normalizeLogin(f.Login); l != "" {
		where = append(where, `login = `+a.add(l))
	}
	if f.Outcome != "" {
		where = append(where, `outcome = `+a.add(string(f.Outcome)))
	}
	if !f.From.IsZero() {
		where = append(where, `at >= `+a.add(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, `at < `+a.add(f.To.UTC()))
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var total int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_log`+cond, a.vals...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count login log: %w", err)
	}
	offset, limit := page(f.Offset, f.Limit)
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT id, at, login, user_id, ip, user_agent, outcome, detail FROM login_log`+cond+
		` ORDER BY at DESC, id DESC LIMIT `+a.add(limit)+` OFFSET `+a.add(offset), a.vals...)
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
