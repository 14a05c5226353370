package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// errTokenManagement refuses token management through an API token: a
// leaked token must not mint heirs, revoke or end sessions.
var errTokenManagement = apperr.Forbidden("管理令牌和退出登录须登录后在网页上操作，不能使用 API 令牌")

// defaultTokenDays is the validity offered for a new API token.
const defaultTokenDays = 90

// tokenDays turns a validity in days (0: until revoked) into a duration.
func tokenDays(n int) (time.Duration, error) {
	if n < 0 || n > 3650 {
		return 0, apperr.Invalid("有效期须为 0–3650 之间的整数天数（0 表示永不过期，当前为 %d）", n)
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

// tokenRow is a line of the token list.
type tokenRow struct {
	auth.APIToken
	RoleLabels string
	State      string
	Active     bool
}

func tokenRows(ts []auth.APIToken, now time.Time) []tokenRow {
	out := make([]tokenRow, len(ts))
	for i, t := range ts {
		row := tokenRow{APIToken: t, RoleLabels: roleLabels(t.Roles), State: "有效", Active: t.Active(now)}
		switch {
		case !t.RevokedAt.IsZero():
			row.State = "已吊销"
		case !row.Active:
			row.State = "已过期"
		}
		out[i] = row
	}
	return out
}

// tokenForm is the create form as shown and posted.
type tokenForm struct {
	Name, Days string
	Roles      []auth.Role
}

// renderTokens shows the caller's tokens; plain is a token just created,
// shown this once.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f tokenForm, plain string, created *auth.APIToken, errMsg string) error {
	ts, err := s.Auth.ListTokens(r.Context(), rc.P)
	if err != nil {
		return err
	}
	checks := []option{}
	for _, o := range roleChecks(f.Roles) {
		if rc.P.Has(auth.Role(o.Value)) {
			checks = append(checks, o)
		}
	}
	return s.render(w, r, rc, status, "account_tokens", "我的令牌", "tokens", map[string]any{
		"Tokens": tokenRows(ts, time.Now()), "Form": f, "RoleChecks": checks, "NewToken": plain, "Created": created, "Error": errMsg,
		"Export": "/account/tokens?format=csv",
	})
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if wantFile(r) {
		ts, err := s.Auth.ListTokens(r.Context(), rc.P)
		if err != nil {
			return err
		}
		rows := make([][]string, len(ts))
		for i, t := range tokenRows(ts, time.Now()) {
			rows[i] = []string{strconv.FormatInt(t.ID, 10), t.Name, t.Prefix + "…", t.RoleLabels, fmtDateTime(t.CreatedAt), fmtDateTime(t.LastUsedAt), fmtDateTime(t.ExpiresAt), t.State}
		}
		return writeList(w, r, "api-tokens", "我的令牌", []string{"编号", "名称", "前缀", "角色", "创建时间", "最近使用", "到期时间", "状态"}, rows)
	}
	return s.renderTokens(w, r, rc, http.StatusOK, tokenForm{Days: strconv.Itoa(defaultTokenDays), Roles: rc.P.Roles}, "", nil, "")
}

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.ViaToken {
		return errTokenManagement
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := tokenForm{Name: r.PostFormValue("name"), Days: strings.TrimSpace(r.PostFormValue("days"))}
	for _, v := range r.PostForm["roles"] {
		f.Roles = append(f.Roles, auth.Role(v))
	}
	var ttl time.Duration
	n, err := strconv.Atoi(f.Days)
	if err != nil {
		err = apperr.Invalid("有效期须为整数天数（0 表示永不过期，当前为“%s”）", f.Days)
	} else {
		ttl, err = tokenDays(n)
	}
	var plain string
	var t auth.APIToken
	if err == nil {
		plain, t, err = s.Auth.CreateToken(r.Context(), rc.P, f.Name, f.Roles, ttl)
	}
	if err != nil {
		if !formError(err) {
			return err
		}
		return s.renderTokens(w, r, rc, formStatus(err), f, "", nil, apperr.Message(err))
	}
	return s.renderTokens(w, r, rc, http.StatusOK, tokenForm{Days: strconv.Itoa(defaultTokenDays), Roles: rc.P.Roles}, plain, &t, "")
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.ViaToken {
		return errTokenManagement
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), rc.P, id); err != nil {
		return err
	}
	s.redirectMsg(w, r, "/account/tokens", "令牌已吊销，使用它的程序将无法再访问")
	return nil
}

// logoutEverywhere ends every session of the caller's account, this one
// included. API tokens stay valid.
func (s *Server) logoutEverywhere(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.ViaToken {
		return errTokenManagement
	}
	if err := s.Auth.LogoutEverywhere(r.Context(), rc.P); err != nil {
		return err
	}
	s.clearCookie(w, r, sessionCookie)
	s.redirectMsg(w, r, "/login", "已退出所有设备上的登录，请重新登录（API 令牌不受影响）")
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ts, err := s.Auth.ListTokens(r.Context(), rc.P)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
}

type apiNewToken struct {
	Name        string      `json:"name"`
	Roles       []auth.Role `json:"roles"`        // default: all of the caller's roles
	ExpiresDays *int        `json:"expires_days"` // default 90; 0: until revoked
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.ViaToken {
		return errTokenManagement
	}
	var in apiNewToken
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	days := defaultTokenDays
	if in.ExpiresDays != nil {
		days = *in.ExpiresDays
	}
	ttl, err := tokenDays(days)
	if err != nil {
		return err
	}
	if in.Roles == nil {
		in.Roles = rc.P.Roles
	}
	plain, t, err := s.Auth.CreateToken(r.Context(), rc.P, in.Name, in.Roles, ttl)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"token": plain, "api_token": t,
		"notice": fmt.Sprintf("令牌只显示这一次，请妥善保存；调用接口时使用请求头 Authorization: Bearer %s…", t.Prefix)})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.ViaToken {
		return errTokenManagement
	}
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), rc.P, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"revoked": id})
}
