package plan

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Version statuses.
const (
	StatusDraft      = "draft"
	StatusApproved   = "approved"
	StatusSuperseded = "superseded"
	StatusDiscarded  = "discarded"
)

// StatusLabels are the Chinese names of version statuses.
var StatusLabels = map[string]string{
	StatusDraft: "待审核草稿", StatusApproved: "现行版本", StatusSuperseded: "已被替代", StatusDiscarded: "已废弃",
}

// Service runs plan import, review and approval.
type Service struct {
	db    *store.DB
	org   *org.Service
	views viewCache
}

// NewService returns a plan service.
func NewService(db *store.DB, o *org.Service) *Service { return &Service{db: db, org: o} }

// Version is one stored version of a plan: a draft under review or an
// approved (possibly superseded) text.
type Version struct {
	ID            int64     `json:"id"`
	PlanID        int64     `json:"plan_id"`
	PlanCode      string    `json:"plan_code"`
	Number        int       `json:"version"`
	Status        string    `json:"status"`
	SourceName    string    `json:"source_name"`
	SourceSHA256  string    `json:"source_sha256"`
	BaseVersionID int64     `json:"base_version_id,omitempty"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	ApprovedBy    string    `json:"approved_by,omitempty"`
	ApprovedAt    time.Time `json:"approved_at,omitzero"`
	Document      *Document `json:"document"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Version  *Version
	Existing bool     // the same text was already imported; nothing was written
	Changes  []Change // against the current approved version
}

// Import parses src and stores it as a draft version of the plan it
// belongs to (matched by code when given, created with that code when no
// plan has it; else matched by title), ready for review.
// Importing the same text again changes nothing and returns the existing version.
// ImportWith is the strict form the import pages and commands use.
func (s *Service) Import(ctx context.Context, p auth.Principal, sourceName string, src []byte, planCode string) (*ImportResult, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	if planCode != "" && !ValidCode(planCode) {
		return nil, apperr.Invalid("方案代码“%s”不合规：只能用字母、数字和 - . _，以字母或数字开头，不超过 48 个字符", clip(planCode))
	}
	return s.importText(ctx, p, sourceName, src, ImportOptions{Plan: planCode})
}

func (s *Service) importText(ctx context.Context, p auth.Principal, sourceName string, src []byte, o ImportOptions) (*ImportResult, error) {
	doc, err := Parse(src)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Msg: "无法识别方案文本：" + parseHint(err), Err: err}
	}
	sum := sha256.Sum256(src)
	sha := hex.EncodeToString(sum[:])
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("plan: import: encode document: %w", err)
	}
	res := &ImportResult{}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		planID, code, err := s.findOrCreatePlan(ctx, tx, p, o, doc)
		if err != nil {
			return err
		}
		var existing int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM plan_versions WHERE plan_id = $1 AND source_sha256 = $2 AND status <> $3 ORDER BY id DESC LIMIT 1`,
			planID, sha, StatusDiscarded).Scan(&existing)
		if err == nil {
			res.Existing = true
			res.Version, err = getVersion(ctx, tx, existing)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("plan: import: look for same text: %w", err)
		}
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE plan_id = $1`, planID).Scan(&next); err != nil {
			return fmt.Errorf("plan: import: next version: %w", err)
		}
		var base any
		var baseID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM plan_versions WHERE plan_id = $1 AND status = $2`, planID, StatusApproved).Scan(&baseID); err == nil {
			base = baseID
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("plan: import: current version: %w", err)
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO plan_versions(plan_id, version, status, source_name, source_sha256, source_text, document, base_version_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			planID, next, StatusDraft, sourceName, sha, decodedText(src), string(docJSON), base, p.Login, time.Now().UTC()).Scan(&id)
		if err != nil {
			return fmt.Errorf("plan: import: store draft: %w", err)
		}
		if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "plan_version", EntityID: fmt.Sprint(id), Action: "import",
			After: map[string]any{"plan": code, "version": next, "source": sourceName, "sha256": sha, "tasks": len(doc.Tasks())}}); err != nil {
			return err
		}
		res.Version, err = getVersion(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if res.Version.BaseVersionID != 0 {
		base, err := s.Version(ctx, res.Version.BaseVersionID)
		if err != nil {
			return nil, err
		}
		res.Changes = Diff(base.Document, res.Version.Document)
	} else {
		res.Changes = Diff(nil, res.Version.Document)
	}
	return res, nil
}

func parseHint(err error) string {
	switch {
	case errors.Is(err, ErrEmptyDocument):
		return "文件为空"
	case errors.Is(err, ErrNoTasks):
		return "未找到编号的重点任务（如“1.加大标准的有效供给。”）"
	case errors.Is(err, ErrDocx):
		return "无法读取 .docx 文件，请另存为 .docx 或 .txt 后重试"
	}
	var nt *NotTextError
	if errors.As(err, &nt) {
		return fmt.Sprintf("文件不是文本（第 %d 字节起含二进制内容），请上传方案的 .txt 文本", nt.Offset)
	}
	return err.Error()
}

// decodedText stores the source as readable text even when it arrived in
// GB18030, so the review page can show it beside the extraction.
func decodedText(src []byte) string {
	if isDocx(src) {
		if t, err := DocxText(src); err == nil {
			return t
		}
	}
	if t, err := DecodeText(src); err == nil {
		return t
	}
	return string(src)
}

func (s *Service) findOrCreatePlan(ctx context.Context, tx *sql.Tx, p auth.Principal, o ImportOptions, doc *Document) (int64, string, error) {
	var id int64
	var err error
	code := o.Plan
	switch {
	case o.NewPlan:
		err = sql.ErrNoRows
	case code != "":
		err = tx.QueryRowContext(ctx, `SELECT id FROM plans WHERE code = $1`, code).Scan(&id)
	default:
		err = tx.QueryRowContext(ctx, `SELECT id, code FROM plans WHERE title = $1 ORDER BY id LIMIT 1`, doc.Title).Scan(&id, &code)
	}
	if err == nil {
		return id, code, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("plan: find plan: %w", err)
	}
	if code == "" {
		if code, err = derivedCode(ctx, tx, doc); err != nil {
			return 0, "", err
		}
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO plans(code, title, created_at) VALUES ($1, $2, $3) RETURNING id`, code, doc.Title, time.Now().UTC()).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("plan: create plan %s: %w", code, err)
	}
	if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "plan", EntityID: fmt.Sprint(id), Action: "create",
		After: map[string]any{"code": code, "title": doc.Title}}); err != nil {
		return 0, "", err
	}
	return id, code, nil
}

