package web

import (
	"errors"
	"net/http"

	"sidi/internal/apperr"
)

// landing is where a sign-in goes when it names no page: 我的工作台, which
// shows every role what it has to do.
const landing = "/my"

// afterLogin is the page a sign-in continues to: the one asked for, else
// the landing page.
func afterLogin(next string) string {
	if next == "" {
		return landing
	}
	return safeNext(next)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !rc.P.Anonymous() {
		http.Redirect(w, r, afterLogin(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	data := map[string]any{"Next": r.URL.Query().Get("next")}
	if n := data["Next"].(string); n != "" {
		data["Next"] = safeNext(n)
	}
	if has, err := s.Auth.HasUsers(r.Context()); err != nil {
		return err
	} else if !has {
		data["Error"] = "尚未创建管理员账号，请在服务器上运行：sidi user bootstrap --login … --name …"
	}
	return s.render(w, r, rc, http.StatusOK, "login", "登录", "", data)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	login, password := r.PostFormValue("login"), r.PostFormValue("password")
	next := afterLogin(r.PostFormValue("next"))
	_, token, err := s.Auth.Login(r.Context(), login, password, rc.P.IP, r.UserAgent())
	if err != nil {
		status := http.StatusUnauthorized
		switch {
		case errors.Is(err, apperr.ErrTooMany):
			status = http.StatusTooManyRequests
			w.Header().Set("Retry-After", retryAfter)
		case errors.Is(err, apperr.ErrUnauthenticated) || errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrForbidden):
		default:
			return err
		}
		return s.render(w, r, rc, status, "login", "登录", "", map[string]any{"Next": next, "Login": login, "Error": apperr.Message(err)})
	}
	// A fresh token on every login: a session id planted before login is useless.
	if old, err := r.Cookie(sessionCookie); err == nil && old.Value != "" && old.Value != token {
		s.Auth.Logout(r.Context(), old.Value)
	}
	s.setSessionCookie(w, r, token)
	s.clearCookie(w, r, csrfCookie)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	s.redirectMsg(w, r, "/login", "您已安全退出")
	return nil
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, r, rc, http.StatusOK, "password", "修改密码", "", map[string]any{"Must": rc.Session != nil && rc.Session.MustChangePassword})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil || rc.Session == nil {
		return &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	}
	old, nw, again := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("again")
	if nw != again {
		return s.render(w, r, rc, http.StatusUnprocessableEntity, "password", "修改密码", "", map[string]any{"Must": rc.Session.MustChangePassword, "Error": "两次输入的新密码不一致"})
	}
	if err := s.Auth.ChangePassword(r.Context(), rc.P, c.Value, old, nw); err != nil {
		if errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrUnauthenticated) || errors.Is(err, apperr.ErrForbidden) {
			return s.render(w, r, rc, http.StatusUnprocessableEntity, "password", "修改密码", "", map[string]any{"Must": rc.Session.MustChangePassword, "Error": apperr.Message(err)})
		}
		return err
	}
	s.redirectMsg(w, r, "/", "密码已修改")
	return nil
}
