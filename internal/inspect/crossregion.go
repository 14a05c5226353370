package inspect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Cross-region cases (跨区域检查): a drawn entity located in one
// prefecture but registered (登记管理机关, the credit code's characters
// 3–8) in another is handed over to, or inspected with the assistance
// of, the bureau of the prefecture where it is registered.

// Cross-region modes and statuses.
const (
	ModeHandover = "handover" // 移交登记地监管部门检查
	ModeAssist   = "assist"   // 请登记地监管部门协助检查

	CrossRequested = "requested"
	CrossAccepted  = "accepted"
	CrossDone      = "done"
	CrossDeclined  = "declined"
)

// CrossModeLabels and CrossStatusLabels name them.
var (
	CrossModeLabels   = map[string]string{ModeHandover: "移交登记地检查", ModeAssist: "请登记地协助检查"}
	CrossStatusLabels = map[string]string{CrossRequested: "已发出，待对方接收", CrossAccepted: "对方已接收", CrossDone: "已办结", CrossDeclined: "对方退回"}
	crossNext         = map[string][]string{CrossRequested: {CrossAccepted, CrossDeclined}, CrossAccepted: {CrossDone}}
)

// CrossNext lists the statuses a case may move to from status.
func CrossNext(status string) []string { return crossNext[status] }

// prefectureOf is the six-digit prefecture code of a division: the
// directory's for Qinghai, the first four digits elsewhere.
func prefectureOf(code string) string {
	if r, ok := org.LookupRegion(code); ok && r.Prefecture != "" {
		return r.Prefecture
	}
	if len(code) == 6 {
		return code[:4] + "00"
	}
	return ""
}

// PrefectureName names a prefecture code (other provinces' by code).
func PrefectureName(code string) string {
	if n := org.RegionName(code); n != "" {
		return n
	}
	return "外省（区划 " + code + "）"
}

// CrossCase is a cross-region case.
type CrossCase struct {
	ID         int64  `json:"id"`
	DrawID     int64  `json:"draw_id"`
	DrawName   string `json:"draw_name"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Here       string `json:"here"`
	Home       string `json:"home"`
	Mode       string `json:"mode"`
	Status     string `json:"status"`
	Note       string `json:"note"`
	Reply      string `json:"reply"`
	CreatedBy  string `json:"created_by"`
	CreatedAt  string `json:"created_at"`
	UpdatedBy  string `json:"updated_by"`
	UpdatedAt  string `json:"updated_at"`
	// FromDept sent the case; ToDept is the receiving bureau, whose inbox
	// lists it (0: not in the directory — the sender records the answer).
	FromDept     int64  `json:"from_dept"`
	FromDeptName string `json:"from_dept_name"`
	ToDept       int64  `json:"to_dept"`
	ToDeptName   string `json:"to_dept_name"`
	// Answerable says whether the caller may accept, return or close it
	// (lists only).
	Answerable bool `json:"answerable"`
}

// answerer is the department that answers a case: the receiver, or the
// sender when the receiver is outside the directory.
func (c CrossCase) answerer() int64 {
	if c.ToDept != 0 {
		return c.ToDept
	}
	return c.FromDept
}

// Receiver is a department a case may be sent to.
type Receiver struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Default bool   `json:"default"` // the prefecture's government
}

// CrossReceivers lists, per prefecture of homes, the active departments of
// the directory located in it (by their region code), the prefecture's
// government first.
func (s *Service) CrossReceivers(ctx context.Context, homes []string) (map[string][]Receiver, error) {
	out := map[string][]Receiver{}
	want := map[string]bool{}
	for _, h := range homes {
		want[h] = true
	}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, name, kind, region_code FROM departments WHERE status = 'active' AND region_code <> '' AND kind <> $1 ORDER BY sort_order, id`,
		[]any{org.KindRoot}, func(r *sql.Rows) error {
			var x Receiver
			var kind, region string
			if err := r.Scan(&x.ID, &x.Name, &kind, &region); err != nil {
				return err
			}
			h := prefectureOf(region)
			if !want[h] {
				return nil
			}
			if x.Default = kind == org.KindPrefecture && region == h; x.Default {
				out[h] = append([]Receiver{x}, out[h]...)
			} else {
				out[h] = append(out[h], x)
			}
			return nil
		})
	return out, err
}

