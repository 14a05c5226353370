package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// appendOnlyTables may be read and appended to by the server's role, never
// changed: their history is the audit trail.
var appendOnlyTables = []string{"audit_log", "login_log"}

// sqlIdent is an unquoted SQL name (a role or a table).
var sqlIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// GrantAppRole lets role, a PostgreSQL role that does not own the tables,
// run the server: read and write every ordinary table and use the
// sequences, but only read and append to the audit and login logs. Without
// ownership it cannot drop their triggers, alter or truncate them. Run it
// as the owner after every migration (new tables need their grants).
func (db *DB) GrantAppRole(ctx context.Context, role string) error {
	if db.dialect != Postgres {
		return errors.New("store: roles exist on PostgreSQL only (数据库角色仅适用于 PostgreSQL)")
	}
	if !sqlIdent.MatchString(role) {
		return fmt.Errorf("store: role name %q: lower-case letters, digits and _ only (角色名只能含小写字母、数字和下划线)", role)
	}
	var schema, owner string
	if err := db.write.QueryRowContext(ctx, `SELECT current_schema(), current_user`).Scan(&schema, &owner); err != nil {
		return fmt.Errorf("store: grant: %w", err)
	}
	if role == owner {
		return fmt.Errorf("store: %s owns the tables; the server needs a different role (服务角色不能是表所有者)", role)
	}
	r, s := quoteIdent(role), quoteIdent(schema)
	logs := strings.Join(appendOnlyTables, ", ")
	stmts := []string{
		`REVOKE ALL ON SCHEMA ` + s + ` FROM ` + r,
		`GRANT USAGE ON SCHEMA ` + s + ` TO ` + r,
		`REVOKE ALL ON ALL TABLES IN SCHEMA ` + s + ` FROM ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + s + ` TO ` + r,
		`REVOKE UPDATE, DELETE ON ` + logs + `, schema_migrations FROM ` + r,
		`REVOKE INSERT ON schema_migrations FROM ` + r,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + s + ` TO ` + r,
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: grant: %w", err)
	}
	defer tx.Rollback()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: grant %s: %s: %w", role, q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: grant: %w", err)
	}
	return nil
}

// RoleStatus says who this connection is and who may change the logs.
type RoleStatus struct {
	Current        string
	Owner          string // owner of audit_log
	CurrentIsOwner bool
	Superuser      bool
	// Loose lists grants that let a role other than the owner update,
	// delete or truncate a log table ("role: UPDATE on audit_log").
	Loose []string
}

// Roles reports the PostgreSQL roles around the audit tables.
func (db *DB) Roles(ctx context.Context) (RoleStatus, error) {
	var rs RoleStatus
	if db.dialect != Postgres {
		return rs, nil
	}
	err := db.read.QueryRowContext(ctx, `SELECT current_user, pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'MEMBER'), r.rolsuper
		FROM pg_class c, pg_roles r WHERE c.oid = to_regclass('audit_log') AND r.rolname = current_user`).
		Scan(&rs.Current, &rs.Owner, &rs.CurrentIsOwner, &rs.Superuser)
	if err != nil {
		return rs, fmt.Errorf("store: roles: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(r.rolname, 'PUBLIC'), a.privilege_type, c.relname
		FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
		WHERE c.oid IN (to_regclass('audit_log'), to_regclass('login_log')) AND a.grantee <> c.relowner
			AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER')
		ORDER BY 1, 3, 2`)
	if err != nil {
		return rs, fmt.Errorf("store: roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, priv, table string
		if err := rows.Scan(&role, &priv, &table); err != nil {
			return rs, fmt.Errorf("store: roles: %w", err)
		}
		rs.Loose = append(rs.Loose, role+": "+priv+" on "+table)
	}
	return rs, rows.Err()
}
