package bizenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Media are the kinds of medium a public-interest advertisement runs in.
var Media = []string{"电视", "广播", "报刊", "户外", "网络", "其他"}

// Campaign is a public-interest advertising campaign (公益广告).
type Campaign struct {
	ID         int64       `json:"id"`
	DeptID     int64       `json:"dept_id"`
	DeptName   string      `json:"dept_name"`
	Title      string      `json:"title"`
	Theme      string      `json:"theme"`
	StartOn    string      `json:"start_on"`
	EndOn      string      `json:"end_on"`
	Demo       bool        `json:"demo"`
	Placements []Placement `json:"placements,omitempty"`
}

// Placement is where and when a campaign ran.
type Placement struct {
	ID         int64  `json:"id"`
	Medium     string `json:"medium"`
	Outlet     string `json:"outlet"`
	Region     string `json:"region"`
	Prefecture string `json:"prefecture"`
	StartOn    string `json:"start_on"`
	EndOn      string `json:"end_on"`
	Quantity   int    `json:"quantity"`
}

// CreateCampaign registers a campaign of a department in p's scope.
func (s *Service) CreateCampaign(ctx context.Context, p auth.Principal, c Campaign) (Campaign, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Campaign{}, err
	}
	var errs kit.Errors
	c.Title = kit.Text(&errs, "title", "活动名称", c.Title, 200, true)
	c.Theme = kit.Text(&errs, "theme", "主题", c.Theme, 200, true)
	c.StartOn = s.span(&errs, "start_on", "开始日期", c.StartOn, true)
	c.EndOn = s.span(&errs, "end_on", "结束日期", c.EndOn, true)
	if c.StartOn != "" && c.EndOn != "" && c.EndOn < c.StartOn {
		errs.Add("end_on", "结束日期不能早于开始日期")
	}
	if err := errs.Err(); err != nil {
		return Campaign{}, err
	}
	return s.campaigns().Save(ctx, kit.Write[Campaign]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ Campaign) error { return kit.DeptIn(ctx, tx, sc, c.DeptID, "部门") },
		Exec: func(tx *sql.Tx, _ Campaign) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO ad_campaigns(dept_id, title, theme, start_on, end_on, demo, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
				c.DeptID, c.Title, c.Theme, c.StartOn, c.EndOn, store.BoolInt(c.Demo), s.stamp()).Scan(&id)
			return id, err
		}})
}

// campaigns is the kit's write skeleton for campaigns: one outside the
// caller's scope does not exist.
func (s *Service) campaigns() kit.Spec[Campaign] {
	return kit.Spec[Campaign]{DB: s.db, Entity: "ad_campaign", Noun: "公益广告活动", Load: s.campaignByID,
		Dept: func(c Campaign) int64 { return c.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("公益广告活动 %d 不存在", id) }}
}

// span checks a campaign day: from 2000 to the end of next year
// (campaigns are planned ahead).
func (s *Service) span(errs *kit.Errors, field, label, v string, required bool) string {
	return kit.Day(errs, field, label, v, required, "2000-01-01", fmt.Sprintf("%d-12-31", s.now().In(kit.CST).Year()+1))
}

// AddPlacement records where a campaign ran, inside its dates.
func (s *Service) AddPlacement(ctx context.Context, p auth.Principal, id int64, pl Placement) (Campaign, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Campaign{}, err
	}
	var errs kit.Errors
	if !slices.Contains(Media, pl.Medium) {
		errs.Add("medium", "媒介须为%s之一", strings.Join(Media, "、"))
	}
	pl.Outlet = kit.Text(&errs, "outlet", "媒体或点位", pl.Outlet, 100, true)
	pl.Region = strings.TrimSpace(pl.Region)
	if reg, ok := org.LookupRegion(pl.Region); !ok || !strings.HasPrefix(pl.Region, "63") {
		errs.Add("region", "投放地区须为青海省的行政区划代码")
	} else {
		pl.Prefecture = reg.Prefecture // "" for province-wide
	}
	pl.StartOn = s.span(&errs, "start_on", "开始日期", pl.StartOn, true)
	pl.EndOn = s.span(&errs, "end_on", "结束日期", pl.EndOn, true)
	if pl.Quantity <= 0 || pl.Quantity > 1000000 {
		errs.Add("quantity", "投放数量须为 1–1,000,000")
	}
	if err := errs.Err(); err != nil {
		return Campaign{}, err
	}
	return s.campaigns().Save(ctx, kit.Write[Campaign]{By: p.Actor(), Scope: &sc, ID: id, Action: "place",
		Check: func(_ *sql.Tx, before Campaign) error {
			if pl.StartOn < before.StartOn || pl.EndOn > before.EndOn || pl.EndOn < pl.StartOn {
				return kit.Errors{{Field: "start_on", Msg: fmt.Sprintf("投放日期须在活动期间（%s 至 %s）内，且结束不早于开始", before.StartOn, before.EndOn)}}
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ Campaign) (int64, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO ad_placements(campaign_id, medium, outlet, region, prefecture, start_on, end_on, quantity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, pl.Medium, pl.Outlet, pl.Region, pl.Prefecture, pl.StartOn, pl.EndOn, pl.Quantity, s.stamp())
			return id, err
		}})
}

