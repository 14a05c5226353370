package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/store"
)

// Department is one body in the directory.
type Department struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Short       string `json:"short_name"`
	Kind        string `json:"kind"`
	ParentID    int64  `json:"parent_id,omitempty"`
	Region      string `json:"region_code,omitempty"`
	Status      string `json:"status"`
	SuccessorID int64  `json:"successor_id,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Label is the form people use day to day: the short name when there is one.
func (d Department) Label() string {
	if d.Short != "" {
		return d.Short
	}
	return d.Name
}

// Querier is what both *sql.DB and *sql.Tx offer, so lookups can run inside
// a caller's transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Service manages the directory.
type Service struct {
	db *store.DB
}

// NewService returns a directory service over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// NormalizeName folds width and spacing so "各市（州）政府" and
// "各市(州)政府 " look up alike.
func NormalizeName(s string) string {
	s = norm.NFKC.String(s)
	return strings.Join(strings.Fields(s), "")
}

// EnsureDirectory adds the built-in bodies that are missing, and their
// aliases, and returns how many departments it added. It never changes or
// removes what an administrator has edited.
func (s *Service) EnsureDirectory(ctx context.Context) (int, error) {
	added := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ids := map[string]int64{}
		now := time.Now().UTC()
		have := map[string]bool{} // the aliases recorded so far
		err := store.EachRow(ctx, tx, `SELECT alias FROM department_aliases`, nil, func(r *sql.Rows) error {
			var a string
			err := r.Scan(&a)
			have[a] = true
			return err
		})
		if err != nil {
			return fmt.Errorf("org: aliases: %w", err)
		}
		insert := func(d seedDept, sort int) error {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, d.Code).Scan(&id)
			if err == nil {
				ids[d.Code] = id
				return s.seedAliases(ctx, tx, id, d, have)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("org: look up %s: %w", d.Code, err)
			}
			var parent, successor any
			if d.Parent != "" {
				parent = ids[d.Parent]
			}
			status := "active"
			if d.Successor != "" {
				successor, status = ids[d.Successor], "renamed"
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO departments(code, name, short_name, kind, parent_id, region_code, sort_order, status, successor_id, note, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
				d.Code, d.Name, d.Short, d.Kind, parent, d.Region, sort, status, successor, d.Note, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("org: add %s: %w", d.Name, err)
			}
			ids[d.Code] = id
			added++
			for _, a := range append([]string{d.Name, d.Short}, d.Aliases...) {
				if a == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO department_aliases(alias, department_id) VALUES ($1, $2) ON CONFLICT (alias) DO NOTHING`, NormalizeName(a), id); err != nil {
					return fmt.Errorf("org: alias %s: %w", a, err)
				}
			}
			return audit.Append(ctx, s.db, tx, audit.System, audit.Entry{Entity: "department", EntityID: fmt.Sprint(id), Action: "seed", After: d})
		}
		for i, d := range builtin {
			if err := insert(d, i); err != nil {
				return err
			}
		}
		for i, c := range counties {
			if err := insert(seedDept{Code: c.Code, Name: c.Name, Short: c.Name, Kind: KindCounty, Parent: c.Parent, Region: c.Code}, 1000+i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// seedAliases gives a body the directory already holds the built-in
// aliases a later release added to it (a database created before the
// central ministries' short forms still resolves them), with an audit
// entry naming them; an alias another body holds stays with it, and
// aliases are never taken away.
func (s *Service) seedAliases(ctx context.Context, tx *sql.Tx, id int64, d seedDept, have map[string]bool) error {
	var added []string
	for _, a := range append([]string{d.Name, d.Short}, d.Aliases...) {
		if a == "" || have[NormalizeName(a)] {
			continue
		}
		have[NormalizeName(a)] = true
		res, err := tx.ExecContext(ctx, `INSERT INTO department_aliases(alias, department_id) VALUES ($1, $2) ON CONFLICT (alias) DO NOTHING`, NormalizeName(a), id)
		if err != nil {
			return fmt.Errorf("org: alias %s: %w", a, err)
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			added = append(added, a)
		}
	}
	if len(added) == 0 {
		return nil
	}
	return audit.Append(ctx, s.db, tx, audit.System, audit.Entry{Entity: "department", EntityID: fmt.Sprint(id), Action: "seed",
		After: map[string]any{"aliases": added}})
}

const deptColumns = `id, code, name, short_name, kind, COALESCE(parent_id, 0), region_code, status, COALESCE(successor_id, 0), note`

func scanDept(sc interface{ Scan(...any) error }) (Department, error) {
	var d Department
	err := sc.Scan(&d.ID, &d.Code, &d.Name, &d.Short, &d.Kind, &d.ParentID, &d.Region, &d.Status, &d.SuccessorID, &d.Note)
	return d, err
}

// List returns every department in directory order.
func (s *Service) List(ctx context.Context) ([]Department, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+deptColumns+` FROM departments ORDER BY sort_order, id`)
	if err != nil {
		return nil, fmt.Errorf("org: list departments: %w", err)
	}
	defer rows.Close()
	var out []Department
	for rows.Next() {
		d, err := scanDept(rows)
		if err != nil {
			return nil, fmt.Errorf("org: list departments: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Get returns one department by id.
func (s *Service) Get(ctx context.Context, id int64) (Department, error) {
	d, err := scanDept(s.db.Reader().QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFound("部门不存在（编号 %d）", id)
	}
	if err != nil {
		return d, fmt.Errorf("org: get department %d: %w", id, err)
	}
	return d, nil
}

// Resolution is what a name as written in a document stands for.
type Resolution struct {
	Written     string       // the name as the document writes it
	Departments []Department // the bodies it denotes (several for a group)
	Via         string       // the group name when it expanded, e.g. 各市州政府
}

// ErrUnknownName marks a name the directory cannot place.
var ErrUnknownName = errors.New("org: unknown department name")

// Resolve maps a name as written to the bodies it denotes: an alias to one
// body (following renames to the successor), "各市州政府" to the eight
// prefecture governments, "相关部门" to the visible unspecified owner.
func (s *Service) Resolve(ctx context.Context, q Querier, written string) (Resolution, error) {
	r := Resolution{Written: written}
	key := NormalizeName(written)
	for _, g := range prefectureGroupAliases {
		if key == NormalizeName(g) {
			rows, err := q.QueryContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE kind = $1 AND status = 'active' ORDER BY sort_order, id`, KindPrefecture)
			if err != nil {
				return r, fmt.Errorf("org: resolve %s: %w", written, err)
			}
			defer rows.Close()
			for rows.Next() {
				d, err := scanDept(rows)
				if err != nil {
					return r, fmt.Errorf("org: resolve %s: %w", written, err)
				}
				r.Departments = append(r.Departments, d)
			}
			r.Via = AllPrefectures
			return r, rows.Err()
		}
	}
	d, err := scanDept(q.QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE id = (SELECT department_id FROM department_aliases WHERE alias = $1)`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: %q (部门目录中没有“%s”，请在部门管理中添加或在审核页更正名称)", ErrUnknownName, written, written)
	}
	if err != nil {
		return r, fmt.Errorf("org: resolve %s: %w", written, err)
	}
	for hops := 0; d.SuccessorID != 0 && hops < 10; hops++ {
		d, err = scanDept(q.QueryRowContext(ctx, `SELECT `+deptColumns+` FROM departments WHERE id = $1`, d.SuccessorID))
		if err != nil {
			return r, fmt.Errorf("org: follow successor of %s: %w", written, err)
		}
	}
	r.Departments = []Department{d}
	return r, nil
}
