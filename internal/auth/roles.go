package auth

import (
	"sort"
	"strings"

	"sidi/internal/apperr"
)

// AllRoles lists the roles in the order the console shows them.
var AllRoles = []Role{RoleAdmin, RoleSupervisor, RoleReporter, RoleApprover, RoleInspector, RoleEnterprise}

// ScopeNames are the Chinese labels of data scopes, as RuoYi shows them.
var ScopeNames = map[Scope]string{ScopeOwn: "本部门数据", ScopeSubtree: "本部门及以下数据", ScopeAll: "全部数据"}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { _, ok := RoleNames[r]; return ok }

// Label is the Chinese name of r.
func (r Role) Label() string {
	if n, ok := RoleNames[r]; ok {
		return n
	}
	return string(r)
}

// Valid reports whether s is one of the defined scopes.
func (s Scope) Valid() bool { _, ok := ScopeNames[s]; return ok }

// Label is the Chinese name of s.
func (s Scope) Label() string {
	if n, ok := ScopeNames[s]; ok {
		return n
	}
	return string(s)
}

// UserStatus says whether an account may sign in.
type UserStatus string

const (
	StatusActive   UserStatus = "active"   // 正常
	StatusDisabled UserStatus = "disabled" // 停用
)

// StatusNames are the Chinese labels of account states.
var StatusNames = map[UserStatus]string{StatusActive: "正常", StatusDisabled: "停用"}

// Label is the Chinese name of st.
func (st UserStatus) Label() string {
	if n, ok := StatusNames[st]; ok {
		return n
	}
	return string(st)
}

// Outcome classifies a login_log entry.
type Outcome string

const (
	OutcomeSuccess     Outcome = "success"
	OutcomeBadPassword Outcome = "bad_password"
	OutcomeUnknownUser Outcome = "unknown_user"
	OutcomeLocked      Outcome = "locked"
	OutcomeDisabled    Outcome = "disabled"
	OutcomeLogout      Outcome = "logout"
	OutcomeExpired     Outcome = "expired"
	OutcomeThrottled   Outcome = "throttled"
)

// OutcomeNames are the Chinese labels of login outcomes.
var OutcomeNames = map[Outcome]string{
	OutcomeSuccess: "登录成功", OutcomeBadPassword: "密码错误", OutcomeUnknownUser: "用户不存在",
	OutcomeLocked: "账号锁定", OutcomeDisabled: "账号停用", OutcomeLogout: "退出登录",
	OutcomeExpired: "会话超时", OutcomeThrottled: "地址限制",
}

// Label is the Chinese name of o.
func (o Outcome) Label() string {
	if n, ok := OutcomeNames[o]; ok {
		return n
	}
	return string(o)
}

// normalizeRoles checks roles, drops duplicates and sorts them in AllRoles order.
func normalizeRoles(roles []Role) ([]Role, error) {
	if len(roles) == 0 {
		return nil, apperr.Invalid("请至少选择一个角色")
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		if !r.Valid() {
			return nil, apperr.Invalid("未知角色“%s”，可选：%s", r, roleChoices())
		}
		seen[r] = true
	}
	out := make([]Role, 0, len(seen))
	for _, r := range AllRoles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

func roleChoices() string {
	var parts []string
	for _, r := range AllRoles {
		parts = append(parts, string(r)+"（"+r.Label()+"）")
	}
	return strings.Join(parts, "、")
}

// sortRoles orders roles as AllRoles does.
func sortRoles(roles []Role) {
	rank := map[Role]int{}
	for i, r := range AllRoles {
		rank[r] = i
	}
	sort.SliceStable(roles, func(i, j int) bool { return rank[roles[i]] < rank[roles[j]] })
}

// joinRoles and splitRoles convert to and from the comma list of api_tokens.scopes.
func joinRoles(roles []Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func splitRoles(s string) []Role {
	var out []Role
	for _, part := range strings.Split(s, ",") {
		if r := Role(strings.TrimSpace(part)); r.Valid() {
			out = append(out, r)
		}
	}
	sortRoles(out)
	return out
}
