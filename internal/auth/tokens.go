package auth

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// TokenPrefix starts every API token, so leaked tokens are easy to spot.
const TokenPrefix = "sidi_"

// tokenChars is the length of the random part: 25 bytes in base32.
const tokenChars = 40

// APIToken is a personal access token for scripts and other systems. The
// plaintext is shown once by CreateToken; only its SHA-256 is stored.
type APIToken struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"` // the first characters, to recognise it by
	Roles      []Role    `json:"roles"`  // the roles it may exercise
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"` // zero: never
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Active reports whether the token can be used at now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

const tokenSelect = `SELECT id, user_id, name, prefix, scopes, created_at, last_used_at, expires_at, revoked_at FROM api_tokens`

func scanToken(sc interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var scopes string
	var used, expires, revoked sql.NullTime
	err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &scopes, &t.CreatedAt, &used, &expires, &revoked)
	t.Roles, t.CreatedAt = splitRoles(scopes), t.CreatedAt.UTC()
	t.LastUsedAt, t.ExpiresAt, t.RevokedAt = fromNull(used), fromNull(expires), fromNull(revoked)
	return t, err
}

// audit is the audited view of a token: never its secret or hash.
func (t APIToken) audit() map[string]any {
	return map[string]any{"user_id": t.UserID, "name": t.Name, "prefix": t.Prefix, "roles": t.Roles, "expires_at": t.ExpiresAt}
}

// CreateToken issues an API token for p's own account, limited to roles
// (which p must hold) and valid for ttl (0: until revoked). Only a signed-in
// person may, not another token, and not while a password change is due. It returns the
// plaintext, "sidi_" and 40 base32 characters, which is not stored.
func (s *Service) CreateToken(ctx context.Context, p Principal, name string, roles []Role, ttl time.Duration) (string, APIToken, error) {
	if err := requireSession(p); err != nil {
		return "", APIToken{}, err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", APIToken{}, apperr.Invalid("请填写令牌名称，例如“数据同步脚本”")
	case utf8.RuneCountInString(name) > 64:
		return "", APIToken{}, apperr.Invalid("令牌名称不能超过 64 个字")
	case ttl < 0:
		return "", APIToken{}, apperr.Invalid("令牌有效期不能为负数")
	}
	roles, err := normalizeRoles(roles)
	if err != nil {
		return "", APIToken{}, err
	}
	u, err := getUser(ctx, s.db.Reader(), p.UserID)
	if err != nil {
		return "", APIToken{}, err
	}
	if u.Status != StatusActive {
		return "", APIToken{}, unauthenticated(ErrDisabled, "账号已停用，请联系系统管理员")
	}
	if s.mustChange(u.MustChangePassword, u.PasswordChangedAt, s.now()) {
		return "", APIToken{}, apperr.Forbidden("请先修改密码，再创建 API 令牌")
	}
	var extra []string
	for _, r := range roles {
		if !hasRole(u.Roles, r) || !p.Has(r) {
			extra = append(extra, r.Label())
		}
	}
	if len(extra) > 0 {
		return "", APIToken{}, apperr.Forbidden("令牌的角色不能超出您本人的角色，您没有：%s", strings.Join(extra, "、"))
	}
	raw, err := randomBytes(tokenChars * 5 / 8)
	if err != nil {
		return "", APIToken{}, err
	}
	plain := TokenPrefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	now := s.now()
	t := APIToken{UserID: p.UserID, Name: name, Prefix: plain[:len(TokenPrefix)+4], Roles: roles, CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens(user_id, name, token_hash, prefix, scopes, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.UserID, t.Name, hashToken(plain), t.Prefix, joinRoles(t.Roles), now, nullTime(t.ExpiresAt)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "api_token", EntityID: fmt.Sprint(t.ID), Action: "create", After: t.audit()})
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return plain, t, nil
}

