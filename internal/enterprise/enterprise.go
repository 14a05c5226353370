package enterprise

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Editors may register enterprises, rename them and link users to them.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Registrars may record an enterprise by code and name while saving a
// register's row (EnsureTx): the staff roles that write registers.
// Inspectors register the user units of special equipment (internal/equipment).
var Registrars = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleReporter, auth.RoleApprover, auth.RoleInspector}

// maxName bounds a name in characters.
const maxName = 200

// Enterprise is one entry of the directory.
type Enterprise struct {
	ID         int64  `json:"id"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	Address    string `json:"address"`
	Contact    string `json:"contact"`
	Demo       bool   `json:"demo"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	// Names is the name history, oldest first; the last is the current
	// name. Filled by Get and ByCreditCode only.
	Names []Name `json:"names,omitempty"`
}

// FormerNames are the names before the current one, latest first.
func (e Enterprise) FormerNames() []Name {
	var out []Name
	for i := len(e.Names) - 2; i >= 0; i-- {
		if e.Names[i].Name != e.Name {
			out = append(out, e.Names[i])
		}
	}
	return out
}

// Name is one name of an enterprise from a day on.
type Name struct {
	Name       string `json:"name"`
	ValidFrom  string `json:"valid_from"`
	RecordedBy string `json:"recorded_by"`
	RecordedAt string `json:"recorded_at"`
}

// Input registers an enterprise.
type Input struct {
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Region     string `json:"region"` // GB/T 2260; empty: characters 3–8 of the code
	Address    string `json:"address"`
	Contact    string `json:"contact"`
	Demo       bool   `json:"demo"`
	Note       string `json:"note"`
}

// Service manages the directory.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the directory over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

const columns = `e.id, e.credit_code, e.name, e.region, e.address, e.contact, e.demo, e.created_at, e.updated_at`

type scanner interface{ Scan(...any) error }

func scan(sc scanner) (Enterprise, error) {
	var e Enterprise
	var demo int
	err := sc.Scan(&e.ID, &e.CreditCode, &e.Name, &e.Region, &e.Address, &e.Contact, &demo, &e.CreatedAt, &e.UpdatedAt)
	e.Demo = demo != 0
	return e, err
}

// ValidRegion reports whether s is a GB/T 2260 division code: six digits.
func ValidRegion(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RegionOf returns the division code carried by a credit code (characters
// 3–8), or "" when there is none.
func RegionOf(code string) string {
	if len(code) == 18 && ValidRegion(code[2:8]) {
		return code[2:8]
	}
	return ""
}

// record is a checked Input.
type record struct {
	Input
	code, region string
}

func check(in Input) (record, error) {
	var es kit.Errors
	r := record{Input: in}
	code, err := creditcode.Parse(in.CreditCode)
	if err != nil {
		es.Add("credit_code", "%s", apperr.Message(err))
	}
	r.code = code
	r.Name = strings.TrimSpace(in.Name)
	switch {
	case r.Name == "":
		es.Add("name", "企业名称不能为空")
	case utf8.RuneCountInString(r.Name) > maxName:
		es.Add("name", "企业名称不能超过 %d 个字", maxName)
	}
	r.region = strings.TrimSpace(in.Region)
	if r.region == "" {
		r.region = RegionOf(code)
	} else if !ValidRegion(r.region) {
		es.Add("region", "行政区划代码应为 6 位数字（GB/T 2260），“%s”不是", r.region)
	}
	r.Address = strings.TrimSpace(in.Address)
	r.Contact = strings.TrimSpace(in.Contact)
	r.Note = strings.TrimSpace(in.Note)
	return r, es.Err()
}

// Create registers an enterprise by its credit code (administrators and
// supervisors).
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input) (Enterprise, error) {
	var e Enterprise
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = s.CreateTx(ctx, tx, p, in, "create")
		return err
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, e.ID)
}

// CreateTx registers an enterprise inside the caller's transaction and
// records action ("create", "import" …) in the audit log.
func (s *Service) CreateTx(ctx context.Context, tx *sql.Tx, p auth.Principal, in Input, action string) (Enterprise, error) {
	if err := p.Require(Editors...); err != nil {
		return Enterprise{}, err
	}
	r, err := check(in)
	if err != nil {
		return Enterprise{}, err
	}
	return s.insert(ctx, tx, p, r, action)
}

func (s *Service) insert(ctx context.Context, tx *sql.Tx, p auth.Principal, r record, action string) (Enterprise, error) {
	now := s.stamp()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO enterprises(credit_code, name, region, address, contact, demo, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		r.code, r.Name, r.region, r.Address, r.Contact, store.BoolInt(r.Demo), r.Note, now).Scan(&id)
	if kit.IsUnique(err) {
		return Enterprise{}, apperr.Conflict("统一社会信用代码 %s 已登记", r.code)
	}
	if err != nil {
		return Enterprise{}, fmt.Errorf("enterprise: create %s: %w", r.code, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_names(enterprise_id, name, valid_from, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
		id, r.Name, s.today(), p.Actor().Name, now); err != nil {
		return Enterprise{}, fmt.Errorf("enterprise: create %s: name: %w", r.code, err)
	}
	e, err := load(ctx, tx, id)
	if err != nil {
		return Enterprise{}, err
	}
	if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "enterprise", EntityID: strconv.FormatInt(id, 10), Action: action, After: e}); err != nil {
		return Enterprise{}, err
	}
	return e, nil
}

