package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// User is an account as the console shows it. It never carries the
// password hash, so it is safe to log, audit and render.
type User struct {
	ID                 int64      `json:"id"`
	Login              string     `json:"login"`
	Name               string     `json:"name"`
	DeptID             int64      `json:"dept_id"`
	DeptName           string     `json:"dept_name"`
	Phone              string     `json:"phone"`
	Email              string     `json:"email"`
	Status             UserStatus `json:"status"`
	Scope              Scope      `json:"scope"`
	Roles              []Role     `json:"roles"`
	MustChangePassword bool       `json:"must_change_password"`
	PasswordChangedAt  time.Time  `json:"password_changed_at"`
	FailedCount        int        `json:"failed_count"`
	LockedUntil        time.Time  `json:"locked_until,omitzero"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// Locked reports whether the account is locked at now.
func (u User) Locked(now time.Time) bool { return u.LockedUntil.After(now) }

// NewUser is what an administrator fills in to create an account.
type NewUser struct {
	Login    string
	Name     string
	DeptID   int64
	Roles    []Role
	Scope    Scope // empty means ScopeOwn
	Password string
	Phone    string
	Email    string
}

// UserPatch changes the fields that are not nil.
type UserPatch struct {
	Name   *string
	DeptID *int64
	Roles  []Role // nil: unchanged
	Scope  *Scope
	Status *UserStatus
	Phone  *string
	Email  *string
}

// UserFilter selects users for ListUsers.
type UserFilter struct {
	DeptID         int64 // 0: any
	IncludeSubtree bool  // with DeptID: also its descendants
	Query          string
	Role           Role
	Status         UserStatus
	Offset, Limit  int
}

// auditUser is the audited view of an account: what an administrator set.
type auditUser struct {
	Login              string     `json:"login"`
	Name               string     `json:"name"`
	DeptID             int64      `json:"dept_id"`
	Roles              []Role     `json:"roles"`
	Scope              Scope      `json:"scope"`
	Status             UserStatus `json:"status"`
	Phone              string     `json:"phone"`
	Email              string     `json:"email"`
	MustChangePassword bool       `json:"must_change_password"`
}

func (u User) audit() auditUser {
	return auditUser{Login: u.Login, Name: u.Name, DeptID: u.DeptID, Roles: u.Roles, Scope: u.Scope,
		Status: u.Status, Phone: u.Phone, Email: u.Email, MustChangePassword: u.MustChangePassword}
}

const userSelect = `SELECT u.id, u.login, u.name, u.dept_id, d.name, u.phone, u.email, u.status, u.scope,
	u.must_change_password, u.password_changed_at, u.failed_count, u.locked_until, u.created_at, u.updated_at
	FROM users u JOIN departments d ON d.id = u.dept_id`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked sql.NullTime
	err := sc.Scan(&u.ID, &u.Login, &u.Name, &u.DeptID, &u.DeptName, &u.Phone, &u.Email, &u.Status, &u.Scope,
		&u.MustChangePassword, &u.PasswordChangedAt, &u.FailedCount, &locked, &u.CreatedAt, &u.UpdatedAt)
	u.LockedUntil = fromNull(locked)
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = u.PasswordChangedAt.UTC(), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// loadRoles fills in the roles of users.
func loadRoles(ctx context.Context, q store.Querier, users []User) error {
	if len(users) == 0 {
		return nil
	}
	var a kit.Args
	ids := make([]int64, len(users))
	at := map[int64]int{}
	for i, u := range users {
		ids[i] = u.ID
		at[u.ID] = i
		users[i].Roles = []Role{}
	}
	rows, err := q.QueryContext(ctx, `SELECT user_id, role FROM user_roles WHERE user_id IN (`+a.IDs(ids)+`)`, a.Values()...)
	if err != nil {
		return fmt.Errorf("auth: load roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r Role
		if err := rows.Scan(&id, &r); err != nil {
			return fmt.Errorf("auth: load roles: %w", err)
		}
		users[at[id]].Roles = append(users[at[id]].Roles, r)
	}
	for i := range users {
		sortRoles(users[i].Roles)
	}
	return rows.Err()
}

// getUser reads one account with its roles.
func getUser(ctx context.Context, q store.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, userSelect+` WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFound("用户不存在（编号 %d）", id)
	}
	if err != nil {
		return u, fmt.Errorf("auth: get user %d: %w", id, err)
	}
	us := []User{u}
	if err := loadRoles(ctx, q, us); err != nil {
		return u, err
	}
	return us[0], nil
}

