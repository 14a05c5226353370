package auth

import (
	"context"

	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// ScopeOf computes the departments whose data p may see and change, once
// per request: all for administrators and ScopeAll; p's department and
// everything below it for ScopeSubtree; p's department alone for ScopeOwn
// (and for an unset scope). The public and principals without a
// department reach none. Every register checks and filters by this one
// value (kit.Scope); the enterprise directory adds the enterprises an
// enterprise user acts for (kit.Scope.WithEnterprises).
func ScopeOf(ctx context.Context, q store.Querier, p Principal) (kit.Scope, error) {
	if p.Has(RoleAdmin) || p.Scope == ScopeAll {
		return kit.AllDepts, nil
	}
	if p.Anonymous() || p.DeptID == 0 {
		return kit.Scope{}, nil
	}
	if p.Scope == ScopeSubtree {
		ids, err := org.Subtree(ctx, q, p.DeptID)
		return kit.DeptScope(ids...), err
	}
	return kit.DeptScope(p.DeptID), nil
}

// Reach is a register's entry check: p must hold one of roles, and the
// scope it then reaches is ScopeOf.
func Reach(ctx context.Context, q store.Querier, p Principal, roles ...Role) (kit.Scope, error) {
	if err := p.Require(roles...); err != nil {
		return kit.Scope{}, err
	}
	return ScopeOf(ctx, q, p)
}

// Scope is ScopeOf over the service's database.
func (s *Service) Scope(ctx context.Context, p Principal) (kit.Scope, error) {
	return ScopeOf(ctx, s.db.Reader(), p)
}

// DeptsInScope is Scope as a pair (all, or the ids), for the callers that
// have not moved to kit.Scope yet.
func (s *Service) DeptsInScope(ctx context.Context, p Principal) (all bool, ids []int64, err error) {
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return false, nil, err
	}
	if sc.All {
		return true, nil, nil
	}
	return false, append([]int64{}, sc.Depts...), nil
}

// CanAccessDept reports whether deptID is within p's data scope.
func (s *Service) CanAccessDept(ctx context.Context, p Principal, deptID int64) (bool, error) {
	sc, err := s.Scope(ctx, p)
	return err == nil && sc.Allows(deptID), err
}