func load(ctx context.Context, q store.Querier, id int64) (Enterprise, error) {
	e, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM enterprises e WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, notFound(id)
	}
	if err != nil {
		return e, fmt.Errorf("enterprise: load %d: %w", id, err)
	}
	return e, nil
}

// notFound is the refusal of an enterprise id with no entry.
func notFound(id int64) error { return apperr.NotFound("没有编号为 %d 的企业", id) }

func names(ctx context.Context, q store.Querier, id int64) ([]Name, error) {
	out := []Name{}
	err := store.EachRow(ctx, q, `SELECT name, valid_from, recorded_by, recorded_at FROM enterprise_names WHERE enterprise_id = $1 ORDER BY valid_from, id`, []any{id}, func(r *sql.Rows) error {
		var n Name
		err := r.Scan(&n.Name, &n.ValidFrom, &n.RecordedBy, &n.RecordedAt)
		out = append(out, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enterprise: names of %d: %w", id, err)
	}
	return out, nil
}

// Get returns one enterprise with its name history (public: the name and
// code of an enterprise are published with what it declares).
func (s *Service) Get(ctx context.Context, id int64) (Enterprise, error) {
	e, err := load(ctx, s.db.Reader(), id)
	if err != nil {
		return e, err
	}
	e.Names, err = names(ctx, s.db.Reader(), id)
	return e, err
}

// ByCreditCode returns the enterprise with a code (as typed; it is checked
// and normalised first), with its name history.
func (s *Service) ByCreditCode(ctx context.Context, code string) (Enterprise, error) {
	c, err := creditcode.Parse(code)
	if err != nil {
		return Enterprise{}, err
	}
	var id int64
	err = s.db.Reader().QueryRowContext(ctx, `SELECT id FROM enterprises WHERE credit_code = $1`, c).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Enterprise{}, apperr.NotFound("统一社会信用代码 %s 未登记", c)
	}
	if err != nil {
		return Enterprise{}, fmt.Errorf("enterprise: by code %s: %w", c, err)
	}
	return s.Get(ctx, id)
}

// IDByCreditCode returns the id of the enterprise with a normalised code
// inside q, or 0 when there is none.
func IDByCreditCode(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM enterprises WHERE credit_code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("enterprise: by code %s: %w", code, err)
	}
	return id, nil
}

// Rename records a new name from a day on (today when from is empty); the
// former name stays in the history and still finds the enterprise.
func (s *Service) Rename(ctx context.Context, p auth.Principal, id int64, name, from string) (Enterprise, error) {
	if err := p.Require(Editors...); err != nil {
		return Enterprise{}, err
	}
	name = strings.TrimSpace(name)
	from = strings.TrimSpace(from)
	var es kit.Errors
	switch {
	case name == "":
		es.Add("name", "企业名称不能为空")
	case utf8.RuneCountInString(name) > maxName:
		es.Add("name", "企业名称不能超过 %d 个字", maxName)
	}
	if from == "" {
		from = s.today()
	} else if _, err := time.Parse("2006-01-02", from); err != nil {
		es.Add("valid_from", "启用日期“%s”应写作 YYYY-MM-DD", from)
	} else if from > s.today() {
		es.Add("valid_from", "启用日期 %s 晚于今天", from)
	}
	if err := es.Err(); err != nil {
		return Enterprise{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		hist, err := names(ctx, tx, id)
		if err != nil {
			return err
		}
		if name == before.Name {
			return kit.Errors{{Field: "name", Msg: "新名称与现名称相同"}}
		}
		if n := len(hist); n > 0 && from < hist[n-1].ValidFrom {
			return kit.Errors{{Field: "valid_from", Msg: fmt.Sprintf("启用日期 %s 早于现名称“%s”的启用日期 %s", from, hist[n-1].Name, hist[n-1].ValidFrom)}}
		}
		return s.setName(ctx, tx, p, before, name, from, "rename")
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, id)
}

// setName records name as the current name from a day on, in tx.
func (s *Service) setName(ctx context.Context, tx *sql.Tx, p auth.Principal, before Enterprise, name, from, action string) error {
	now := s.stamp()
	if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_names(enterprise_id, name, valid_from, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
		before.ID, name, from, p.Actor().Name, now); err != nil {
		return fmt.Errorf("enterprise: rename %d: %w", before.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE enterprises SET name = $1, updated_at = $2 WHERE id = $3`, name, now, before.ID); err != nil {
		return fmt.Errorf("enterprise: rename %d: %w", before.ID, err)
	}
	after := before
	after.Name, after.UpdatedAt = name, now
	return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "enterprise", EntityID: strconv.FormatInt(before.ID, 10), Action: action,
		Before: map[string]any{"name": before.Name}, After: map[string]any{"name": name, "valid_from": from}})
}

// regionEntry is an enterprise's region as SetRegion writes it and the
// audit log records it.
type regionEntry struct {
	Region string `json:"region"`
}

// regions are the enterprises' regions as the kit writes them, under the
// entity "enterprise" and the enterprise's id.
func regions(db *store.DB) kit.Setting[int64, regionEntry] {
	return kit.Setting[int64, regionEntry]{DB: db, Entity: "enterprise",
		Load: func(ctx context.Context, q store.Querier, id int64) (regionEntry, bool, error) {
			var r regionEntry
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT region FROM enterprises WHERE id = $1`, id).Scan(&r.Region))
			return r, found, err
		}}
}

