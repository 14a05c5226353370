package services

import (
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
)

// ImportKinds are the importable kinds of every module, in module order
// (the order `sidi kinds` lists them). On a nil Set they are only a
// catalogue: names and header rows, for `sidi kinds`, which opens no
// database.
func (s *Set) ImportKinds() []kit.ImportKind[auth.Principal] {
	var out []kit.ImportKind[auth.Principal]
	for _, m := range Modules() {
		if m.ImportKinds != nil {
			out = append(out, m.ImportKinds(s)...)
		}
	}
	return out
}

// ImportKind returns the kind called name, or false.
func (s *Set) ImportKind(name string) (kit.ImportKind[auth.Principal], bool) {
	for _, k := range s.ImportKinds() {
		if k.Name == name {
			return k, true
		}
	}
	return kit.ImportKind[auth.Principal]{}, false
}

// standardsKinds picks the standards package's kind called name (the
// registry and the declarations live in one service, two modules).
func standardsKinds(name string) func(s *Set) []kit.ImportKind[auth.Principal] {
	return func(s *Set) []kit.ImportKind[auth.Principal] {
		var std *standards.Service
		if s != nil {
			std = s.Standards
		}
		for _, k := range standards.ImportKinds(std) {
			if k.Name == name {
				return []kit.ImportKind[auth.Principal]{k}
			}
		}
		return nil
	}
}
