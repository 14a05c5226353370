package inspect

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// PublishWithin is the publication limit of a result in working days
// (企业信息公示暂行条例第六条; 食品安全抽样检验管理办法第三十九条).
const PublishWithin = 20

// Holiday is a day of the calendar: a day off or a make-up working day.
type Holiday struct {
	Day    string `json:"day"`
	Kind   string `json:"kind"` // off | work
	Name   string `json:"name"`
	Source string `json:"source"`
}

// Calendar columns (`sidi import holidays`).
const (
	ColDay     = "日期"
	ColDayKind = "类型"
	ColDayName = "名称"
	ColSource  = "来源"
	KindDays   = "holidays"
)

// HolidayColumns are the calendar file's columns.
var HolidayColumns = []kit.Column{{Name: ColDay, Required: true}, {Name: ColDayKind, Required: true}, {Name: ColDayName, Aliases: []string{"节日"}, Required: true}, {Name: ColSource, Aliases: []string{"依据"}, Required: true}}

var dayKinds = map[string]string{"放假": "off", "休息": "off", "上班": "work", "调休上班": "work"}

// ParseHoliday checks one row of the calendar.
func ParseHoliday(r kit.Row) (Holiday, kit.Errors) {
	errs := r.Errs
	h := Holiday{Name: kit.Cell(r, &errs, ColDayName, 50, true), Source: kit.Cell(r, &errs, ColSource, 300, true)}
	var ok bool
	if h.Day, ok = kit.ParseDate(r.Get(ColDay)); !ok || h.Day < "2000-01-01" || h.Day > "2100-12-31" {
		errs.AddCell(r.N, ColDay, "日期“%s”无效（如 2026-02-14）", kit.ClipRunes(r.Get(ColDay), 20))
	}
	if h.Kind = dayKinds[strings.TrimSpace(r.Get(ColDayKind))]; h.Kind == "" {
		errs.AddCell(r.N, ColDayKind, "类型须为“放假”或“上班”（调休上班）")
	}
	return h, errs
}

var holidayTable = kit.KeyedTable[Holiday]{Kind: KindDays, Table: "inspect_calendar", KeyCol: ColDay, KeyLabel: "日期", Columns: HolidayColumns,
	Cols:        []string{"day", "kind", "name", "source"},
	Values:      func(h Holiday) []any { return []any{h.Day, h.Kind, h.Name, h.Source} },
	KeyText:     func(h Holiday) string { return h.Day },
	NoCreatedAt: true, FirstLoad: true, Digest: true, Workers: kit.AllCPUs}

// ImportHolidays imports calendar days (matched on the day).
func (s *Service) ImportHolidays(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return holidayTable.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, ParseHoliday)
}

// ExportHolidays writes the calendar as an import file (类型 in Chinese).
func (s *Service) ExportHolidays(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Viewers...); err != nil {
		return err
	}
	if err := w.Write(kit.Header(HolidayColumns)); err != nil {
		return err
	}
	names := map[string]string{"off": "放假", "work": "上班"}
	return store.EachRow(ctx, s.db.Reader(), `SELECT day, kind, name, source FROM inspect_calendar ORDER BY day`, nil, func(r *sql.Rows) error {
		var h Holiday
		if err := r.Scan(&h.Day, &h.Kind, &h.Name, &h.Source); err != nil {
			return err
		}
		return w.Write([]string{h.Day, names[h.Kind], h.Name, h.Source})
	})
}

//go:embed testdata/holidays.csv
var holidaysCSV []byte

// EnsureCalendar loads the 2025 and 2026 notices when the calendar is empty.
func (s *Service) EnsureCalendar(ctx context.Context) error {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_calendar`).Scan(&n); err != nil || n > 0 {
		return err
	}
	var days []Holiday
	_, err := kit.ReadTable("holidays.csv", strings.NewReader(string(holidaysCSV)), kit.TableSpec{Columns: HolidayColumns}, func(r kit.Row) error {
		h, errs := ParseHoliday(r)
		if len(errs) > 0 {
			return errs
		}
		days = append(days, h)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inspect: calendar: %w", err)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, h := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_calendar(day, kind, name, source, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO NOTHING`,
				h.Day, h.Kind, h.Name, h.Source, s.stamp()); err != nil {
				return fmt.Errorf("inspect: calendar: %w", err)
			}
		}
		return nil
	})
}

