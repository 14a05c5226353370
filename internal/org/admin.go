package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// The methods in this file change the directory. They are for system
// administrators only: org cannot import auth (auth imports org), so the
// caller — the web layer's route roles and its handlers, or the command
// line — checks the role and passes the acting audit.Actor.

// KindNames are the Chinese labels of department kinds.
var KindNames = map[string]string{
	KindRoot: "全省", KindProvince: "省直部门", KindOffice: "内设机构",
	KindPrefecture: "市州政府", KindCounty: "县（市、区）", KindUnspecified: "未指明部门",
	KindCentral: "中央和国家机关",
}

// AdminKinds are the kinds an administrator may create, in menu order.
var AdminKinds = []string{KindProvince, KindOffice, KindPrefecture, KindCounty}

// StatusNames are the Chinese labels of department states.
var StatusNames = map[string]string{"active": "正常", "renamed": "已更名"}

// NewDepartment is what an administrator fills in to add a body.
type NewDepartment struct {
	Code      string // optional; "dept-<id>" when empty
	Name      string
	Short     string
	Kind      string
	ParentID  int64
	SortOrder *int // nil: after its current siblings
}

// DepartmentPatch changes the fields that are not nil.
type DepartmentPatch struct {
	Name      *string
	Short     *string
	ParentID  *int64
	SortOrder *int
}

// DepartmentDetail is a department as the administrator edits it.
type DepartmentDetail struct {
	Department
	SortOrder int      `json:"sort_order"`
	Aliases   []string `json:"aliases"`
}

// auditDept is the audited view of a department.
type auditDept struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Short       string   `json:"short_name"`
	Kind        string   `json:"kind"`
	ParentID    int64    `json:"parent_id"`
	SortOrder   int      `json:"sort_order"`
	Status      string   `json:"status"`
	SuccessorID int64    `json:"successor_id"`
	Aliases     []string `json:"aliases"`
	// MovedUsers lists the accounts a rename moved to the successor.
	MovedUsers []int64 `json:"moved_users,omitempty"`
}

func (d DepartmentDetail) audit() auditDept {
	return auditDept{Code: d.Code, Name: d.Name, Short: d.Short, Kind: d.Kind, ParentID: d.ParentID,
		SortOrder: d.SortOrder, Status: d.Status, SuccessorID: d.SuccessorID, Aliases: d.Aliases}
}

const detailColumns = deptColumns + `, sort_order`

func scanDetail(sc interface{ Scan(...any) error }) (DepartmentDetail, error) {
	var d DepartmentDetail
	err := sc.Scan(&d.ID, &d.Code, &d.Name, &d.Short, &d.Kind, &d.ParentID, &d.Region, &d.Status, &d.SuccessorID, &d.Note, &d.SortOrder)
	return d, err
}

// aliasesOf returns the aliases of department id, sorted.
func aliasesOf(ctx context.Context, q Querier, id int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT alias FROM department_aliases WHERE department_id = $1 ORDER BY alias`, id)
	if err != nil {
		return nil, fmt.Errorf("org: aliases of %d: %w", id, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("org: aliases of %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func getDetail(ctx context.Context, q Querier, id int64) (DepartmentDetail, error) {
	d, err := scanDetail(q.QueryRowContext(ctx, `SELECT `+detailColumns+` FROM departments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFound("部门不存在（编号 %d）", id)
	}
	if err != nil {
		return d, fmt.Errorf("org: get department %d: %w", id, err)
	}
	d.Aliases, err = aliasesOf(ctx, q, id)
	return d, err
}

// Details returns one department with its sort order and aliases.
func (s *Service) Details(ctx context.Context, id int64) (DepartmentDetail, error) {
	return getDetail(ctx, s.db.Reader(), id)
}

