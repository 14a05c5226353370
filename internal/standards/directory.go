package standards

import (
	"context"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
)

// The enterprises that declare standards are entries of the enterprise
// directory (internal/enterprise); these names keep the registry's callers
// working on top of it.

// creditChars are the characters of a credit code.
const creditChars = creditcode.Alphabet

// CreditCheck returns the check character of the first 17 characters of a
// credit code (see package creditcode).
func CreditCheck(first17 string) byte { return creditcode.Check(first17) }

// ParseCreditCode checks a unified social credit code as typed and returns
// it normalised (see package creditcode).
func ParseCreditCode(s string) (string, error) { return creditcode.Parse(s) }

// Enterprise is a company that declares the standards it applies.
type Enterprise = enterprise.Enterprise

// EnterpriseInput registers an enterprise.
type EnterpriseInput = enterprise.Input

// Directory returns the enterprise directory the registry uses.
func (s *Service) Directory() *enterprise.Service { return s.ent }

// CreateEnterprise registers an enterprise (administrators and supervisors).
func (s *Service) CreateEnterprise(ctx context.Context, p auth.Principal, in EnterpriseInput) (Enterprise, error) {
	return s.ent.Create(ctx, p, in)
}

// Enterprise returns one enterprise.
func (s *Service) Enterprise(ctx context.Context, id int64) (Enterprise, error) {
	return s.ent.Get(ctx, id)
}

// Enterprises lists the enterprises p may act for.
func (s *Service) Enterprises(ctx context.Context, p auth.Principal) ([]Enterprise, error) {
	return s.ent.ForPrincipal(ctx, p)
}

// LinkUser lets an enterprise user act for an enterprise.
func (s *Service) LinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	return s.ent.LinkUser(ctx, p, userID, enterpriseID)
}

// UnlinkUser ends a user's right to act for an enterprise.
func (s *Service) UnlinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	return s.ent.UnlinkUser(ctx, p, userID, enterpriseID)
}

// LinkLogin links the user with this login name to an enterprise.
func (s *Service) LinkLogin(ctx context.Context, p auth.Principal, login string, enterpriseID int64) error {
	return s.ent.LinkLogin(ctx, p, login, enterpriseID)
}

// EnterpriseUsers lists the logins linked to each enterprise.
func (s *Service) EnterpriseUsers(ctx context.Context, p auth.Principal) (map[int64][]string, error) {
	return s.ent.Users(ctx, p)
}

// actsFor reports whether p may declare for the enterprise (the enterprise
// role's scope, see enterprise.(*Service).ActsFor).
func (s *Service) actsFor(ctx context.Context, q querier, p auth.Principal, enterpriseID int64) error {
	return s.ent.ActsFor(ctx, q, p, enterpriseID)
}