const campaignCols = `c.id, c.dept_id, COALESCE(d.name, ''), c.title, c.theme, c.start_on, c.end_on, c.demo`

func scanCampaign(sc interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var demo int
	err := sc.Scan(&c.ID, &c.DeptID, &c.DeptName, &c.Title, &c.Theme, &c.StartOn, &c.EndOn, &demo)
	c.Demo = demo == 1
	return c, err
}

func (s *Service) campaignByID(ctx context.Context, q store.Querier, id int64) (Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM ad_campaigns c LEFT JOIN departments d ON d.id = c.dept_id WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("公益广告活动 %d 不存在", id)
	}
	if err != nil {
		return c, err
	}
	err = store.EachRow(ctx, q, `SELECT id, medium, outlet, region, prefecture, start_on, end_on, quantity FROM ad_placements WHERE campaign_id = $1 ORDER BY start_on, id`, []any{id}, func(r *sql.Rows) error {
		var pl Placement
		err := r.Scan(&pl.ID, &pl.Medium, &pl.Outlet, &pl.Region, &pl.Prefecture, &pl.StartOn, &pl.EndOn, &pl.Quantity)
		c.Placements = append(c.Placements, pl)
		return err
	})
	return c, err
}

// Campaign returns a campaign in p's scope with its placements.
func (s *Service) Campaign(ctx context.Context, p auth.Principal, id int64) (Campaign, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return Campaign{}, err
	}
	c, err := s.campaignByID(ctx, s.db.Reader(), id)
	if err == nil && !sc.Allows(c.DeptID) {
		return Campaign{}, apperr.NotFound("公益广告活动 %d 不存在", id)
	}
	return c, err
}

// Campaigns lists the campaigns in p's scope, newest first.
func (s *Service) Campaigns(ctx context.Context, p auth.Principal) ([]Campaign, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "c.dept_id")
	var out []Campaign
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+campaignCols+` FROM ad_campaigns c LEFT JOIN departments d ON d.id = c.dept_id`+w.SQL()+` ORDER BY c.start_on DESC, c.id DESC LIMIT 1000`, w.Values(), func(r *sql.Rows) error {
		c, err := scanCampaign(r)
		out = append(out, c)
		return err
	})
	return out, err
}

// AdCount is one prefecture's campaigns and placements in a year ("" for
// province-wide placements).
type AdCount struct {
	Prefecture     string `json:"prefecture"`
	PrefectureName string `json:"prefecture_name"`
	Campaigns      int    `json:"campaigns"`
	Placements     int    `json:"placements"`
	Quantity       int    `json:"quantity"`
}

// AdCounts counts, per prefecture, the campaigns with a placement there,
// the placements and their quantity, for placements starting in year
// ("" all), over the campaigns in p's scope.
func (s *Service) AdCounts(ctx context.Context, p auth.Principal, year string) ([]AdCount, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "c.dept_id")
	if year != "" {
		if len(year) != 4 || strings.Trim(year, "0123456789") != "" {
			return nil, kit.Errors{{Field: "year", Msg: "年份应如 2025"}}
		}
		w.Add("p.start_on LIKE ?", year+"%")
	}
	got := map[string]AdCount{}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT p.prefecture, COUNT(DISTINCT p.campaign_id), COUNT(*), COALESCE(SUM(p.quantity), 0)
		FROM ad_placements p JOIN ad_campaigns c ON c.id = p.campaign_id`+w.SQL()+` GROUP BY p.prefecture`, w.Values(), func(r *sql.Rows) error {
		var a AdCount
		err := r.Scan(&a.Prefecture, &a.Campaigns, &a.Placements, &a.Quantity)
		got[a.Prefecture] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []AdCount
	for _, pr := range org.Prefectures() {
		a := got[pr.Code]
		a.Prefecture, a.PrefectureName = pr.Code, pr.Name
		out = append(out, a)
	}
	if a, ok := got[""]; ok {
		a.PrefectureName = "全省"
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prefecture != "" && out[j].Prefecture == "" })
	return out, nil
}
