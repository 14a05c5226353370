package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// personName is how a page names the person behind a recorded login: the
// user's display name; "" for the command line, the system and logins no
// longer known, so a public page never shows a login id.
func (s *Server) personName(ctx context.Context, login string) (string, error) {
	if login == "" || strings.Contains(login, ":") {
		return "", nil
	}
	var name string
	err := s.DB.Reader().QueryRowContext(ctx, `SELECT name FROM users WHERE login = $1`, login).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("web: name of %q: %w", login, err)
	}
	return name, nil
}

// staffNames maps recorded logins to how staff pages name them: the
// display name; "命令行" for command-line actors ("cli:demo"); the login
// itself only when no user has it any more.
func (s *Server) staffNames(ctx context.Context, logins ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, l := range logins {
		if _, done := out[l]; done || l == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(l, "cli:"); ok {
			out[l] = "命令行（" + rest + "）"
			continue
		}
		name, err := s.personName(ctx, l)
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = l
		}
		out[l] = name
	}
	return out, nil
}

// internalMark is an editor's marker in a note ("[待核实]", "【待核实】").
var internalMark = regexp.MustCompile(`\s*[\[【]待核实[\]】]`)

// publicNote is a note as the public reads it, without editors' markers.
func publicNote(note string) string {
	return strings.TrimSpace(internalMark.ReplaceAllString(note, ""))
}
