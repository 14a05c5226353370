package services

import (
	"sidi/internal/enterprise"
	"sidi/internal/web"
)

// EnterpriseSections are the parts of an enterprise's page
// (/enterprises/{code}) in the order shown: each module's section, in
// module order, then the directory's own linked users.
func (s *Set) EnterpriseSections() []enterprise.SectionFunc {
	var out []enterprise.SectionFunc
	for _, m := range Modules() {
		if m.EnterpriseSection != nil {
			out = append(out, m.EnterpriseSection(s))
		}
	}
	return append(out, s.Standards.Directory().UsersSection)
}

// ToDo are the modules' parts of the to-do list, in module order.
func (s *Set) ToDo() []web.ToDoFunc {
	var out []web.ToDoFunc
	for _, m := range Modules() {
		if m.ToDo != nil {
			out = append(out, m.ToDo(s))
		}
	}
	return out
}

// Desk are the modules' sections of a user's desk, in module order.
func (s *Set) Desk() []web.DeskFunc {
	var out []web.DeskFunc
	for _, m := range Modules() {
		if m.Desk != nil {
			out = append(out, m.Desk(s))
		}
	}
	return out
}