// Calendar tells working days: Monday to Friday unless a day off, and the
// make-up working days.
type Calendar map[string]string

// Calendar reads the stored calendar.
func (s *Service) Calendar(ctx context.Context) (Calendar, error) {
	c := Calendar{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT day, kind FROM inspect_calendar`, nil, func(r *sql.Rows) error {
		var d, k string
		err := r.Scan(&d, &k)
		c[d] = k
		return err
	})
	return c, err
}

// Working reports whether day (YYYY-MM-DD) is a working day.
func (c Calendar) Working(day time.Time) bool {
	switch c[day.Format(time.DateOnly)] {
	case "off":
		return false
	case "work":
		return true
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays is the n-th working day after day.
func (c Calendar) AddWorkingDays(day string, n int) (string, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", err
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.Working(d) {
			n--
		}
	}
	return d.Format(time.DateOnly), nil
}

// Finding is the inspection result of a drawn entity.
type Finding struct {
	DrawID      int64  `json:"draw_id"`
	DrawName    string `json:"draw_name"`
	CreditCode  string `json:"credit_code"`
	Name        string `json:"name"`
	Outcome     string `json:"outcome"`
	Detail      string `json:"detail"`
	FormedOn    string `json:"formed_on"`
	DueOn       string `json:"due_on"`
	PublishedOn string `json:"published_on"`
	Overdue     bool   `json:"overdue"`
}

// Outcomes are the accepted results (国家企业信用信息公示系统's wording for
// 双随机 results).
var Outcomes = []string{"未发现问题", "发现问题已责令改正", "发现问题待后续处理", "未按规定公示应当公示的信息", "公示信息隐瞒真实情况、弄虚作假",
	"通过登记的住所（经营场所）无法联系", "不配合检查情节严重", "已关闭停业或正在组织清算", "未发现开展本次抽查涉及的经营活动"}

func (s *Service) today() string { return kit.DayOf(s.now()) }

// resultKey names a drawn entity's result.
type resultKey struct {
	Draw   int64
	Entity string
}

// resultEntry is a drawn entity's result as the kit writes it: Finding is
// the result a write stored, and the audit log's After. The stored result
// a correction overwrites is read into Stored (its outcome, detail and
// days, to tell a re-entry of the same result) and Published, with no
// Finding: the audit log has always recorded a correction's new result
// alone, so its Before stays null.
type resultEntry struct {
	Finding   *Finding
	Stored    Finding
	Published string
}

// MarshalJSON is the audit log's record of e: its Finding (null for a
// stored result).
func (e resultEntry) MarshalJSON() ([]byte, error) { return json.Marshal(e.Finding) }

// resultID is the audit log's entity id of a drawn entity's result.
func resultID(k resultKey) string { return fmt.Sprintf("%d/%s", k.Draw, k.Entity) }

// findings are the drawn entities' results as the kit writes them; the
// audit log names one "draw/credit code".
func findings(db *store.DB) kit.Setting[resultKey, resultEntry] {
	return kit.Setting[resultKey, resultEntry]{DB: db, Entity: "inspect_result", ID: resultID,
		Load: func(ctx context.Context, q store.Querier, k resultKey) (resultEntry, bool, error) {
			var e resultEntry
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT outcome, detail, formed_on, due_on, published_on FROM inspect_results WHERE draw_id = $1 AND credit_code = $2`, k.Draw, k.Entity).
				Scan(&e.Stored.Outcome, &e.Stored.Detail, &e.Stored.FormedOn, &e.Stored.DueOn, &e.Published))
			return e, found, err
		}}
}

