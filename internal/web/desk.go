package web

import (
	"context"
	"fmt"

	"sidi/internal/auth"
)

// DeskFunc is a register's section of p's desk (我的工作台), shown above
// the plan's work; nil when the register has nothing there for p.
type DeskFunc func(ctx context.Context, p auth.Principal) (*DeskSection, error)

// DeskSection is a register's block of the desk: a title, the action it
// offers (shown only to a caller its route admits), a warning, and a
// table of the caller's records (Empty when there are none).
type DeskSection struct {
	Title   string
	Action  DeskLink
	Warning string
	Columns []string
	Rows    [][]DeskCell
	Empty   string
}

// DeskLink is a link of a desk section.
type DeskLink struct{ Label, Href string }

// DeskCell is one cell of a desk section's table: text, linked when Href
// is set, flagged when Warn.
type DeskCell struct {
	Text, Href string
	Warn       bool
}

// desk gathers the registers' sections of p's desk, in module order.
func (s *Server) desk(ctx context.Context, p auth.Principal) ([]DeskSection, error) {
	var out []DeskSection
	for _, f := range s.Desk {
		sec, err := f(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("desk: %w", err)
		}
		if sec != nil {
			out = append(out, *sec)
		}
	}
	return out, nil
}
