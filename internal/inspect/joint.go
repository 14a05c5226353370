package inspect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Joint inspections (联合抽查, 国发〔2019〕5号): one visit to each drawn
// entity by the departments whose items the task holds; each department
// enters the result of its own item. The entity's overall result (and its
// publication) stays in inspect_results.

// DrawItems are the items of a draw with their departments (the item
// list is public), in the task's order; codes no longer in the list are
// returned with the code only.
func (s *Service) DrawItems(ctx context.Context, codes []string) ([]Item, error) {
	items, err := s.items(ctx, s.db.Reader(), codes)
	if err != nil {
		return nil, err
	}
	by := map[string]Item{}
	for _, it := range items {
		by[it.Code] = it
	}
	out := make([]Item, len(codes))
	for i, c := range codes {
		if it, ok := by[c]; ok {
			out[i] = it
		} else {
			out[i] = Item{Code: c}
		}
	}
	return out, nil
}

// Departments lists the distinct departments of items, in order.
func Departments(items []Item) []string {
	var out []string
	for _, it := range items {
		if it.Dept != "" && !slices.Contains(out, it.Dept) {
			out = append(out, it.Dept)
		}
	}
	return out
}

// itemScope resolves the departments of items (their 实施部门 through
// the directory's names and aliases) and keeps those whose results p may
// see and enter: every item for a province-wide scope; otherwise the items
// of a department in p's scope. An item without a department, or one the
// directory does not know, belongs to no department and stays with the
// province-wide scope.
func (s *Service) itemScope(ctx context.Context, p auth.Principal, items []Item) ([]Item, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Viewers...)
	if err != nil || sc.All {
		return items, err
	}
	dir := org.NewService(s.db)
	ids := map[string]int64{}
	var out []Item
	for _, it := range items {
		if it.Dept == "" {
			continue
		}
		id, seen := ids[it.Dept]
		if !seen {
			r, err := dir.Resolve(ctx, s.db.Reader(), it.Dept)
			switch {
			case errors.Is(err, org.ErrUnknownName):
			case err != nil:
				return nil, fmt.Errorf("inspect: department of item %s: %w", it.Code, err)
			case len(r.Departments) == 1:
				id = r.Departments[0].ID
			}
			ids[it.Dept] = id
		}
		if id != 0 && sc.Allows(id) {
			out = append(out, it)
		}
	}
	return out, nil
}

// ItemsInScope are the items of a draw whose results p may see and enter
// (joint inspections: each department its own items).
func (s *Service) ItemsInScope(ctx context.Context, p auth.Principal, drawID int64) ([]Item, error) {
	if err := p.Require(Viewers...); err != nil {
		return nil, err
	}
	var items string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT items FROM inspect_draws WHERE id = $1`, drawID).Scan(&items)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("第 %d 号抽查记录不存在", drawID)
	}
	if err != nil {
		return nil, fmt.Errorf("inspect: items of draw %d: %w", drawID, err)
	}
	all, err := s.DrawItems(ctx, splitList(items))
	if err != nil {
		return nil, err
	}
	return s.itemScope(ctx, p, all)
}

// ItemResult is one item's result for one entity of a draw.
type ItemResult struct {
	DrawID     int64  `json:"draw_id"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	ItemCode   string `json:"item_code"`
	Outcome    string `json:"outcome"`
	Detail     string `json:"detail"`
	EnteredBy  string `json:"entered_by"`
	EnteredAt  string `json:"entered_at"`
}

// itemKey names one item's result for one drawn entity.
type itemKey struct {
	Draw         int64
	Entity, Item string
}

// itemEntry is an item's result as stored and as the audit log records it
// (the outcome and the detail; who entered it and when are not audited).
type itemEntry struct {
	Detail    string `json:"detail"`
	Outcome   string `json:"outcome"`
	EnteredBy string `json:"-"`
	EnteredAt string `json:"-"`
}