// publication is a result's publication as the audit log records it:
// {"published_on": day}, null for a result not published.
type publication struct{ On string }

// MarshalJSON is the audit log's record of p.
func (p publication) MarshalJSON() ([]byte, error) {
	if p.On == "" {
		return []byte("null"), nil
	}
	return json.Marshal(map[string]string{"published_on": p.On})
}

// publications are the results' publication days as the kit writes them,
// under the results' audit entity and ids.
func publications(db *store.DB) kit.Setting[resultKey, publication] {
	return kit.Setting[resultKey, publication]{DB: db, Entity: "inspect_result", ID: resultID,
		Load: func(ctx context.Context, q store.Querier, k resultKey) (publication, bool, error) {
			var p publication
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT published_on FROM inspect_results WHERE draw_id = $1 AND credit_code = $2`, k.Draw, k.Entity).Scan(&p.On))
			return p, found, err
		}}
}

// EnterResult records (or corrects, until published) the result of a
// drawn entity; the publication due day is 20 working days after the day
// the result was formed. The audit log records a first entry as "result",
// a correction as "correct_result"; entering the stored result again (the
// same outcome, detail and days) writes nothing and logs nothing.
func (s *Service) EnterResult(ctx context.Context, p auth.Principal, drawID int64, code, outcome, detail, formedOn string) (Finding, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	key := resultKey{drawID, code}
	r := Finding{DrawID: drawID, CreditCode: code, Outcome: outcome}
	_, err := findings(s.db).Save(ctx, kit.Put[resultKey, resultEntry]{By: p.Actor(), Allowed: p.Require(Viewers...), Key: key, Action: "result", Update: "correct_result",
		Validate: func() error {
			var errs kit.Errors
			if !slices.Contains(Outcomes, outcome) {
				errs.Add("outcome", "检查结果须为：%s", strings.Join(Outcomes, "、"))
			}
			if r.Detail = strings.TrimSpace(detail); len([]rune(r.Detail)) > 1000 {
				errs.Add("detail", "情况说明不能超过 1000 字")
			}
			var ok bool
			r.FormedOn, ok = kit.ParseDate(formedOn)
			if !ok || r.FormedOn > s.today() || r.FormedOn < "2000-01-01" {
				errs.Add("formed_on", "结果形成日期“%s”无效（不晚于今天）", kit.ClipRunes(formedOn, 20))
			}
			if len(errs) > 0 {
				return errs
			}
			cal, err := s.Calendar(ctx)
			if err != nil {
				return err
			}
			r.DueOn, err = cal.AddWorkingDays(r.FormedOn, PublishWithin)
			return err
		},
		Check: func(tx *sql.Tx, before resultEntry, found bool) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_assignments a JOIN inspect_draws d ON d.id = a.draw_id WHERE a.draw_id = $1 AND a.credit_code = $2 AND d.kind = 'draw'`, drawID, code).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Invalid("检查对象 %s 不在第 %d 号抽查的结果中", kit.ClipRunes(code, 20), drawID)
			}
			if found && before.Published != "" {
				return apperr.Conflict("该检查结果已于 %s 公示，不能再修改", before.Published)
			}
			return nil
		},
		Same: func(before resultEntry) bool {
			st := before.Stored
			return st.Outcome == r.Outcome && st.Detail == r.Detail && st.FormedOn == r.FormedOn && st.DueOn == r.DueOn
		},
		Exec: func(tx *sql.Tx, _ resultEntry, found bool) (resultEntry, error) {
			var err error
			if found {
				// Not a result published since Check read it (another
				// transaction on PostgreSQL): that one stays as published.
				res, err := tx.ExecContext(ctx, `UPDATE inspect_results SET outcome = $1, detail = $2, formed_on = $3, due_on = $4, entered_by = $5, entered_at = $6 WHERE draw_id = $7 AND credit_code = $8 AND published_on = ''`,
					r.Outcome, r.Detail, r.FormedOn, r.DueOn, p.Actor().Name, s.stamp(), drawID, code)
				if err != nil {
					return resultEntry{}, err
				}
				if n, err := res.RowsAffected(); err != nil {
					return resultEntry{}, err
				} else if n == 0 {
					return resultEntry{}, apperr.Conflict("该检查结果已公示，不能再修改")
				}
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO inspect_results(draw_id, credit_code, outcome, detail, formed_on, due_on, published_on, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8)`,
					drawID, code, r.Outcome, r.Detail, r.FormedOn, r.DueOn, p.Actor().Name, s.stamp())
			}
			return resultEntry{Finding: &r}, err
		}})
	if err != nil {
		return Finding{}, err
	}
	return r, nil
}

// PublishResult publishes a result today (editors): one entered and not
// yet published. The audit log records "publish", null → the day.
func (s *Service) PublishResult(ctx context.Context, p auth.Principal, drawID int64, code string) (Finding, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	key := resultKey{drawID, code}
	today := s.today()
	none := func() error {
		return apperr.Invalid("第 %d 号抽查中 %s 没有待公示的检查结果", drawID, kit.ClipRunes(code, 20))
	}
	_, err := publications(s.db).Save(ctx, kit.Put[resultKey, publication]{By: p.Actor(), Allowed: p.Require(Editors...), Key: key, Action: "publish",
		Check: func(_ *sql.Tx, before publication, found bool) error {
			if !found || before.On != "" {
				return none()
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ publication, _ bool) (publication, error) {
			// published_on = '': a publication committed since Load is
			// not overwritten (its row count is 0).
			res, err := tx.ExecContext(ctx, `UPDATE inspect_results SET published_on = $1 WHERE draw_id = $2 AND credit_code = $3 AND published_on = ''`, today, drawID, code)
			if err != nil {
				return publication{}, err
			}
			switch n, err := res.RowsAffected(); {
			case err != nil:
				return publication{}, err
			case n == 0:
				return publication{}, none()
			}
			return publication{On: today}, nil
		}})
	if err != nil {
		return Finding{}, err
	}
	return Finding{DrawID: drawID, CreditCode: code, PublishedOn: today}, nil
}

const resultCols = `r.draw_id, d.name, r.credit_code, COALESCE(e.name, ''), r.outcome, r.detail, r.formed_on, r.due_on, r.published_on
	FROM inspect_results r JOIN inspect_draws d ON d.id = r.draw_id LEFT JOIN inspect_entities e ON e.credit_code = r.credit_code`

func (s *Service) results(ctx context.Context, where string, args []any) ([]Finding, error) {
	today := s.today()
	var out []Finding
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+resultCols+` WHERE `+where+` ORDER BY r.due_on, r.draw_id, r.credit_code LIMIT 500`, args, func(rows *sql.Rows) error {
		var r Finding
		err := rows.Scan(&r.DrawID, &r.DrawName, &r.CreditCode, &r.Name, &r.Outcome, &r.Detail, &r.FormedOn, &r.DueOn, &r.PublishedOn)
		r.Overdue = r.PublishedOn == "" && r.DueOn < today || r.PublishedOn > r.DueOn
		out = append(out, r)
		return err
	})
	return out, err
}

// Pending lists the results not yet published, the overdue ones first
// (the staff's to-do list).
func (s *Service) Pending(ctx context.Context, p auth.Principal) ([]Finding, error) {
	if err := p.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.results(ctx, `r.published_on = ''`, nil)
}

// PublicResults finds published results by credit code or entity name.
func (s *Service) PublicResults(ctx context.Context, q string) ([]Finding, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if len([]rune(q)) > 100 {
		return nil, apperr.Invalid("查询内容不能超过 100 字")
	}
	return s.results(ctx, `r.published_on <> '' AND (r.credit_code = $1 OR e.name LIKE $2 ESCAPE '\')`, []any{strings.ToUpper(q), "%" + kit.EscapeLike(q) + "%"})
}
