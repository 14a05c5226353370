package auth

import (
	"sidi/internal/apperr"
	"sidi/internal/audit"
)

// Role is what a user may do. A user holds one or more.
type Role string

// Roles, as government admin consoles name them.
const (
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleSupervisor Role = "supervisor" // 督办人员（省市场监管局）: reviews, reminders, bulletins
	RoleReporter   Role = "reporter"   // 部门填报员
	RoleApprover   Role = "approver"   // 部门审核人
	RoleInspector  Role = "inspector"  // 执法检查人员
	RoleEnterprise Role = "enterprise" // 企业用户
)

// RoleNames are the Chinese labels shown in the UI.
var RoleNames = map[Role]string{
	RoleAdmin: "系统管理员", RoleSupervisor: "督办人员", RoleReporter: "部门填报员",
	RoleApprover: "部门审核人", RoleInspector: "执法检查人员", RoleEnterprise: "企业用户",
}

// Scope is how far a user's data reach extends, as in RuoYi's 数据权限.
type Scope string

const (
	ScopeOwn     Scope = "own"     // 本部门
	ScopeSubtree Scope = "subtree" // 本部门及以下
	ScopeAll     Scope = "all"     // 全部
)

// Principal is the acting user of a request or command. The zero value is
// the anonymous public.
type Principal struct {
	UserID int64
	Login  string
	Name   string
	DeptID int64
	Roles  []Role
	Scope  Scope
	IP     string
	// TokenID is the API token the principal acts through; 0 for a
	// session or the command line.
	TokenID int64
}

// CLI is the principal for commands run by the machine's operator, who
// already holds the database files and so every right.
func CLI(name string) Principal {
	if name == "" {
		name = "cli"
	}
	return Principal{Login: "cli:" + name, Name: "命令行:" + name, Roles: []Role{RoleAdmin}, Scope: ScopeAll}
}

// Anonymous reports whether p is the public.
func (p Principal) Anonymous() bool { return p.UserID == 0 && p.Login == "" }

// Has reports whether p holds any of roles.
func (p Principal) Has(roles ...Role) bool {
	for _, r := range p.Roles {
		for _, want := range roles {
			if r == want {
				return true
			}
		}
	}
	return false
}

// Require returns a Forbidden error unless p holds one of roles.
func (p Principal) Require(roles ...Role) error {
	if p.Has(roles...) {
		return nil
	}
	if p.Anonymous() {
		return &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	}
	return apperr.Forbidden("您没有执行此操作的权限")
}

// Actor is how p appears in the audit log.
func (p Principal) Actor() audit.Actor {
	name := p.Login
	if name == "" {
		name = "anonymous"
	}
	return audit.Actor{ID: p.UserID, Name: name, IP: p.IP}
}

// RoleStrings are roles as plain strings, for declarations outside auth
// (an import kind's roles: the kit does not import auth).
func RoleStrings(roles ...Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// StringRoles are RoleStrings read back.
func StringRoles(names []string) []Role {
	out := make([]Role, len(names))
	for i, n := range names {
		out[i] = Role(n)
	}
	return out
}