// derivedCode names a new plan after its issue year and title: the year
// and six hex digits of the title's SHA-256, with -2, -3 … when a plan of
// the same title already has it.
func derivedCode(ctx context.Context, tx *sql.Tx, doc *Document) (string, error) {
	sum := sha256.Sum256([]byte(doc.Title))
	year := "plan"
	if len(doc.Issued) >= 4 {
		year = doc.Issued[:4]
	}
	base := fmt.Sprintf("%s-%s", year, hex.EncodeToString(sum[:3]))
	code := base
	for n := 2; ; n++ {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plans WHERE code = $1`, code).Scan(&taken); err != nil {
			return "", fmt.Errorf("plan: derive code: %w", err)
		}
		if taken == 0 {
			return code, nil
		}
		code = fmt.Sprintf("%s-%d", base, n)
	}
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const versionColumns = `v.id, v.plan_id, p.code, v.version, v.status, v.source_name, v.source_sha256, COALESCE(v.base_version_id, 0),
	v.created_by, v.created_at, COALESCE(v.approved_by, ''), v.approved_at, v.document`

func scanVersion(sc interface{ Scan(...any) error }) (*Version, error) {
	v := &Version{}
	var approvedAt sql.NullTime
	var doc string
	if err := sc.Scan(&v.ID, &v.PlanID, &v.PlanCode, &v.Number, &v.Status, &v.SourceName, &v.SourceSHA256, &v.BaseVersionID,
		&v.CreatedBy, &v.CreatedAt, &v.ApprovedBy, &approvedAt, &doc); err != nil {
		return nil, err
	}
	if approvedAt.Valid {
		v.ApprovedAt = approvedAt.Time
	}
	v.Document = &Document{}
	if err := json.Unmarshal([]byte(doc), v.Document); err != nil {
		return nil, fmt.Errorf("plan: version %d: decode document: %w", v.ID, err)
	}
	return v, nil
}

func getVersion(ctx context.Context, q querier, id int64) (*Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE v.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("方案版本不存在（编号 %d）", id)
	}
	if err != nil {
		return nil, fmt.Errorf("plan: get version %d: %w", id, err)
	}
	return v, nil
}

// Version returns one version with its document.
func (s *Service) Version(ctx context.Context, id int64) (*Version, error) {
	return getVersion(ctx, s.db.Reader(), id)
}

// SourceText returns the text a version was imported from.
func (s *Service) SourceText(ctx context.Context, id int64) (string, error) {
	var t string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT source_text FROM plan_versions WHERE id = $1`, id).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("方案版本不存在（编号 %d）", id)
	}
	if err != nil {
		return "", fmt.Errorf("plan: source of version %d: %w", id, err)
	}
	return t, nil
}