// receiver checks the receiving department of a case for home: the one
// named (which must lie in home) or, for 0, the prefecture's government;
// 0 when home has no department in the directory (another province).
func (s *Service) receiver(ctx context.Context, home string, id int64) (int64, error) {
	rs, err := s.CrossReceivers(ctx, []string{home})
	if err != nil {
		return 0, err
	}
	for _, r := range rs[home] {
		if id == 0 && r.Default || id != 0 && r.ID == id {
			return r.ID, nil
		}
	}
	if id == 0 && len(rs[home]) == 0 {
		return 0, nil
	}
	if id == 0 {
		return 0, apperr.Invalid("请选择%s的接收部门", PrefectureName(home))
	}
	return 0, apperr.Invalid("接收部门须为%s的部门", PrefectureName(home))
}

// CrossCandidate is a drawn entity registered in another prefecture with
// no case yet.
type CrossCandidate struct {
	DrawID     int64  `json:"draw_id"`
	DrawName   string `json:"draw_name"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Here       string `json:"here"`
	Home       string `json:"home"`
}

// CrossCandidates lists, for the latest drawn draws, the drawn entities
// registered in another prefecture than where they are, without a case.
func (s *Service) CrossCandidates(ctx context.Context, p auth.Principal, draws, limit int) ([]CrossCandidate, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	var out []CrossCandidate
	err := store.EachRow(ctx, s.db.Reader(), `SELECT d.id, d.name, a.credit_code, e.name, e.region FROM inspect_assignments a
		JOIN inspect_draws d ON d.id = a.draw_id JOIN inspect_entities e ON e.credit_code = a.credit_code
		WHERE d.id IN (SELECT id FROM inspect_draws WHERE status = 'drawn' AND kind = 'draw' ORDER BY id DESC LIMIT $1)
		AND substr(a.credit_code, 3, 4) <> substr(e.region, 1, 4)
		AND NOT EXISTS (SELECT 1 FROM inspect_crossregion c WHERE c.draw_id = a.draw_id AND c.credit_code = a.credit_code)
		ORDER BY d.id DESC, a.seq`, []any{draws}, func(r *sql.Rows) error {
		if len(out) >= limit {
			return nil
		}
		var c CrossCandidate
		var region string
		if err := r.Scan(&c.DrawID, &c.DrawName, &c.CreditCode, &c.Name, &region); err != nil {
			return err
		}
		c.Here, c.Home = prefectureOf(region), prefectureOf(c.CreditCode[2:8])
		if c.Here != c.Home {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

func checkText(v, what string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > max || !utf8.ValidString(v) || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 && c != '\n' || c == 0x7f }) {
		return v, apperr.Invalid("%s不能超过 %d 个字，且不能含有控制字符", what, max)
	}
	return v, nil
}

// crossRegister is the cross-region cases as the kit writes them (one
// read with crossCols); view is what the audit log records of a case: an
// opening records it whole (openedView), a move its status and reply
// (movedView).
func crossRegister(db *store.DB, view func(CrossCase) any) kit.Spec[CrossCase] {
	return kit.Spec[CrossCase]{DB: db, Entity: "inspect_crossregion", Noun: "跨区域案件",
		Missing: func(id int64) string { return fmt.Sprintf("跨区域案件 %d 不存在", id) },
		Load: func(ctx context.Context, q store.Querier, id int64) (CrossCase, error) {
			var c CrossCase
			err := q.QueryRowContext(ctx, crossCols+` WHERE c.id = $1`, id).Scan(&c.ID, &c.DrawID, &c.DrawName, &c.CreditCode, &c.Name, &c.Here, &c.Home, &c.Mode, &c.Status, &c.Note, &c.Reply,
				&c.CreatedBy, &c.CreatedAt, &c.UpdatedBy, &c.UpdatedAt, &c.FromDept, &c.FromDeptName, &c.ToDept, &c.ToDeptName)
			if errors.Is(err, sql.ErrNoRows) {
				return c, apperr.NotFound("跨区域案件 %d 不存在", id)
			}
			if err != nil {
				return c, fmt.Errorf("inspect: cross-region case %d: %w", id, err)
			}
			return c, nil
		},
		Audit: view}
}

// openedView is what the audit log records of an opened case.
func openedView(c CrossCase) any {
	return map[string]any{"draw_id": c.DrawID, "credit_code": c.CreditCode, "here": c.Here, "home": c.Home, "mode": c.Mode, "status": c.Status, "note": c.Note,
		"from_dept": c.FromDept, "to_dept": c.ToDept}
}

// movedView is what the audit log records of a case before and after a
// move.
func movedView(c CrossCase) any { return map[string]any{"status": c.Status, "reply": c.Reply} }

// OpenCross opens a cross-region case for an entity of a drawn draw: the
// entity must be among the draw's and registered in another prefecture.
// The case goes from p's department to toDept, a department of the
// registration prefecture (0: its government), whose inbox then lists it.
func (s *Service) OpenCross(ctx context.Context, p auth.Principal, drawID int64, code, mode, note string, toDept int64) (CrossCase, error) {
	c := CrossCase{DrawID: drawID, CreditCode: strings.ToUpper(strings.TrimSpace(code)), Mode: mode, Status: CrossRequested, FromDept: p.DeptID}
	twice := func() string {
		return fmt.Sprintf("第 %d 号抽查中 %s 的跨区域案件已登记", drawID, c.CreditCode)
	}
	return crossRegister(s.db, openedView).Save(ctx, kit.Write[CrossCase]{By: p.Actor(), Allowed: p.Require(Editors...), Action: "create", Conflict: twice,
		Validate: func() error {
			if CrossModeLabels[mode] == "" {
				return apperr.Invalid("方式须为“移交登记地检查”或“请登记地协助检查”")
			}
			var err error
			if c.Note, err = checkText(note, "说明", 1000); err != nil {
				return err
			}
			var region string
			err = s.db.Reader().QueryRowContext(ctx, `SELECT e.name, e.region FROM inspect_assignments a JOIN inspect_draws d ON d.id = a.draw_id
				JOIN inspect_entities e ON e.credit_code = a.credit_code WHERE a.draw_id = $1 AND a.credit_code = $2 AND d.status = 'drawn'`, drawID, c.CreditCode).Scan(&c.Name, &region)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("检查对象 %s 不在第 %d 号抽查的结果中", kit.ClipRunes(c.CreditCode, 20), drawID)
			}
			if err != nil {
				return fmt.Errorf("inspect: cross-region entity %s: %w", c.CreditCode, err)
			}
			c.Here, c.Home = prefectureOf(region), prefectureOf(c.CreditCode[2:8])
			if c.Here == c.Home {
				return apperr.Invalid("检查对象 %s 的登记地与所在地同属%s，不是跨区域案件", c.CreditCode, PrefectureName(c.Here))
			}
			if c.ToDept, err = s.receiver(ctx, c.Home, toDept); err != nil {
				return err
			}
			if c.ToDept != 0 && c.ToDept == c.FromDept {
				return apperr.Invalid("接收部门不能是本部门")
			}
			return nil
		},
		Check: func(tx *sql.Tx, _ CrossCase) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_crossregion WHERE draw_id = $1 AND credit_code = $2`, drawID, c.CreditCode).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict("%s", twice())
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ CrossCase) (int64, error) {
			by, at := p.Actor().Name, s.stamp()
			err := tx.QueryRowContext(ctx, `INSERT INTO inspect_crossregion(draw_id, credit_code, here, home, mode, status, note, reply, created_by, created_at, updated_by, updated_at, from_dept, to_dept)
				VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $8, $9, $10, $11) RETURNING id`, drawID, c.CreditCode, c.Here, c.Home, c.Mode, c.Status, c.Note, by, at, c.FromDept, c.ToDept).Scan(&c.ID)
			return c.ID, err
		}})
}

