package enterprise

import (
	"context"
	"errors"
	"fmt"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// Section is one module's part of an enterprise's page: its declarations,
// bases, pilots, rewards … A public section is shown to everyone; the
// others only to those in the enterprise's scope (InScope).
type Section struct {
	Title  string        `json:"title"`
	Public bool          `json:"public"`
	Items  []SectionItem `json:"items"`
	Empty  string        `json:"empty,omitempty"` // what to say when there are no items
	More   string        `json:"more,omitempty"`  // a link to the module's full list
}

// SectionItem is one line of a section.
type SectionItem struct {
	Label  string  `json:"label"`
	Href   string  `json:"href,omitempty"`
	Detail string  `json:"detail,omitempty"`
	Fields []Field `json:"fields,omitempty"`
}

// Field is a labelled value of an item.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// SectionFunc builds a module's section of an enterprise's page for p. It
// returns only what p may see; a section with no items is still shown
// (with its Empty text) when it is public.
type SectionFunc func(ctx context.Context, p auth.Principal, enterpriseID int64) (Section, error)

// Sections builds the sections of an enterprise's page for p, in the order
// of fns: every public one, and the others when p is in the enterprise's
// scope. A section func answering Forbidden is left out.
func (s *Service) Sections(ctx context.Context, p auth.Principal, enterpriseID int64, fns []SectionFunc) ([]Section, error) {
	inScope := s.InScope(ctx, s.db.Reader(), p, enterpriseID) == nil
	out := []Section{}
	for _, fn := range fns {
		sec, err := fn(ctx, p, enterpriseID)
		if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrUnauthenticated) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("enterprise: section: %w", err)
		}
		if !sec.Public && !inScope {
			continue
		}
		out = append(out, sec)
	}
	return out, nil
}

// UsersSection lists the users who act for the enterprise (in scope only).
func (s *Service) UsersSection(ctx context.Context, p auth.Principal, enterpriseID int64) (Section, error) {
	sec := Section{Title: "企业用户", Empty: "尚无关联的企业用户"}
	us, err := s.LinkedUsers(ctx, p, enterpriseID)
	if err != nil {
		return sec, err
	}
	for _, u := range us {
		sec.Items = append(sec.Items, SectionItem{Label: u.Name, Detail: u.Login,
			Fields: []Field{{Label: "关联人", Value: u.LinkedBy}, {Label: "关联时间", Value: u.LinkedAt}}})
	}
	return sec, nil
}