var loginPattern = regexp.MustCompile(`^[a-z0-9._-]{3,32}$`)

// normalizeLogin is how logins are compared: trimmed and lower case.
func normalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return apperr.Invalid("登录名须为 3–32 位，只能使用小写英文字母、数字和 . _ - 符号（当前为“%s”）", truncate(login, 40))
	}
	return nil
}

func validateName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.Invalid("请填写姓名")
	case utf8.RuneCountInString(name) > 64:
		return "", apperr.Invalid("姓名不能超过 64 个字")
	}
	return name, nil
}

var phonePattern = regexp.MustCompile(`^[0-9+\- ]{5,20}$`)

func validatePhone(phone string) (string, error) {
	phone = strings.TrimSpace(phone)
	if phone != "" && !phonePattern.MatchString(phone) {
		return "", apperr.Invalid("联系电话格式不正确：只能包含数字、+、- 和空格，长度 5–20 位")
	}
	return phone, nil
}

func validateEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 128 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "", apperr.Invalid("电子邮箱格式不正确，应形如 name@example.gov.cn")
	}
	return email, nil
}

func validateScope(sc Scope) (Scope, error) {
	if sc == "" {
		return ScopeOwn, nil
	}
	if !sc.Valid() {
		return "", apperr.Invalid("未知数据权限“%s”，可选：own（本部门数据）、subtree（本部门及以下数据）、all（全部数据）", sc)
	}
	return sc, nil
}

// checkDept makes sure id names a current department.
func checkDept(ctx context.Context, q querier, id int64) error {
	var name, status string
	err := q.QueryRowContext(ctx, `SELECT name, status FROM departments WHERE id = $1`, id).Scan(&name, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Invalid("所属部门不存在（编号 %d），请重新选择", id)
	}
	if err != nil {
		return fmt.Errorf("auth: check department %d: %w", id, err)
	}
	if status != "active" {
		return apperr.Invalid("部门“%s”已更名或撤销，请选择现用部门", name)
	}
	return nil
}

// account is a validated new account ready to insert.
type account struct {
	login, name, phone, email string
	deptID                    int64
	roles                     []Role
	scope                     Scope
	mustChange                bool
	hash                      string
}

func (s *Service) validateNew(ctx context.Context, nu NewUser) (account, error) {
	a := account{login: normalizeLogin(nu.Login), deptID: nu.DeptID}
	var err error
	if err = validateLogin(a.login); err != nil {
		return a, err
	}
	if a.name, err = validateName(nu.Name); err != nil {
		return a, err
	}
	if err = checkDept(ctx, s.db.Reader(), nu.DeptID); err != nil {
		return a, err
	}
	if a.roles, err = normalizeRoles(nu.Roles); err != nil {
		return a, err
	}
	if a.scope, err = validateScope(nu.Scope); err != nil {
		return a, err
	}
	if a.phone, err = validatePhone(nu.Phone); err != nil {
		return a, err
	}
	if a.email, err = validateEmail(nu.Email); err != nil {
		return a, err
	}
	if nu.Password == "" {
		return a, apperr.Invalid("请设置初始密码")
	}
	if err = CheckPasswordPolicy(nu.Password, a.login); err != nil {
		return a, err
	}
	return a, nil
}

