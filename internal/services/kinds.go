package services

import (
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
)

// ImportKinds are the importable kinds of every register, in the order
// `sidi kinds` lists them. (When the module list exists, each module
// contributes its own kinds and this loops over it.) On a nil Set the
// kinds are only a catalogue: names and header rows, for `sidi kinds`,
// which opens no database.
func (s *Set) ImportKinds() []kit.ImportKind[auth.Principal] {
	var std *standards.Service
	if s != nil {
		std = s.Standards
	}
	var out []kit.ImportKind[auth.Principal]
	out = append(out, standards.ImportKinds(std)...)
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
