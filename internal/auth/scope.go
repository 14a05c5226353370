package auth

import (
	"context"
	"fmt"
)

// subtreeQuery lists a department and all its descendants.
const subtreeQuery = `WITH RECURSIVE sub(id) AS (
	SELECT id FROM departments WHERE id = $1
	UNION
	SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id
) SELECT id FROM sub ORDER BY id`

// subtree returns id and the ids of all departments below it.
func (s *Service) subtree(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.db.Reader().QueryContext(ctx, subtreeQuery, id)
	if err != nil {
		return nil, fmt.Errorf("auth: department subtree of %d: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("auth: department subtree of %d: %w", id, err)
		}
		ids = append(ids, d)
	}
	return ids, rows.Err()
}

// DeptsInScope returns the departments whose data p may see: all (all is
// true and ids nil) for administrators and ScopeAll; p's department and
// everything below it for ScopeSubtree; p's department alone for ScopeOwn
// (and for an unset scope). The public and principals without a
// department see nothing.
func (s *Service) DeptsInScope(ctx context.Context, p Principal) (all bool, ids []int64, err error) {
	if p.Has(RoleAdmin) || p.Scope == ScopeAll {
		return true, nil, nil
	}
	if p.Anonymous() || p.DeptID == 0 {
		return false, []int64{}, nil
	}
	if p.Scope == ScopeSubtree {
		ids, err := s.subtree(ctx, p.DeptID)
		return false, ids, err
	}
	return false, []int64{p.DeptID}, nil
}

// CanAccessDept reports whether deptID is within p's data scope.
func (s *Service) CanAccessDept(ctx context.Context, p Principal, deptID int64) (bool, error) {
	all, ids, err := s.DeptsInScope(ctx, p)
	if err != nil || all {
		return all, err
	}
	for _, id := range ids {
		if id == deptID {
			return true, nil
		}
	}
	return false, nil
}