// ListTokens returns p's own tokens, newest first, revoked ones included.
func (s *Service) ListTokens(ctx context.Context, p Principal) ([]APIToken, error) {
	if err := requireUser(p); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().QueryContext(ctx, tokenSelect+` WHERE user_id = $1 ORDER BY id DESC`, p.UserID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// tokenEntry is a token as the kit writes its revocation and the audit
// log records it: its audit view, with the time it was revoked once it is.
type tokenEntry struct{ APIToken }

// MarshalJSON is the audit log's record of t.
func (t tokenEntry) MarshalJSON() ([]byte, error) {
	m := t.audit()
	if !t.RevokedAt.IsZero() {
		m["revoked_at"] = t.RevokedAt
	}
	return json.Marshal(m)
}

// tokens are the API tokens as the kit writes them, by id.
func tokens(db *store.DB) kit.Setting[int64, tokenEntry] {
	return kit.Setting[int64, tokenEntry]{DB: db, Entity: "api_token",
		Load: func(ctx context.Context, q store.Querier, id int64) (tokenEntry, bool, error) {
			t, err := scanToken(q.QueryRowContext(ctx, tokenSelect+` WHERE id = $1`, id))
			found, err := kit.Found(err)
			return tokenEntry{t}, found, err
		}}
}

// RevokeToken ends a token at once. Users revoke their own tokens;
// administrators may revoke anyone's. Revoking twice is not an error (and
// writes nothing).
func (s *Service) RevokeToken(ctx context.Context, p Principal, id int64) error {
	var allowed error
	switch {
	case p.Anonymous():
		allowed = &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	case p.TokenID != 0:
		allowed = requireSession(p)
	}
	now := s.now()
	_, err := tokens(s.db).Save(ctx, kit.Put[int64, tokenEntry]{By: p.Actor(), Allowed: allowed, Key: id, Action: "revoke",
		Check: func(_ *sql.Tx, t tokenEntry, found bool) error {
			if !found || t.UserID != p.UserID && !p.Has(RoleAdmin) {
				return apperr.NotFound("令牌不存在（编号 %d）", id)
			}
			return nil
		},
		Same: func(t tokenEntry) bool { return !t.RevokedAt.IsZero() },
		Exec: func(tx *sql.Tx, t tokenEntry, _ bool) (tokenEntry, error) {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, now, id)
			t.RevokedAt = now
			return t, err
		}})
	return err
}

// TokenPrincipal returns the principal an API token acts as: its owner,
// with only those of the token's roles the owner still holds. Refused are
// revoked or expired tokens, disabled owners, tokens issued before the
// owner's password was last changed or reset, tokens of an owner who must
// change the password, and the demo accounts' outside `sidi demo`.
func (s *Service) TokenPrincipal(ctx context.Context, plaintext, ip string) (Principal, error) {
	invalid := unauthenticated(ErrTokenInvalid, "API 令牌无效")
	if !strings.HasPrefix(plaintext, TokenPrefix) || len(plaintext) != len(TokenPrefix)+tokenChars {
		return Principal{}, invalid
	}
	now := s.now()
	var id int64
	var scopes string
	var used, expires, revoked sql.NullTime
	var status UserStatus
	var created, changed time.Time
	var mustChange bool
	var p Principal
	err := s.db.Reader().QueryRowContext(ctx, `SELECT t.id, t.scopes, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
		u.id, u.login, u.name, u.dept_id, u.scope, u.status, u.must_change_password, u.password_changed_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`, hashToken(plaintext)).
		Scan(&id, &scopes, &created, &used, &expires, &revoked, &p.UserID, &p.Login, &p.Name, &p.DeptID, &p.Scope, &status, &mustChange, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, invalid
	}
	if err != nil {
		return Principal{}, fmt.Errorf("auth: token: %w", err)
	}
	switch {
	case revoked.Valid:
		return Principal{}, unauthenticated(ErrTokenInvalid, "API 令牌已被吊销")
	case expires.Valid && !now.Before(expires.Time):
		return Principal{}, unauthenticated(ErrTokenInvalid, "API 令牌已过期")
	case status != StatusActive:
		return Principal{}, unauthenticated(ErrDisabled, "令牌所属账号已停用")
	case !s.DemoLogins && IsDemoLogin(p.Login):
		return Principal{}, errDemoAccount()
	case created.Before(changed):
		return Principal{}, unauthenticated(ErrTokenInvalid, "令牌签发后账号密码已修改或被重置，令牌已失效，请登录后重新创建")
	case s.mustChange(mustChange, changed.UTC(), now):
		return Principal{}, unauthenticated(ErrTokenInvalid, "令牌所属账号须先修改密码，修改前令牌不可用；请登录网页修改密码")
	}
	us := []User{{ID: p.UserID}}
	if err := loadRoles(ctx, s.db.Reader(), us); err != nil {
		return Principal{}, err
	}
	p.Roles = []Role{}
	for _, r := range splitRoles(scopes) {
		if hasRole(us[0].Roles, r) {
			p.Roles = append(p.Roles, r)
		}
	}
	p.IP, p.TokenID = ip, id
	if !used.Valid || now.Sub(used.Time) >= touchInterval {
		if _, err := s.db.Writer().ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id); err != nil {
			return Principal{}, fmt.Errorf("auth: touch token: %w", err)
		}
	}
	return p, nil
}
