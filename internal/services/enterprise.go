package services

import "sidi/internal/enterprise"

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