// ListDetails returns every department in directory order with its sort
// order and aliases.
func (s *Service) ListDetails(ctx context.Context) ([]DepartmentDetail, error) {
	q := s.db.Reader()
	rows, err := q.QueryContext(ctx, `SELECT `+detailColumns+` FROM departments ORDER BY sort_order, id`)
	if err != nil {
		return nil, fmt.Errorf("org: list departments: %w", err)
	}
	var out []DepartmentDetail
	at := map[int64]int{}
	for rows.Next() {
		d, err := scanDetail(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("org: list departments: %w", err)
		}
		d.Aliases = []string{}
		at[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: list departments: %w", err)
	}
	arows, err := q.QueryContext(ctx, `SELECT department_id, alias FROM department_aliases ORDER BY alias`)
	if err != nil {
		return nil, fmt.Errorf("org: list aliases: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id int64
		var a string
		if err := arows.Scan(&id, &a); err != nil {
			return nil, fmt.Errorf("org: list aliases: %w", err)
		}
		if i, ok := at[id]; ok {
			out[i].Aliases = append(out[i].Aliases, a)
		}
	}
	return out, arows.Err()
}

// Find returns the one department a directory code (qh-samr, 630100) or a
// name or alias (省发改委) stands for, following renames to the successor.
func (s *Service) Find(ctx context.Context, codeOrName string) (Department, error) {
	key := strings.TrimSpace(codeOrName)
	if key == "" {
		return Department{}, apperr.Invalid("请指定部门（编码、全称或简称）")
	}
	d, err := scanDept(s.db.Reader().QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE code = $1`, key))
	if err == nil {
		return d, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("org: find %s: %w", key, err)
	}
	r, err := s.Resolve(ctx, s.db.Reader(), key)
	if errors.Is(err, ErrUnknownName) {
		return Department{}, apperr.NotFound("部门目录中没有编码或名称为“%s”的部门", key)
	}
	if err != nil {
		return Department{}, err
	}
	if len(r.Departments) != 1 {
		return Department{}, apperr.Invalid("“%s”代表 %d 个部门，请指定其中一个", key, len(r.Departments))
	}
	return r.Departments[0], nil
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// isGroupName reports whether key (normalised) is a name that stands for
// several bodies or none in particular, which no single body may take.
func isGroupName(key string) bool {
	if key == NormalizeName(Unspecified) {
		return true
	}
	for _, g := range prefectureGroupAliases {
		if key == NormalizeName(g) {
			return true
		}
	}
	return false
}

// cleanText trims s and checks it is present (when required), short enough
// and free of control characters; field names the input in messages.
func cleanText(s, field string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		return "", apperr.Invalid("请填写%s", field)
	case utf8.RuneCountInString(s) > max:
		return "", apperr.Invalid("%s不能超过 %d 个字（当前 %d 个）", field, max, utf8.RuneCountInString(s))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", apperr.Invalid("%s不能包含换行、制表符等控制字符", field)
	}
	if required || s != "" {
		if isGroupName(NormalizeName(s)) {
			return "", apperr.Invalid("“%s”是多个部门的统称，不能用作单个部门的%s", s, field)
		}
	}
	return s, nil
}

func checkSortOrder(n int) error {
	if n < 0 || n > 999999 {
		return apperr.Invalid("显示顺序须为 0–999999 之间的整数")
	}
	return nil
}

// activeParent checks that id names a current body that may hold others.
func activeParent(ctx context.Context, q Querier, id int64) (Department, error) {
	if id == 0 {
		return Department{}, apperr.Invalid("请选择上级部门")
	}
	d, err := scanDept(q.QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.Invalid("上级部门不存在（编号 %d），请重新选择", id)
	}
	if err != nil {
		return d, fmt.Errorf("org: parent %d: %w", id, err)
	}
	if d.Status != "active" {
		return d, apperr.Invalid("上级部门“%s”已更名，请选择现用部门", d.Name)
	}
	if d.Kind == KindUnspecified {
		return d, apperr.Invalid("“%s”不是实际部门，不能作为上级部门", d.Name)
	}
	return d, nil
}

// checkNameFree refuses name when another body has it as name or alias.
func checkNameFree(ctx context.Context, tx *sql.Tx, name string, self int64) error {
	var other int64
	var otherName string
	err := tx.QueryRowContext(ctx, `SELECT id, name FROM departments WHERE name = $1 AND id <> $2`, name, self).Scan(&other, &otherName)
	if err == nil {
		return apperr.Conflict("部门名称“%s”已存在，不能重复", name)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("org: check name %s: %w", name, err)
	}
	return checkAliasFree(ctx, tx, name, self)
}

// checkAliasFree refuses an alias that already stands for another body.
func checkAliasFree(ctx context.Context, tx *sql.Tx, alias string, self int64) error {
	var owner string
	err := tx.QueryRowContext(ctx, `SELECT d.name FROM department_aliases a JOIN departments d ON d.id = a.department_id
		WHERE a.alias = $1 AND a.department_id <> $2`, NormalizeName(alias), self).Scan(&owner)
	if err == nil {
		return apperr.Conflict("“%s”已是部门“%s”的名称或别名，不能再用于其他部门", alias, owner)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("org: check alias %s: %w", alias, err)
	}
	return nil
}

// addAliases records names as aliases of id (normalised; ones it already
// has are skipped).
func addAliases(ctx context.Context, tx *sql.Tx, id int64, names ...string) error {
	for _, n := range names {
		if n == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO department_aliases(alias, department_id) VALUES ($1, $2) ON CONFLICT (alias) DO NOTHING`, NormalizeName(n), id); err != nil {
			return fmt.Errorf("org: alias %s: %w", n, err)
		}
	}
	return nil
}

func appendDeptAudit(ctx context.Context, s *Service, tx *sql.Tx, actor audit.Actor, id int64, action string, before, after any) error {
	return audit.Append(ctx, s.db, tx, actor, audit.Entry{Entity: "department", EntityID: fmt.Sprint(id), Action: action, Before: before, After: after})
}

// CreateDepartment adds a body below an existing one. Its name and short
// name become aliases, so plan texts naming it resolve at once.
func (s *Service) CreateDepartment(ctx context.Context, actor audit.Actor, nd NewDepartment) (DepartmentDetail, error) {
	var err error
	if nd.Name, err = cleanText(nd.Name, "部门名称", 64, true); err != nil {
		return DepartmentDetail{}, err
	}
	if nd.Short, err = cleanText(nd.Short, "部门简称", 32, false); err != nil {
		return DepartmentDetail{}, err
	}
	nd.Code = strings.TrimSpace(nd.Code)
	if nd.Code != "" {
		if !codePattern.MatchString(nd.Code) {
			return DepartmentDetail{}, apperr.Invalid("部门编码须为 2–32 位，只能使用小写英文字母、数字和 -，且不能以 - 开头（当前为“%s”）", nd.Code)
		}
		if strings.HasPrefix(nd.Code, "dept-") {
			return DepartmentDetail{}, apperr.Invalid("以 dept- 开头的部门编码由系统自动生成，请换一个或留空")
		}
	}
	kindOK := false
	for _, k := range AdminKinds {
		kindOK = kindOK || nd.Kind == k
	}
	if !kindOK {
		return DepartmentDetail{}, apperr.Invalid("请选择部门类型：省直部门、内设机构、市州政府或县（市、区）")
	}
	if nd.SortOrder != nil {
		if err := checkSortOrder(*nd.SortOrder); err != nil {
			return DepartmentDetail{}, err
		}
	}
	return s.spec().Save(ctx, kit.Write[DepartmentDetail]{By: actor, Action: "create",
		Check: func(tx *sql.Tx, _ DepartmentDetail) error {
			if _, err := activeParent(ctx, tx, nd.ParentID); err != nil {
				return err
			}
			if err := checkNameFree(ctx, tx, nd.Name, 0); err != nil {
				return err
			}
			if nd.Short != "" && NormalizeName(nd.Short) != NormalizeName(nd.Name) {
				if err := checkAliasFree(ctx, tx, nd.Short, 0); err != nil {
					return err
				}
			}
			if nd.Code != "" {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE code = $1`, nd.Code).Scan(&n); err != nil {
					return fmt.Errorf("org: check code %s: %w", nd.Code, err)
				}
				if n > 0 {
					return apperr.Conflict("部门编码“%s”已被使用，请换一个", nd.Code)
				}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ DepartmentDetail) (id int64, err error) {
			sortOrder := 0
			if nd.SortOrder != nil {
				sortOrder = *nd.SortOrder
			} else if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(sort_order), -1) + 1 FROM departments WHERE parent_id = $1`, nd.ParentID).Scan(&sortOrder); err != nil {
				return 0, fmt.Errorf("org: next sort order: %w", err)
			}
			code := nd.Code
			if code == "" {
				// Unique until replaced below, once the id is known.
				code = fmt.Sprintf("new-%d-%s", time.Now().UnixNano(), NormalizeName(nd.Name))
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO departments(code, name, short_name, kind, parent_id, region_code, sort_order, status, note, created_at)
				VALUES ($1, $2, $3, $4, $5, '', $6, 'active', '', $7) RETURNING id`,
				code, nd.Name, nd.Short, nd.Kind, nd.ParentID, sortOrder, time.Now().UTC()).Scan(&id)
			if err != nil {
				return 0, err
			}
			if nd.Code == "" {
				if _, err := tx.ExecContext(ctx, `UPDATE departments SET code = $1 WHERE id = $2`, fmt.Sprintf("dept-%d", id), id); err != nil {
					return 0, fmt.Errorf("org: code of %d: %w", id, err)
				}
			}
			return id, addAliases(ctx, tx, id, nd.Name, nd.Short)
		},
		Conflict: func() string { return fmt.Sprintf("部门名称“%s”或编码已存在，不能重复", nd.Name) },
	})
}

// spec is the department directory as the kit's save skeleton sees it; the
// audit log records a department's administered fields and aliases.
func (s *Service) spec() kit.Spec[DepartmentDetail] {
	return kit.Spec[DepartmentDetail]{DB: s.db, Entity: "department", Noun: "部门",
		Load: func(ctx context.Context, q store.Querier, id int64) (DepartmentDetail, error) {
			return getDetail(ctx, q, id)
		},
		Audit: func(d DepartmentDetail) any { return d.audit() }}
}

// subtreeQuery lists a department and all its descendants, in order.
const subtreeQuery = `WITH RECURSIVE sub(id) AS (
	SELECT id FROM departments WHERE id = $1
	UNION
	SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id
) SELECT id FROM sub ORDER BY id`

// Subtree returns id and the ids of all departments below it, in order
// (the reach of a 本部门及以下 data scope).
func Subtree(ctx context.Context, q Querier, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, subtreeQuery, id)
	if err != nil {
		return nil, fmt.Errorf("org: subtree of %d: %w", id, err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("org: subtree of %d: %w", id, err)
		}
		ids = append(ids, d)
	}
	return ids, rows.Err()
}

// inSubtree reports whether candidate is root or lies below it.
func inSubtree(ctx context.Context, q Querier, root, candidate int64) (bool, error) {
	ids, err := Subtree(ctx, q, root)
	return slices.Contains(ids, candidate), err
}

// UpdateDepartment corrects a body's name, short name, parent or display
// order. A new name or short name becomes an alias too; the old ones stay,
// so documents that used them still resolve. A body cannot be moved below
// itself.
func (s *Service) UpdateDepartment(ctx context.Context, actor audit.Actor, id int64, p DepartmentPatch) (DepartmentDetail, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getDetail(ctx, tx, id)
		if err != nil {
			return err
		}
		after := before
		if p.Name != nil {
			if after.Name, err = cleanText(*p.Name, "部门名称", 64, true); err != nil {
				return err
			}
			if after.Name != before.Name {
				if err := checkNameFree(ctx, tx, after.Name, id); err != nil {
					return err
				}
			}
		}
		if p.Short != nil {
			if after.Short, err = cleanText(*p.Short, "部门简称", 32, false); err != nil {
				return err
			}
			if after.Short != "" && after.Short != before.Short {
				if err := checkAliasFree(ctx, tx, after.Short, id); err != nil {
					return err
				}
			}
		}
		if p.ParentID != nil && *p.ParentID != before.ParentID {
			if before.ParentID == 0 {
				return apperr.Invalid("“%s”是目录的根，不能设置上级部门", before.Name)
			}
			if _, err := activeParent(ctx, tx, *p.ParentID); err != nil {
				return err
			}
			below, err := inSubtree(ctx, tx, id, *p.ParentID)
			if err != nil {
				return err
			}
			if below {
				return apperr.Invalid("上级部门不能是“%s”本身或其下级部门", before.Name)
			}
			after.ParentID = *p.ParentID
		}
		if p.SortOrder != nil {
			if err := checkSortOrder(*p.SortOrder); err != nil {
				return err
			}
			after.SortOrder = *p.SortOrder
		}
		if after.Name == before.Name && after.Short == before.Short && after.ParentID == before.ParentID && after.SortOrder == before.SortOrder {
			return nil
		}
		var parent any
		if after.ParentID != 0 {
			parent = after.ParentID
		}
		_, err = tx.ExecContext(ctx, `UPDATE departments SET name = $1, short_name = $2, parent_id = $3, sort_order = $4 WHERE id = $5`,
			after.Name, after.Short, parent, after.SortOrder, id)
		if kit.IsUnique(err) {
			return apperr.Conflict("部门名称“%s”已存在，不能重复", after.Name)
		}
		if err != nil {
			return fmt.Errorf("org: update department %d: %w", id, err)
		}
		if err := addAliases(ctx, tx, id, after.Name, after.Short); err != nil {
			return err
		}
		if after, err = getDetail(ctx, tx, id); err != nil {
			return err
		}
		return appendDeptAudit(ctx, s, tx, actor, id, "update", before.audit(), after.audit())
	})
	if err != nil {
		return DepartmentDetail{}, err
	}
	return s.Details(ctx, id)
}

// AddAlias records another way documents write a body's name, e.g. an
// older short form. Adding an alias the body already has changes nothing.
func (s *Service) AddAlias(ctx context.Context, actor audit.Actor, id int64, alias string) error {
	alias, err := cleanText(alias, "别名", 64, true)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getDetail(ctx, tx, id)
		if err != nil {
			return err
		}
		key := NormalizeName(alias)
		for _, a := range before.Aliases {
			if a == key {
				return nil
			}
		}
		if err := checkAliasFree(ctx, tx, alias, id); err != nil {
			return err
		}
		if err := addAliases(ctx, tx, id, alias); err != nil {
			return err
		}
		after, err := aliasesOf(ctx, tx, id)
		if err != nil {
			return err
		}
		return appendDeptAudit(ctx, s, tx, actor, id, "add_alias",
			map[string]any{"name": before.Name, "aliases": before.Aliases},
			map[string]any{"name": before.Name, "aliases": after, "added": key})
	})
}

// MarkRenamed records that body id was renamed or merged into successorID.
// The old body keeps its row, aliases and history with status "renamed";
// names that resolve to it resolve to the successor from now on. The
// accounts of the old body move to the successor in the same transaction
// (their ids are in the audit record), so its staff keep working there.
func (s *Service) MarkRenamed(ctx context.Context, actor audit.Actor, id, successorID int64) error {
	if successorID == 0 {
		return apperr.Invalid("请选择更名后的部门（承接单位）")
	}
	if successorID == id {
		return apperr.Invalid("更名后的部门不能是其本身")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getDetail(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Status != "active" {
			return apperr.Conflict("部门“%s”已标记为更名，不能重复标记", before.Name)
		}
		if before.Kind == KindRoot || before.Kind == KindUnspecified {
			return apperr.Invalid("“%s”不能标记为更名", before.Name)
		}
		succ, err := scanDept(tx.QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE id = $1`, successorID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("更名后的部门不存在（编号 %d），请重新选择", successorID)
		}
		if err != nil {
			return fmt.Errorf("org: successor %d: %w", successorID, err)
		}
		if succ.Status != "active" || succ.Kind == KindUnspecified || succ.Kind == KindRoot {
			return apperr.Invalid("“%s”不能作为承接单位，请选择一个现用部门", succ.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE departments SET status = 'renamed', successor_id = $1 WHERE id = $2`, successorID, id); err != nil {
			return fmt.Errorf("org: mark %d renamed: %w", id, err)
		}
		moved, err := moveUsers(ctx, tx, id, successorID)
		if err != nil {
			return err
		}
		after := before
		after.Status, after.SuccessorID = "renamed", successorID
		aa := after.audit()
		aa.MovedUsers = moved
		return appendDeptAudit(ctx, s, tx, actor, id, "rename", before.audit(), aa)
	})
}

// moveUsers moves the accounts of department from to department to and
// returns their ids in order.
func moveUsers(ctx context.Context, tx *sql.Tx, from, to int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE dept_id = $1 ORDER BY id`, from)
	if err != nil {
		return nil, fmt.Errorf("org: users of %d: %w", from, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("org: users of %d: %w", from, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: users of %d: %w", from, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET dept_id = $1, updated_at = $2 WHERE dept_id = $3`, to, time.Now().UTC(), from); err != nil {
		return nil, fmt.Errorf("org: move users of %d to %d: %w", from, to, err)
	}
	return ids, nil
}
