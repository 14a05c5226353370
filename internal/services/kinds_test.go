package services_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
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

// TestEveryKindRefusesShiftedCells: a row with a non-empty cell beyond the
// header (data shifted by a column, which the reader used to drop) is
// refused by every kind read through kit.ReadTable, with its row and
// column letter, whatever else is wrong with the row.
func TestEveryKindRefusesShiftedCells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := services.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		p := auth.Principal{UserID: 1, Login: "test", Roles: []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter,
			auth.RoleApprover, auth.RoleInspector}, Scope: auth.ScopeAll}
		const want = " D 列：有内容，但表头中该列没有列名"
		for _, k := range s.ImportKinds() {
			header := kit.Header(k.Columns)
			row := make([]string, len(header)+1)
			for i := range header {
				row[i] = "1"
			}
			row[len(header)] = "错列"
			// A trailing empty header cell: the stray cell is under it.
			file := strings.Join(append(header, ""), ",") + "\n" + strings.Join(row, ",") + "\n"
			want := strings.Replace(want, "D", kit.ColumnLetter(len(header)), 1)
			src := kit.Source{Name: k.Name + ".csv", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte(file))), nil }}
			rep, err := k.Import(ctx, p, src, kit.ImportOptions{DryRun: true})
			found := err != nil && strings.Contains(apperr.Message(err), want)
			for _, e := range rep.Errors {
				found = found || strings.Contains(e.String(), want)
			}
			if !found {
				t.Errorf("%s: a cell beyond the header is not refused with %q: %v (report errors %v)", k.Name, want, err, rep.Errors)
			}
		}
	})
}
