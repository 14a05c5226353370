package services

import "sidi/internal/enterprise"

// EnterpriseSections are the modules' parts of an enterprise's page
// (/enterprises/{code}), in the order shown: each register with records
// pointing at the enterprise directory contributes one. A new register adds
// its SectionFunc here (with the module list, its entry there).
func (s *Set) EnterpriseSections() []enterprise.SectionFunc {
	return []enterprise.SectionFunc{
		s.Standards.EnterpriseSection,
		s.Bases.EnterpriseSection,
		s.Pilots.PilotsSection,
		s.Pilots.RewardsSection,
		s.Standards.Directory().UsersSection,
	}
}