// SetRegion corrects an enterprise's region (a GB/T 2260 division code);
// the region it already has changes nothing (no audit entry).
func (s *Service) SetRegion(ctx context.Context, p auth.Principal, id int64, region string) (Enterprise, error) {
	region = strings.TrimSpace(region)
	_, err := regions(s.db).Save(ctx, kit.Put[int64, regionEntry]{By: p.Actor(), Allowed: p.Require(Editors...), Key: id, Action: "region",
		Validate: func() error {
			if !ValidRegion(region) {
				return kit.Errors{{Field: "region", Msg: fmt.Sprintf("行政区划代码应为 6 位数字（GB/T 2260），“%s”不是", region)}}
			}
			return nil
		},
		Check: func(_ *sql.Tx, _ regionEntry, found bool) error {
			if !found {
				return notFound(id)
			}
			return nil
		},
		Same: func(before regionEntry) bool { return before.Region == region },
		Exec: func(tx *sql.Tx, _ regionEntry, _ bool) (regionEntry, error) {
			_, err := tx.ExecContext(ctx, `UPDATE enterprises SET region = $1, updated_at = $2 WHERE id = $3`, region, s.stamp(), id)
			return regionEntry{region}, err
		}})
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, id)
}

// LinkTx is the enterprise column of a register's row: nil without a code
// or a directory (s nil), else the entry's id, recorded by EnsureTx when p
// may register enterprises and only looked up when p may not (an
// inspector links a known enterprise, and a code the directory lacks
// leaves the row unlinked).
func (s *Service) LinkTx(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (any, error) {
	if code == "" || s == nil {
		return nil, nil
	}
	id, err := s.EnsureTx(ctx, tx, p, code, name, demo)
	if errors.Is(err, apperr.ErrForbidden) {
		id, err = IDByCreditCode(ctx, tx, code)
	}
	if err != nil || id == 0 {
		return nil, err
	}
	return id, nil
}

// EnsureTx finds the enterprise with a credit code, or registers it under
// name (as a demo entry when demo is set: a demo record names it), inside
// the caller's transaction, and returns its id. A register
// saving a row that names an entity by code calls it so the row can point
// at the directory. When name was never recorded for the enterprise (not
// the current name nor a former one) it becomes the current name from
// today; a name from its history does not turn the clock back. The caller
// has checked its own rights; EnsureTx still requires a staff role that
// writes registers.
func (s *Service) EnsureTx(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (int64, error) {
	if err := p.Require(Registrars...); err != nil {
		return 0, err
	}
	c, err := creditcode.Parse(code)
	if err != nil {
		return 0, err
	}
	name = strings.TrimSpace(name)
	id, err := IDByCreditCode(ctx, tx, c)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		if name == "" {
			return 0, kit.Errors{{Field: "name", Msg: fmt.Sprintf("统一社会信用代码 %s 尚未登记，请填写单位名称", c)}}
		}
		r, err := check(Input{CreditCode: c, Name: name, Demo: demo, Note: "由登记事项按统一社会信用代码登记"})
		if err != nil {
			return 0, err
		}
		e, err := s.insert(ctx, tx, p, r, "ensure")
		if err != nil {
			return 0, err
		}
		return e.ID, nil
	}
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return id, nil
	}
	var known int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise_names WHERE enterprise_id = $1 AND name = $2`, id, name).Scan(&known); err != nil {
		return 0, fmt.Errorf("enterprise: ensure %s: %w", c, err)
	}
	before, err := load(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	if known > 0 || before.Name == name {
		return id, nil
	}
	from := s.today()
	if hist, err := names(ctx, tx, id); err != nil {
		return 0, err
	} else if n := len(hist); n > 0 && hist[n-1].ValidFrom > from {
		from = hist[n-1].ValidFrom
	}
	return id, s.setName(ctx, tx, p, before, name, from, "rename")
}