// itemResults are the item results as the kit writes them; the audit log
// names one "draw/credit code/item".
func itemResults(db *store.DB) kit.Setting[itemKey, itemEntry] {
	return kit.Setting[itemKey, itemEntry]{DB: db, Entity: "inspect_item_result",
		ID: func(k itemKey) string { return fmt.Sprintf("%d/%s/%s", k.Draw, k.Entity, k.Item) },
		Load: func(ctx context.Context, q store.Querier, k itemKey) (itemEntry, bool, error) {
			var e itemEntry
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT outcome, detail, entered_by, entered_at FROM inspect_item_results WHERE draw_id = $1 AND credit_code = $2 AND item_code = $3`,
				k.Draw, k.Entity, k.Item).Scan(&e.Outcome, &e.Detail, &e.EnteredBy, &e.EnteredAt))
			return e, found, err
		}}
}

// EnterItemResult records (or corrects) an item's result for a drawn
// entity: the item must be one of the draw's, the entity one it drew.
// Entering the stored result again changes nothing (no audit entry).
func (s *Service) EnterItemResult(ctx context.Context, p auth.Principal, drawID int64, code, item, outcome, detail string) (ItemResult, error) {
	r := ItemResult{DrawID: drawID, CreditCode: strings.ToUpper(strings.TrimSpace(code)), ItemCode: strings.TrimSpace(item), Outcome: outcome}
	key := itemKey{drawID, r.CreditCode, r.ItemCode}
	e, err := itemResults(s.db).Save(ctx, kit.Put[itemKey, itemEntry]{By: p.Actor(), Allowed: p.Require(Viewers...), Key: key, Action: "result",
		Validate: func() error {
			if !slices.Contains(Outcomes, outcome) {
				return apperr.Invalid("检查结果须为：%s", strings.Join(Outcomes, "、"))
			}
			var err error
			r.Detail, err = checkText(detail, "情况说明", 1000)
			return err
		},
		Check: func(tx *sql.Tx, _ itemEntry, _ bool) error { return s.itemResultAllowed(ctx, tx, p, key) },
		Same:  func(before itemEntry) bool { return before.Outcome == r.Outcome && before.Detail == r.Detail },
		Exec: func(tx *sql.Tx, _ itemEntry, found bool) (itemEntry, error) {
			e := itemEntry{Outcome: r.Outcome, Detail: r.Detail, EnteredBy: p.Actor().Name, EnteredAt: s.stamp()}
			var err error
			if found {
				_, err = tx.ExecContext(ctx, `UPDATE inspect_item_results SET outcome = $1, detail = $2, entered_by = $3, entered_at = $4 WHERE draw_id = $5 AND credit_code = $6 AND item_code = $7`,
					e.Outcome, e.Detail, e.EnteredBy, e.EnteredAt, key.Draw, key.Entity, key.Item)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO inspect_item_results(draw_id, credit_code, item_code, outcome, detail, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					key.Draw, key.Entity, key.Item, e.Outcome, e.Detail, e.EnteredBy, e.EnteredAt)
			}
			return e, err
		}})
	if err != nil {
		return r, err
	}
	r.Outcome, r.Detail, r.EnteredBy, r.EnteredAt = e.Outcome, e.Detail, e.EnteredBy, e.EnteredAt
	return r, nil
}

// itemResultAllowed checks, in the write's transaction, that an item's
// result may be entered: the draw is a completed draw, the item one of its
// items and in p's scope (its department's), the entity one it drew.
func (s *Service) itemResultAllowed(ctx context.Context, tx *sql.Tx, p auth.Principal, k itemKey) error {
	var items, kind, status string
	err := tx.QueryRowContext(ctx, `SELECT items, kind, status FROM inspect_draws WHERE id = $1`, k.Draw).Scan(&items, &kind, &status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (status != StatusDrawn || kind != "draw") {
		return apperr.NotFound("第 %d 号抽查记录不存在或尚未完成", k.Draw)
	}
	if err != nil {
		return err
	}
	if !slices.Contains(splitList(items), k.Item) {
		return apperr.Invalid("事项 %s 不是第 %d 号抽查的检查事项", kit.ClipRunes(k.Item, 40), k.Draw)
	}
	its, err := s.DrawItems(ctx, []string{k.Item})
	if err != nil {
		return err
	}
	if its, err = s.itemScope(ctx, p, its); err != nil {
		return err
	}
	if len(its) == 0 {
		return apperr.OutOfScope("事项 %s 的检查结果由其实施部门录入", kit.ClipRunes(k.Item, 40))
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_assignments WHERE draw_id = $1 AND credit_code = $2`, k.Draw, k.Entity).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Invalid("检查对象 %s 不在第 %d 号抽查的结果中", kit.ClipRunes(k.Entity, 20), k.Draw)
	}
	return nil
}

// ItemResults lists a draw's item results (staff) of the items in p's
// scope (ItemsInScope), latest first.
func (s *Service) ItemResults(ctx context.Context, p auth.Principal, drawID int64, limit int) ([]ItemResult, error) {
	its, err := s.ItemsInScope(ctx, p, drawID)
	if err != nil || len(its) == 0 {
		return nil, err
	}
	var w kit.Where
	w.Add("r.draw_id = ?", drawID)
	ph := make([]string, len(its))
	for i, it := range its {
		ph[i] = w.Args.Add(it.Code)
	}
	w.Raw("r.item_code IN (" + strings.Join(ph, ", ") + ")")
	var out []ItemResult
	err = store.EachRow(ctx, s.db.Reader(), `SELECT r.draw_id, r.credit_code, COALESCE(e.name, ''), r.item_code, r.outcome, r.detail, r.entered_by, r.entered_at
		FROM inspect_item_results r LEFT JOIN inspect_entities e ON e.credit_code = r.credit_code`+w.SQL()+` ORDER BY r.entered_at DESC, r.credit_code, r.item_code LIMIT `+strconv.Itoa(limit), w.Values(), func(r *sql.Rows) error {
		var x ItemResult
		err := r.Scan(&x.DrawID, &x.CreditCode, &x.Name, &x.ItemCode, &x.Outcome, &x.Detail, &x.EnteredBy, &x.EnteredAt)
		out = append(out, x)
		return err
	})
	return out, err
}