// insertUser adds a validated account inside tx and audits it.
func (s *Service) insertUser(ctx context.Context, tx *sql.Tx, actor audit.Actor, action string, a account, now time.Time) (int64, error) {
	var exists int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = $1`, a.login).Scan(&exists)
	if err != nil {
		return 0, fmt.Errorf("auth: check login: %w", err)
	}
	if exists > 0 {
		return 0, apperr.Conflict("登录名“%s”已被使用，请换一个", a.login)
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO users(login, name, dept_id, phone, email, status, scope, must_change_password,
		password_hash, password_changed_at, failed_count, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $10, $10) RETURNING id`,
		a.login, a.name, a.deptID, a.phone, a.email, string(StatusActive), string(a.scope), a.mustChange, a.hash, now).Scan(&id)
	if kit.IsUnique(err) {
		return 0, apperr.Conflict("登录名“%s”已被使用，请换一个", a.login)
	}
	if err != nil {
		return 0, fmt.Errorf("auth: add user %s: %w", a.login, err)
	}
	if err := setRoles(ctx, tx, id, a.roles); err != nil {
		return 0, err
	}
	if err := s.recordPassword(ctx, tx, id, a.hash, now); err != nil {
		return 0, err
	}
	after := auditUser{Login: a.login, Name: a.name, DeptID: a.deptID, Roles: a.roles, Scope: a.scope,
		Status: StatusActive, Phone: a.phone, Email: a.email, MustChangePassword: a.mustChange}
	return id, audit.Append(ctx, s.db, tx, actor, audit.Entry{Entity: "user", EntityID: fmt.Sprint(id), Action: action, After: after})
}

func setRoles(ctx context.Context, tx *sql.Tx, id int64, roles []Role) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, id); err != nil {
		return fmt.Errorf("auth: clear roles of %d: %w", id, err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles(user_id, role) VALUES ($1, $2)`, id, string(r)); err != nil {
			return fmt.Errorf("auth: add role %s to %d: %w", r, id, err)
		}
	}
	return nil
}

// recordPassword appends hash to the user's history and drops entries
// older than the reuse window.
func (s *Service) recordPassword(ctx context.Context, tx *sql.Tx, id int64, hash string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history(user_id, hash, created_at) VALUES ($1, $2, $3)`, id, hash, now); err != nil {
		return fmt.Errorf("auth: password history: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2)`, id, s.history())
	if err != nil {
		return fmt.Errorf("auth: prune password history: %w", err)
	}
	return nil
}

// checkReuse refuses pw when it matches the current password or one of the
// PasswordHistory most recent ones (the current one included).
func (s *Service) checkReuse(ctx context.Context, id int64, pw string) error {
	var current string
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, id).Scan(&current); err != nil {
		return fmt.Errorf("auth: read password of %d: %w", id, err)
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, id, s.history())
	if err != nil {
		return fmt.Errorf("auth: read password history of %d: %w", id, err)
	}
	hashes := []string{current}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return fmt.Errorf("auth: read password history of %d: %w", id, err)
		}
		if h != current {
			hashes = append(hashes, h)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: read password history of %d: %w", id, err)
	}
	for _, h := range hashes {
		ok, err := s.verify(ctx, h, pw)
		if errors.Is(err, ErrMalformedHash) {
			continue // an unreadable old hash cannot match anything
		}
		if err != nil {
			return err
		}
		if ok {
			return apperr.Invalid("新密码不能与最近 %d 次使用过的密码相同，请另设一个", s.history())
		}
	}
	return nil
}

// CreateUser adds an account. Only administrators may; the new user must
// change the initial password at first login.
func (s *Service) CreateUser(ctx context.Context, p Principal, nu NewUser) (User, error) {
	if err := p.Require(RoleAdmin); err != nil {
		return User{}, err
	}
	a, err := s.validateNew(ctx, nu)
	if err != nil {
		return User{}, err
	}
	a.mustChange = true
	if a.hash, err = s.hash(ctx, nu.Password); err != nil {
		return User{}, err
	}
	now := s.now()
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		id, err = s.insertUser(ctx, tx, p.Actor(), "create", a, now)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return getUser(ctx, s.db.Reader(), id)
}

// GetUser returns one account. Administrators see any; others see
// themselves and the accounts of departments in their data scope.
func (s *Service) GetUser(ctx context.Context, p Principal, id int64) (User, error) {
	if p.Anonymous() {
		return User{}, &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	}
	u, err := getUser(ctx, s.db.Reader(), id)
	if err != nil {
		return User{}, err
	}
	if p.Has(RoleAdmin) || p.UserID == id {
		return u, nil
	}
	ok, err := s.CanAccessDept(ctx, p, u.DeptID)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, apperr.OutOfScope("用户不存在（编号 %d）", id)
	}
	return u, nil
}

