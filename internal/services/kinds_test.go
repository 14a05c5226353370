package services_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/services"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestKindsDeclareWhoImports: every kind names the roles that may import
// it (the web import page lists it by them), and its Import refuses a
// caller holding none of them by itself, before the file is read, so the
// declaration and the service agree and neither is the only guard.
func TestKindsDeclareWhoImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := services.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		all := []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover, auth.RoleInspector, auth.RoleEnterprise}
		opened := false
		src := kit.Source{Name: "x.csv", Open: func() (_ io.ReadCloser, err error) {
			opened = true
			return nil, errors.New("the file was read")
		}}
		for _, k := range s.ImportKinds() {
			if len(k.Roles) == 0 || k.Import == nil {
				t.Errorf("%s: no roles or no import", k.Name)
				continue
			}
			for _, r := range all {
				if slices.Contains(k.Roles, string(r)) {
					continue
				}
				p := auth.Principal{UserID: 4242, Login: "someone", Roles: []auth.Role{r}, Scope: auth.ScopeAll}
				opened = false
				_, err := k.Import(ctx, p, src, kit.ImportOptions{})
				if !errors.Is(err, apperr.ErrForbidden) || opened {
					t.Errorf("%s as %s: %v (file read: %v), want a refusal before reading", k.Name, r, err, opened)
				}
			}
		}
	})
}
