package equipment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Prefectures are the eight prefecture-level divisions of Qinghai.
var Prefectures = []string{"630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800"}

// PrefectureNames are their short names.
var PrefectureNames = map[string]string{"630100": "西宁市", "630200": "海东市", "632200": "海北州", "632300": "黄南州",
	"632500": "海南州", "632600": "果洛州", "632700": "玉树州", "632800": "海西州"}

// listPaging pages the register: 50 a page, at most 200.
var listPaging = kit.Paging{Default: 50, Max: 200}

// Filter narrows the list. P is the caller (not part of the query string).
type Filter struct {
	P          auth.Principal `json:"-"`
	Type       string         `json:"type,omitempty"`
	Prefecture string         `json:"prefecture,omitempty"`
	Status     string         `json:"status,omitempty"`
	Due        string         `json:"due,omitempty"` // ok, soon, overdue, or "attention" (soon or overdue)
	Q          string         `json:"q,omitempty"`
	Page       int            `json:"page"`
	PerPage    int            `json:"per_page"`
}

// DueAttention is the due filter of the due list: due soon or overdue.
const DueAttention = "attention"

// List is a page of equipment.
type List struct {
	Filter    Filter      `json:"filter"`
	Equipment []Equipment `json:"equipment"`
	Total     int         `json:"total"`
	Pages     int         `json:"pages"`
	Today     string      `json:"today"`
}

// Search lists the equipment p may read that matches f: by due date for
// the due filters, else by prefecture, type and code.
func (s *Service) Search(ctx context.Context, f Filter) (List, error) {
	a, err := s.readAccess(ctx, f.P)
	if err != nil {
		return List{}, err
	}
	var es kit.Errors
	if f.Type != "" {
		if f.Type = TypeOf(f.Type); f.Type == "" {
			es.Add("设备种类", "无效")
		}
	}
	if f.Status != "" {
		if f.Status = keyOf(StatusLabels, f.Status); f.Status == "" {
			es.Add("状态", "无效")
		}
	}
	if f.Prefecture != "" && PrefectureNames[f.Prefecture] == "" {
		es.Add("市州", "“%s”不是青海省的市州代码", kit.ClipRunes(f.Prefecture, 30))
	}
	if f.Due != "" && f.Due != DueAttention && DueLabels[f.Due] == "" {
		es.Add("检验到期", "无效，应为 即将到期、已超期 或 未到期")
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 100 {
		es.Add("关键词", "不能超过 100 个字")
	}
	if err := named(es).Err(); err != nil {
		return List{}, err
	}
	pg, err := listPaging.Page(f.Page, f.PerPage)
	if err != nil {
		return List{}, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	today := s.today()
	var w kit.Where
	a.cond(&w)
	if f.Type != "" {
		w.Add("e.type = ?", f.Type)
	}
	if f.Status != "" {
		w.Add("e.status = ?", f.Status)
	}
	if f.Prefecture != "" {
		w.Add("e.prefecture_code = ?", f.Prefecture)
	}
	soon := soonLimit(today)
	order := ` ORDER BY e.prefecture_code, e.type, e.code`
	switch f.Due {
	case DueOverdue:
		w.Add("e.status = 'in_use' AND e.next_due <> '' AND e.next_due < ?", today)
	case DueSoon:
		w.Add("e.status = 'in_use' AND e.next_due >= ? AND e.next_due <= ?", today, soon)
	case DueAttention:
		w.Add("e.status = 'in_use' AND e.next_due <> '' AND e.next_due <= ?", soon)
	case DueOK:
		w.Add("e.status = 'in_use' AND e.next_due > ?", soon)
	}
	if f.Due != "" {
		order = ` ORDER BY e.next_due, e.code`
	}
	w.Contains(f.Q, "e.code", "e.name", "en.name", "en.credit_code", "e.registration_no")
	out := List{Filter: f, Equipment: []Equipment{}, Today: today}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM equipment e JOIN enterprises en ON en.id = e.user_id`+w.SQL(), w.Values()...).Scan(&out.Total); err != nil {
		return List{}, fmt.Errorf("equipment: count: %w", err)
	}
	out.Pages = pg.Pages(out.Total)
	q := equipmentSelect + w.SQL() + order + pg.SQL(&w.Args)
	err = store.EachRow(ctx, s.db.Reader(), q, w.Values(), func(r *sql.Rows) error {
		e, err := s.scan(r)
		out.Equipment = append(out.Equipment, e)
		return err
	})
	if err != nil {
		return List{}, fmt.Errorf("equipment: list: %w", err)
	}
	return out, nil
}

// Count is one prefecture's row of the summary: equipment in use per type,
// and how many are due soon and overdue.
type Count struct {
	PrefectureCode string         `json:"prefecture_code"`
	Prefecture     string         `json:"prefecture"`
	ByType         map[string]int `json:"by_type"`
	InUse          int            `json:"in_use"`
	Soon           int            `json:"due_soon"`
	Overdue        int            `json:"overdue"`
}

// Summary counts the equipment in use per prefecture (public: counts
// only, no device).
func (s *Service) Summary(ctx context.Context) ([]Count, Count, error) {
	today := s.today()
	idx := map[string]int{}
	out := make([]Count, len(Prefectures))
	for i, c := range Prefectures {
		out[i] = Count{PrefectureCode: c, Prefecture: PrefectureNames[c], ByType: map[string]int{}}
		idx[c] = i
	}
	sum := Count{Prefecture: "全省", ByType: map[string]int{}}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT prefecture_code, type,
		COUNT(*), SUM(CASE WHEN next_due <> '' AND next_due < $1 THEN 1 ELSE 0 END), SUM(CASE WHEN next_due >= $1 AND next_due <= $2 THEN 1 ELSE 0 END)
		FROM equipment WHERE status = 'in_use' GROUP BY prefecture_code, type`, []any{today, soonLimit(today)}, func(r *sql.Rows) error {
		var code, typ string
		var n, over, soon int
		if err := r.Scan(&code, &typ, &n, &over, &soon); err != nil {
			return err
		}
		for _, c := range []*Count{&sum, nil} {
			if c == nil {
				i, ok := idx[code]
				if !ok {
					return nil
				}
				c = &out[i]
			}
			c.ByType[typ] += n
			c.InUse += n
			c.Overdue += over
			c.Soon += soon
		}
		return nil
	})
	if err != nil {
		return nil, sum, fmt.Errorf("equipment: summary: %w", err)
	}
	return out, sum, nil
}

// EnterpriseSection is the register's part of an enterprise's page: its
// equipment, for those in its scope (not public).
func (s *Service) EnterpriseSection(ctx context.Context, p auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "特种设备", Empty: "未登记特种设备", More: "/equipment"}
	a, err := s.readAccess(ctx, p)
	if err != nil {
		return sec, err
	}
	var w kit.Where
	a.cond(&w)
	w.Add("e.user_id = ?", enterpriseID)
	err = store.EachRow(ctx, s.db.Reader(), equipmentSelect+w.SQL()+` ORDER BY e.type, e.code LIMIT 100`, w.Values(), func(r *sql.Rows) error {
		e, err := s.scan(r)
		if err != nil {
			return err
		}
		due := e.NextDue
		if e.DueLabel != "" {
			due += "（" + e.DueLabel + "）"
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: e.Name, Href: "/equipment/" + e.Code, Detail: e.TypeLabel + " " + e.Code,
			Fields: []enterprise.Field{{Label: "状态", Value: e.StatusLabel}, {Label: "下次检验", Value: due}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("equipment: enterprise section: %w", err)
	}
	return sec, nil
}