// crossActions are the audit actions of the moves.
var crossActions = map[string]string{CrossAccepted: "accept", CrossDeclined: "return", CrossDone: "complete"}

// MoveCross records the receiving bureau's answer or the end of a case:
// requested → accepted | declined (a return needs its reason), accepted →
// done. Only the receiving department (or, for a receiver outside the
// directory, the sending one) answers; a case outside p's scope is not
// found, one p only sent is refused.
func (s *Service) MoveCross(ctx context.Context, p auth.Principal, id int64, status, reply string) (CrossCase, error) {
	sc, reach := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	// A status with no action is refused by Check before anything is
	// written or recorded; "move" only lets the kit get that far.
	action := cmpOr(crossActions[status], "move")
	return crossRegister(s.db, movedView).Save(ctx, kit.Write[CrossCase]{By: p.Actor(), Allowed: reach, ID: id, Action: action,
		Validate: func() error {
			var err error
			if reply, err = checkText(reply, "办理情况", 1000); err != nil {
				return err
			}
			if status == CrossDeclined && reply == "" {
				return apperr.Invalid("退回案件须写明理由")
			}
			return nil
		},
		Check: func(_ *sql.Tx, c CrossCase) error {
			switch {
			case sc.Allows(c.answerer()):
			case sc.Allows(c.FromDept):
				return apperr.Forbidden("跨区域案件 %d 由接收部门接收、退回和办结", id)
			default:
				return apperr.OutOfScope("跨区域案件 %d 不存在", id)
			}
			if !slices.Contains(crossNext[c.Status], status) {
				return apperr.Invalid("“%s”的案件不能改为“%s”", CrossStatusLabels[c.Status], cmpOr(CrossStatusLabels[status], kit.ClipRunes(status, 20)))
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ CrossCase) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE inspect_crossregion SET status = $1, reply = $2, updated_by = $3, updated_at = $4 WHERE id = $5`, status, reply, p.Actor().Name, s.stamp(), id)
			return id, err
		}})
}

const crossCols = `SELECT c.id, c.draw_id, d.name, c.credit_code, COALESCE(e.name, ''), c.here, c.home, c.mode, c.status, c.note, c.reply, c.created_by, c.created_at, c.updated_by, c.updated_at,
		c.from_dept, COALESCE(fd.name, ''), c.to_dept, COALESCE(td.name, '')
		FROM inspect_crossregion c JOIN inspect_draws d ON d.id = c.draw_id LEFT JOIN inspect_entities e ON e.credit_code = c.credit_code
		LEFT JOIN departments fd ON fd.id = c.from_dept LEFT JOIN departments td ON td.id = c.to_dept`

func (s *Service) crossCases(ctx context.Context, sc kit.Scope, w *kit.Where, order string, limit int) ([]CrossCase, error) {
	var out []CrossCase
	err := store.EachRow(ctx, s.db.Reader(), crossCols+w.SQL()+` ORDER BY `+order+` LIMIT `+strconv.Itoa(limit), w.Values(), func(r *sql.Rows) error {
		var c CrossCase
		err := r.Scan(&c.ID, &c.DrawID, &c.DrawName, &c.CreditCode, &c.Name, &c.Here, &c.Home, &c.Mode, &c.Status, &c.Note, &c.Reply, &c.CreatedBy, &c.CreatedAt, &c.UpdatedBy, &c.UpdatedAt,
			&c.FromDept, &c.FromDeptName, &c.ToDept, &c.ToDeptName)
		c.Answerable = sc.Allows(c.answerer())
		out = append(out, c)
		return err
	})
	return out, err
}

// CrossInbox lists the open cases addressed to the departments of p's
// scope — awaiting acceptance first, then those accepted and not done —
// oldest first. mine limits it to p's own department (and those below it
// for a subtree scope) even when p sees everything: the to-do list.
func (s *Service) CrossInbox(ctx context.Context, p auth.Principal, mine bool, limit int) ([]CrossCase, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return nil, err
	}
	if mine && sc.All {
		if p.DeptID == 0 {
			return nil, nil
		}
		ids, err := org.Subtree(ctx, s.db.Reader(), p.DeptID)
		if err != nil {
			return nil, err
		}
		sc = kit.DeptScope(ids...)
	}
	var w kit.Where
	w.Raw("c.to_dept <> 0")
	w.Scope(sc, "c.to_dept")
	w.Add("c.status IN (?, ?)", CrossRequested, CrossAccepted)
	return s.crossCases(ctx, sc, &w, `CASE WHEN c.status = 'requested' THEN 0 ELSE 1 END, c.id`, limit)
}

// CrossCases lists the cases sent or received by the departments of p's
// scope (all for a province-wide scope), open ones first.
func (s *Service) CrossCases(ctx context.Context, p auth.Principal, limit int) ([]CrossCase, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Editors...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	if !sc.All {
		from, to := sc.Cond("c.from_dept", &w.Args), sc.Cond("c.to_dept", &w.Args)
		w.Raw("(" + from + " OR " + to + ")")
	}
	return s.crossCases(ctx, sc, &w, `CASE WHEN c.status IN ('done', 'declined') THEN 1 ELSE 0 END, c.id DESC`, limit)
}
