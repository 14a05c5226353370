package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sidi/internal/apperr"
	"strings"
	"unicode/utf8"
)

// Status messages after a change ("已保存") travel to the next page in a
// short-lived cookie signed by the server, never in the address: a link
// such as /plan?msg=… would let anyone put words on an official page.

const (
	flashCookie = "sidi_flash"
	flashMaxAge = 120 // seconds: the redirect follows at once
	flashRunes  = 300
)

// newFlashKey derives the key that signs status messages: from the audit
// key when the database has one (so every instance serving the same data
// agrees), otherwise a random key of this process.
func newFlashKey(auditKey []byte) []byte {
	if len(auditKey) > 0 {
		m := hmac.New(sha256.New, auditKey)
		m.Write([]byte("sidi flash messages v1"))
		return m.Sum(nil)
	}
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func (s *Server) flashMAC(msg string) []byte {
	m := hmac.New(sha256.New, s.flashKey)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// redirectMsg sends the browser to path (which may carry its own query)
// and shows msg on the page it lands on.
func (s *Server) redirectMsg(w http.ResponseWriter, r *http.Request, path, msg string) {
	if utf8.RuneCountInString(msg) > flashRunes {
		msg = string([]rune(msg)[:flashRunes]) + "…"
	}
	enc := base64.RawURLEncoding
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: enc.EncodeToString([]byte(msg)) + "." + enc.EncodeToString(s.flashMAC(msg)),
		Path: "/", MaxAge: flashMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.isTLS(r)})
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// hasFlash says whether the request carries a status message to show (such
// a page is not served from or put in the cache).
func hasFlash(r *http.Request) bool {
	c, err := r.Cookie(flashCookie)
	return err == nil && c.Value != ""
}

// takeFlash returns the status message the request carries, if its
// signature holds, and clears it so that it shows once.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	s.clearCookie(w, r, flashCookie)
	b64, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return ""
	}
	enc := base64.RawURLEncoding
	msg, err1 := enc.DecodeString(b64)
	mac, err2 := enc.DecodeString(sig)
	if err1 != nil || err2 != nil || !utf8.Valid(msg) || !hmac.Equal(mac, s.flashMAC(string(msg))) {
		return ""
	}
	return string(msg)
}

// formDone sends the browser back to path with msg after a form post, or
// with the error's message when it is the user's to fix (invalid input, a
// conflict); other errors are the handler's.
func (s *Server) formDone(w http.ResponseWriter, r *http.Request, path, msg string, err error) error {
	if err != nil {
		if !formError(err) {
			return err
		}
		msg = apperr.Message(err)
	}
	s.redirectMsg(w, r, path, msg)
	return nil
}