// ListUsers returns one page of accounts matching f, and how many match in
// all. Administrators see every account; others only those in their scope.
func (s *Service) ListUsers(ctx context.Context, p Principal, f UserFilter) ([]User, int, error) {
	if p.Anonymous() {
		return nil, 0, &apperr.Error{Kind: apperr.ErrUnauthenticated, Msg: "请先登录"}
	}
	win, err := listPaging.Window(f.Offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	var w kit.Where
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	if sc.None() {
		return []User{}, 0, nil
	}
	w.Scope(sc, "u.dept_id")
	if f.DeptID != 0 {
		if f.IncludeSubtree {
			ids, err := org.Subtree(ctx, s.db.Reader(), f.DeptID)
			if err != nil {
				return nil, 0, err
			}
			w.Scope(kit.DeptScope(ids...), "u.dept_id")
		} else {
			w.Add(`u.dept_id = ?`, f.DeptID)
		}
	}
	w.Contains(f.Query, "u.login", "u.name", "u.phone")
	if f.Role != "" {
		w.Add(`EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)`, string(f.Role))
	}
	if f.Status != "" {
		w.Add(`u.status = ?`, string(f.Status))
	}
	cond := w.SQL()
	var total int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM users u`+cond, w.Values()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("auth: count users: %w", err)
	}
	q := userSelect + cond + ` ORDER BY u.id` + win.SQL(&w.Args)
	rows, err := s.db.Reader().QueryContext(ctx, q, w.Values()...)
	if err != nil {
		return nil, 0, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	users := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("auth: list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("auth: list users: %w", err)
	}
	rows.Close()
	if err := loadRoles(ctx, s.db.Reader(), users); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// UpdateUser changes an account's profile, department, roles, scope or
// status. Disabling an account ends its sessions at once. An administrator
// cannot disable or demote themselves, and the last active administrator
// cannot be removed.
func (s *Service) UpdateUser(ctx context.Context, p Principal, id int64, patch UserPatch) (User, error) {
	now := s.now()
	var after User // the account as the patch leaves it (Check)
	_, err := s.accounts().Save(ctx, kit.Put[int64, User]{By: p.Actor(), Allowed: p.Require(RoleAdmin), Key: id, Action: "update",
		Audit: func(u User) any { return u.audit() },
		Check: func(tx *sql.Tx, before User, found bool) error {
			if !found {
				return apperr.NotFound("用户不存在（编号 %d）", id)
			}
			var err error
			after = before
			if patch.Name != nil {
				if after.Name, err = validateName(*patch.Name); err != nil {
					return err
				}
			}
			if patch.DeptID != nil && *patch.DeptID != before.DeptID {
				if err := checkDept(ctx, tx, *patch.DeptID); err != nil {
					return err
				}
				after.DeptID = *patch.DeptID
			}
			if patch.Roles != nil {
				if after.Roles, err = normalizeRoles(patch.Roles); err != nil {
					return err
				}
			}
			if patch.Scope != nil {
				if *patch.Scope == "" {
					return apperr.Invalid("请选择数据权限")
				}
				if after.Scope, err = validateScope(*patch.Scope); err != nil {
					return err
				}
			}
			if patch.Status != nil {
				if _, ok := StatusNames[*patch.Status]; !ok {
					return apperr.Invalid("未知账号状态“%s”，可选：active（正常）、disabled（停用）", *patch.Status)
				}
				after.Status = *patch.Status
			}
			if patch.Phone != nil {
				if after.Phone, err = validatePhone(*patch.Phone); err != nil {
					return err
				}
			}
			if patch.Email != nil {
				if after.Email, err = validateEmail(*patch.Email); err != nil {
					return err
				}
			}
			wasAdmin := before.Status == StatusActive && hasRole(before.Roles, RoleAdmin)
			isAdmin := after.Status == StatusActive && hasRole(after.Roles, RoleAdmin)
			if id == p.UserID {
				if after.Status != StatusActive {
					return apperr.Invalid("不能停用当前登录的账号")
				}
				if !hasRole(after.Roles, RoleAdmin) {
					return apperr.Invalid("不能移除自己的系统管理员角色，请由其他管理员操作")
				}
			}
			if wasAdmin && !isAdmin {
				var others int
				err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id
					WHERE r.role = $1 AND u.status = $2 AND u.id <> $3`, string(RoleAdmin), string(StatusActive), id).Scan(&others)
				if err != nil {
					return fmt.Errorf("auth: count administrators: %w", err)
				}
				if others == 0 {
					return apperr.Conflict("系统中至少须保留一名启用状态的系统管理员")
				}
			}
			return nil
		},
		Same: func(before User) bool { return fmt.Sprint(before.audit()) == fmt.Sprint(after.audit()) },
		Exec: func(tx *sql.Tx, before User, _ bool) (User, error) {
			_, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, dept_id = $2, scope = $3, status = $4, phone = $5, email = $6, updated_at = $7 WHERE id = $8`,
				after.Name, after.DeptID, string(after.Scope), string(after.Status), after.Phone, after.Email, now, id)
			if err != nil {
				return after, err
			}
			if fmt.Sprint(before.Roles) != fmt.Sprint(after.Roles) {
				if err := setRoles(ctx, tx, id, after.Roles); err != nil {
					return after, err
				}
			}
			if after.Status == StatusDisabled && before.Status != StatusDisabled {
				if _, err := revokeSessions(ctx, tx, id, "", "disabled", now); err != nil {
					return after, err
				}
			}
			return after, nil
		}})
	if err != nil {
		return User{}, err
	}
	return getUser(ctx, s.db.Reader(), id)
}

// accounts are the accounts as an administrator's changes write them, by
// id (the audit entity id). Load reads the account; one not found is not
// an error (the write's Check refuses it).
func (s *Service) accounts() kit.Setting[int64, User] {
	return kit.Setting[int64, User]{DB: s.db, Entity: "user",
		Load: func(ctx context.Context, q store.Querier, id int64) (User, bool, error) {
			u, err := getUser(ctx, q, id)
			if errors.Is(err, apperr.ErrNotFound) {
				return User{}, false, nil
			}
			return u, err == nil, err
		}}
}

func hasRole(roles []Role, want Role) bool {
	for _, r := range roles {
		if r == want {
			return true
		}
	}
	return false
}

// ResetPassword sets a new password chosen by an administrator. The user
// must change it at next login; their sessions end and any lock is lifted.
func (s *Service) ResetPassword(ctx context.Context, p Principal, id int64, newPassword string) error {
	var hash string
	now := s.now()
	var ended int64 // sessions the reset ended (Exec)
	_, err := s.accounts().Save(ctx, kit.Put[int64, User]{By: p.Actor(), Allowed: p.Require(RoleAdmin), Key: id, Action: "reset_password",
		// The policy, the history and the hash come before the transaction.
		Validate: func() error {
			u, err := getUser(ctx, s.db.Reader(), id)
			if err != nil {
				return err
			}
			if err := CheckPasswordPolicy(newPassword, u.Login); err != nil {
				return err
			}
			if err := s.checkReuse(ctx, id, newPassword); err != nil {
				return err
			}
			hash, err = s.hash(ctx, newPassword)
			return err
		},
		Check: func(_ *sql.Tx, _ User, found bool) error {
			if !found {
				return apperr.NotFound("用户不存在（编号 %d）", id)
			}
			return nil
		},
		Audit: func(u User) any {
			return map[string]any{"login": u.Login, "must_change_password": u.MustChangePassword}
		},
		AuditAfter: func(u User) any {
			return map[string]any{"login": u.Login, "must_change_password": u.MustChangePassword, "sessions_ended": ended}
		},
		Exec: func(tx *sql.Tx, u User, _ bool) (User, error) {
			_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3,
				failed_count = 0, locked_until = NULL, updated_at = $3 WHERE id = $4`, hash, true, now, id)
			if err != nil {
				return u, err
			}
			if err := s.recordPassword(ctx, tx, id, hash, now); err != nil {
				return u, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, userKey(u.Login)); err != nil {
				return u, fmt.Errorf("clear lock of %s: %w", u.Login, err)
			}
			if ended, err = revokeSessions(ctx, tx, id, "", "password_reset", now); err != nil {
				return u, err
			}
			u.MustChangePassword, u.FailedCount, u.LockedUntil = true, 0, time.Time{}
			return u, nil
		}})
	return err
}