// Versions lists every version of every plan, newest first.
func (s *Service) Versions(ctx context.Context) ([]*Version, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+versionColumns+` FROM plan_versions v JOIN plans p ON p.id = v.plan_id ORDER BY v.plan_id, v.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("plan: list versions: %w", err)
	}
	defer rows.Close()
	var out []*Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("plan: list versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UpdateDraft replaces the document of a draft with the reviewer's
// corrections. Every problem is reported at once and nothing is saved
// while any remains.
func (s *Service) UpdateDraft(ctx context.Context, p auth.Principal, id int64, doc *Document) (*Version, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	for pi := range doc.Pillars {
		for ti := range doc.Pillars[pi].Tasks {
			doc.Pillars[pi].Tasks[ti].SyncOwners()
		}
	}
	if ps := Validate(doc); len(ps) > 0 {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Msg: "修改未保存：" + ProblemsError(ps).chinese(), Err: ProblemsError(ps)}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("plan: update draft: encode: %w", err)
	}
	return versions(s.db, versionDocument).Save(ctx, kit.Write[*Version]{By: p.Actor(), ID: id, Action: "edit",
		Check: func(_ *sql.Tx, v *Version) error {
			if v.Status != StatusDraft {
				return apperr.Conflict("只能修改待审核草稿；第 %d 版状态为“%s”", v.Number, StatusLabels[v.Status])
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ *Version) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE plan_versions SET document = $1 WHERE id = $2`, string(b), id)
			return id, err
		}})
}

func (e ProblemsError) chinese() string {
	s := ""
	for i, p := range e {
		if i > 0 {
			s += "；"
		}
		s += p.String()
	}
	return s
}

