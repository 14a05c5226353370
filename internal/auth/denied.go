package auth

import (
	"context"
	"database/sql"
	"fmt"

	"sidi/internal/audit"
)

// Denial is the audit-log action of a refused request; its entity is
// DenialEntity and its entity id the request ("GET /admin/users").
const (
	DenialEntity = "access"
	DenialAction = "denied"
)

// LogDenied records that p was refused method path: a permission denial
// (status 403) or a request for an object outside p's data scope (answered
// as not found, status 404). reason is the message p was shown. The record
// goes to the append-only audit log with p's login and address; callers
// bound how often (a refused user retrying must not become a write storm).
//
// The login log would be the natural home, but its outcome column accepts
// only the authentication outcomes until a migration widens it.
func (s *Service) LogDenied(ctx context.Context, p Principal, method, path string, status int, reason string) error {
	if p.Anonymous() {
		return nil
	}
	e := audit.Entry{
		Entity:   DenialEntity,
		EntityID: truncate(method+" "+path, 200),
		Action:   DenialAction,
		After:    map[string]any{"status": status, "reason": truncate(reason, 200)},
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, s.db, tx, p.Actor(), e) })
	if err != nil {
		return fmt.Errorf("auth: log denial of %s %s to %s: %w", method, truncate(path, 80), p.Login, err)
	}
	return nil
}
