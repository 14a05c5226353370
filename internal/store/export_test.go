package store

import "context"

// CachedStatements is how many statements ctx's WithStatements cache
// holds for its current transaction.
func CachedStatements(ctx context.Context) int {
	c, _ := ctx.Value(stmtKey{}).(*stmtCache)
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}