// UnlockUser lifts a login lock before it runs out.
func (s *Service) UnlockUser(ctx context.Context, p Principal, id int64) error {
	_, err := s.unlocking().Save(ctx, kit.Write[User]{By: p.Actor(), Allowed: p.Require(RoleAdmin), ID: id, Action: "unlock",
		Exec: func(tx *sql.Tx, u User) (int64, error) {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = $1`, id); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, userKey(u.Login)); err != nil {
				return 0, fmt.Errorf("throttle of %s: %w", u.Login, err)
			}
			return id, nil
		}})
	return err
}

// unlocking is the accounts' register as an unlock writes it: the audit log
// records the login and the lock's counters. Before, locked_until is the
// stored time, the zero time for an account not locked; after, a time not
// set is null. The entries have always been so.
func (s *Service) unlocking() kit.Spec[User] {
	view := func(u User) map[string]any {
		return map[string]any{"login": u.Login, "failed_count": u.FailedCount, "locked_until": u.LockedUntil}
	}
	return kit.Spec[User]{DB: s.db, Entity: "user", Noun: "用户",
		Load:  getUser,
		Audit: func(u User) any { return view(u) },
		AuditAfter: func(u User) any {
			v := view(u)
			if u.LockedUntil.IsZero() {
				v["locked_until"] = nil
			}
			return v
		},
	}
}

// HasUsers reports whether any account exists.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) x`).Scan(&n); err != nil {
		return false, fmt.Errorf("auth: count users: %w", err)
	}
	return n > 0, nil
}

// bootstrapLock serialises Bootstrap on PostgreSQL.
const bootstrapLock = 7216101

// Bootstrap creates the first administrator, at 青海省市场监督管理局 with
// data scope all, when there are no accounts at all. They chose the
// password, so they need not change it. Afterwards it refuses.
func (s *Service) Bootstrap(ctx context.Context, login, name, password string) (User, error) {
	errTaken := apperr.Conflict("系统已有用户账号，不能再次初始化管理员；请由现有系统管理员创建账号")
	if has, err := s.HasUsers(ctx); err != nil {
		return User{}, err
	} else if has {
		return User{}, errTaken
	}
	depts, err := s.deptsByCode(ctx, codeSAMR)
	if err != nil {
		return User{}, err
	}
	a, err := s.validateNew(ctx, NewUser{Login: login, Name: name, DeptID: depts[codeSAMR], Roles: []Role{RoleAdmin}, Scope: ScopeAll, Password: password})
	if err != nil {
		return User{}, err
	}
	if a.hash, err = s.hash(ctx, password); err != nil {
		return User{}, err
	}
	now := s.now()
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.db.LockChain(ctx, tx, bootstrapLock); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("auth: count users: %w", err)
		}
		if n > 0 {
			return errTaken
		}
		id, err = s.insertUser(ctx, tx, audit.System, "bootstrap", a, now)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return getUser(ctx, s.db.Reader(), id)
}

// Directory codes of the departments accounts are seeded in.
const (
	codeRoot   = "qh"
	codeSAMR   = "qh-samr"
	codeDRC    = "qh-drc"
	codeXining = "630100"
)

// deptsByCode finds departments by directory code. When some are missing it
// seeds the built-in directory once (which only ever adds) and looks again.
func (s *Service) deptsByCode(ctx context.Context, codes ...string) (map[string]int64, error) {
	look := func() (map[string]int64, string, error) {
		ids := map[string]int64{}
		for _, c := range codes {
			var id int64
			err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, c).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, c, nil
			}
			if err != nil {
				return nil, "", fmt.Errorf("auth: department %s: %w", c, err)
			}
			ids[c] = id
		}
		return ids, "", nil
	}
	ids, missing, err := look()
	if err != nil || missing == "" {
		return ids, err
	}
	if s.org != nil {
		if _, err := s.org.EnsureDirectory(ctx); err != nil {
			return nil, err
		}
		if ids, missing, err = look(); err != nil || missing == "" {
			return ids, err
		}
	}
	return nil, apperr.NotFound("部门目录中没有编码为“%s”的部门，请先初始化部门目录", missing)
}
