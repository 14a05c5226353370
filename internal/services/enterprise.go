package services

import (
	"sidi/internal/enterprise"
	"sidi/internal/web"
)

// EnterpriseSections are the parts of an enterprise's page
// (/enterprises/{code}) in the order shown: each module's section, in
// module order, then the directory's own linked users.
func (s *Set) EnterpriseSections() []enterprise.SectionFunc {
	out := each(s, func(m Module) func(*Set) enterprise.SectionFunc { return m.EnterpriseSection })
	return append(out, s.Standards.Directory().UsersSection)
}

// ToDo are the modules' parts of the to-do list, in module order.
func (s *Set) ToDo() []web.ToDoFunc {
	return each(s, func(m Module) func(*Set) web.ToDoFunc { return m.ToDo })
}

// Desk are the modules' sections of a user's desk, in module order.
func (s *Set) Desk() []web.DeskFunc {
	return each(s, func(m Module) func(*Set) web.DeskFunc { return m.Desk })
}

// each is one part of every module that has it (field picks it), built
// over s, in module order.
func each[T any](s *Set, field func(Module) func(*Set) T) []T {
	var out []T
	for _, m := range Modules() {
		if f := field(m); f != nil {
			out = append(out, f(s))
		}
	}
	return out
}