// Discard withdraws a draft without approving it.
func (s *Service) Discard(ctx context.Context, p auth.Principal, id int64) error {
	_, err := versions(s.db, versionStatus).Save(ctx, kit.Write[*Version]{By: p.Actor(), Allowed: p.Require(auth.RoleAdmin, auth.RoleSupervisor), ID: id, Action: "discard",
		Check: func(_ *sql.Tx, v *Version) error {
			if v.Status != StatusDraft {
				return apperr.Conflict("只能废弃待审核草稿；第 %d 版状态为“%s”", v.Number, StatusLabels[v.Status])
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ *Version) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE plan_versions SET status = $1 WHERE id = $2`, StatusDiscarded, id)
			return id, err
		}})
	return err
}

// versions are the plan versions as the kit writes them; view is what the
// audit log records of one: its status (versionStatus) for a discard, its
// document (versionDocument) for an edit.
func versions(db *store.DB, view func(*Version) any) kit.Spec[*Version] {
	return kit.Spec[*Version]{DB: db, Entity: "plan_version", Noun: "方案版本",
		Load:  func(ctx context.Context, q store.Querier, id int64) (*Version, error) { return getVersion(ctx, q, id) },
		Audit: view}
}

func versionStatus(v *Version) any   { return map[string]any{"status": v.Status} }
func versionDocument(v *Version) any { return v.Document }

// Approve makes a draft the plan's current version: it validates the
// document, resolves every department name against the directory, writes
// the structured rows and supersedes the previous version, all in one
// transaction.
func (s *Service) Approve(ctx context.Context, p auth.Principal, id int64) (*Version, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	var out *Version
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		v, err := getVersion(ctx, tx, id)
		if err != nil {
			return err
		}
		if v.Status != StatusDraft {
			return apperr.Conflict("只能审核通过待审核草稿；第 %d 版状态为“%s”", v.Number, StatusLabels[v.Status])
		}
		if ps := Validate(v.Document); len(ps) > 0 {
			return &apperr.Error{Kind: apperr.ErrInvalid, Msg: "不能审核通过：" + ProblemsError(ps).chinese(), Err: ProblemsError(ps)}
		}
		if err := s.materialize(ctx, tx, v); err != nil {
			return err
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE plan_versions SET status = $1 WHERE plan_id = $2 AND status = $3`, StatusSuperseded, v.PlanID, StatusApproved); err != nil {
			return fmt.Errorf("plan: supersede: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_versions SET status = $1, approved_by = $2, approved_at = $3 WHERE id = $4`, StatusApproved, p.Login, now, id); err != nil {
			return fmt.Errorf("plan: approve %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET title = $1 WHERE id = $2`, v.Document.Title, v.PlanID); err != nil {
			return fmt.Errorf("plan: approve %d: %w", id, err)
		}
		if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "plan_version", EntityID: fmt.Sprint(id), Action: "approve",
			Before: map[string]any{"status": v.Status}, After: map[string]any{"status": StatusApproved, "version": v.Number}}); err != nil {
			return err
		}
		out, err = getVersion(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Service) materialize(ctx context.Context, tx *sql.Tx, v *Version) error {
	d := v.Document
	var unknown []Problem
	for i, g := range d.Goals {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_goals(version_id, ordinal, title, text) VALUES ($1, $2, $3, $4)`, v.ID, i+1, g.Title, g.Text); err != nil {
			return fmt.Errorf("plan: store goal %d: %w", i+1, err)
		}
	}
	for _, r := range d.Requirements {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_requirements(version_id, number, title, text) VALUES ($1, $2, $3, $4)`, v.ID, r.Number, r.Title, r.Text); err != nil {
			return fmt.Errorf("plan: store requirement %d: %w", r.Number, err)
		}
	}
	for _, pl := range d.Pillars {
		var pillarID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO plan_pillars(version_id, number, title) VALUES ($1, $2, $3) RETURNING id`, v.ID, pl.Number, pl.Title).Scan(&pillarID); err != nil {
			return fmt.Errorf("plan: store pillar %d: %w", pl.Number, err)
		}
		for _, t := range pl.Tasks {
			var taskID int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO plan_tasks(version_id, pillar_id, number, title, text) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				v.ID, pillarID, t.Number, t.Title, t.Text).Scan(&taskID); err != nil {
				return fmt.Errorf("plan: store task %d: %w", t.Number, err)
			}
			clauses := t.Clauses
			if len(clauses) == 0 {
				clauses = []Clause{{Lead: t.Lead, Co: t.Co}}
			}
			for ci, c := range clauses {
				for _, role := range []struct {
					name  string
					names []string
				}{{"lead", c.Lead}, {"co", c.Co}} {
					for _, written := range role.names {
						res, err := s.org.Resolve(ctx, tx, written)
						if errors.Is(err, org.ErrUnknownName) {
							unknown = append(unknown, Problem{Where: fmt.Sprintf("任务 %d", t.Number), What: fmt.Sprintf("部门目录中没有“%s”", written)})
							continue
						}
						if err != nil {
							return err
						}
						for _, dep := range res.Departments {
							if _, err := tx.ExecContext(ctx, `INSERT INTO plan_responsibilities(task_id, clause, role, name_written, department_id, via) VALUES ($1, $2, $3, $4, $5, $6)`,
								taskID, ci+1, role.name, written, dep.ID, res.Via); err != nil {
								return fmt.Errorf("plan: store responsibility of task %d: %w", t.Number, err)
							}
						}
					}
				}
			}
			for i, g := range t.Targets {
				if _, err := tx.ExecContext(ctx, `INSERT INTO plan_targets(task_id, ordinal, year, text, comparator, value, max_value, unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
					taskID, i+1, g.Year, g.Text, g.Comparator, g.Value, g.Max, g.Unit); err != nil {
					return fmt.Errorf("plan: store target %d of task %d: %w", i+1, t.Number, err)
				}
			}
			for i, title := range t.Deliverables {
				if _, err := tx.ExecContext(ctx, `INSERT INTO plan_deliverables(task_id, ordinal, title) VALUES ($1, $2, $3)`, taskID, i+1, title); err != nil {
					return fmt.Errorf("plan: store deliverable %d of task %d: %w", i+1, t.Number, err)
				}
			}
		}
	}
	if len(unknown) > 0 {
		return &apperr.Error{Kind: apperr.ErrInvalid,
			Msg: "不能审核通过：" + ProblemsError(unknown).chinese() + "。请在审核页更正名称，或由管理员在部门目录中添加该部门。",
			Err: ProblemsError(unknown)}
	}
	return nil
}
