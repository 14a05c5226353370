package bizenv

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
	"sidi/internal/store"
)

// The four public fee lists ("清单之外一律不得收费").
const (
	ListAdmin   = "admin"   // 行政事业性收费
	ListFund    = "fund"    // 政府性基金
	ListDeposit = "deposit" // 涉企保证金
	ListService = "service" // 经营服务性收费（政府定价）
)

// ListLabels name the lists; ListOrder is their order on the pages.
var (
	ListLabels = map[string]string{ListAdmin: "行政事业性收费", ListFund: "政府性基金", ListDeposit: "涉企保证金", ListService: "经营服务性收费"}
	ListOrder  = []string{ListAdmin, ListFund, ListDeposit, ListService}
)

// FeeItem is one entry of a public fee list.
type FeeItem struct {
	ID         int64  `json:"id"`
	List       string `json:"list"`
	Unit       string `json:"unit"`
	UnitNature string `json:"unit_nature"`
	Name       string `json:"name"`
	Nature     string `json:"nature"`
	Content    string `json:"content"`
	Standard   string `json:"standard"`
	Basis      string `json:"basis"`
	ListedOn   string `json:"listed_on"`
	DelistedOn string `json:"delisted_on"`
	Demo       bool   `json:"demo"`
}

// Fee list import columns (the fields every list publishes).
const (
	ColList       = "清单"
	ColUnit       = "收费单位"
	ColUnitNature = "单位性质"
	ColName       = "收费项目"
	ColNature     = "收费性质"
	ColContent    = "服务内容"
	ColStandard   = "收费标准"
	ColBasis      = "政策依据"
	ColListed     = "列入日期"
	ColDelisted   = "取消日期"
)

// FeeColumns are the columns of `sidi import fee_items`.
var FeeColumns = []kit.Column{
	{Name: ColList, Aliases: []string{"清单类别", "目录清单"}, Required: true},
	{Name: ColUnit, Aliases: []string{"执收单位", "执收部门", "收取单位", "部门"}},
	{Name: ColUnitNature, Aliases: []string{"单位类型"}},
	{Name: ColName, Aliases: []string{"项目名称", "收费项目名称", "基金名称", "保证金项目"}, Required: true},
	{Name: ColNature, Aliases: []string{"资金管理方式", "收费类别"}},
	{Name: ColContent, Aliases: []string{"服务内容或征收范围"}},
	{Name: ColStandard, Aliases: []string{"征收标准"}},
	{Name: ColBasis, Aliases: []string{"征收依据", "设立依据", "法律依据"}, Required: true},
	{Name: ColListed, Aliases: []string{"公布日期"}},
	{Name: ColDelisted, Aliases: []string{"停征日期"}},
}

func listCode(v string) string {
	v = strings.TrimSpace(v)
	for code, label := range ListLabels {
		if v == code || v == label || strings.HasPrefix(v, label) || strings.Contains(v, label+"目录") {
			return code
		}
	}
	return ""
}

// ParseFee checks one row of a fee list without the database.
func ParseFee(r kit.Row) (FeeItem, kit.Errors) {
	errs := r.Errs
	f := FeeItem{Unit: kit.Cell(r, &errs, ColUnit, 100, false), UnitNature: kit.Cell(r, &errs, ColUnitNature, 50, false), Name: kit.Cell(r, &errs, ColName, 200, true),
		Nature: kit.Cell(r, &errs, ColNature, 100, false), Content: kit.Cell(r, &errs, ColContent, 1000, false), Standard: kit.Cell(r, &errs, ColStandard, 1000, false),
		Basis: kit.Cell(r, &errs, ColBasis, 1000, true)}
	if f.List = listCode(r.Get(ColList)); f.List == "" {
		errs.AddCell(r.N, ColList, "清单须为行政事业性收费、政府性基金、涉企保证金或经营服务性收费")
	}
	for _, d := range []struct {
		col string
		dst *string
	}{{ColListed, &f.ListedOn}, {ColDelisted, &f.DelistedOn}} {
		if v := strings.TrimSpace(r.Get(d.col)); v != "" {
			day, ok := kit.ParseDate(v)
			if !ok || day < "1980-01-01" {
				errs.AddCell(r.N, d.col, "日期“%s”无效", kit.Clip(v))
			}
			*d.dst = day
		}
	}
	if f.ListedOn == "" {
		f.ListedOn = "2000-01-01" // on the list before Sidi's records begin
	}
	if f.DelistedOn != "" && f.DelistedOn < f.ListedOn {
		errs.AddCell(r.N, ColDelisted, "取消日期早于列入日期")
	}
	f.Demo = strings.Contains(f.Unit+f.Name, DemoLabel)
	return f, errs
}

func (f FeeItem) key() string { return f.List + "\x00" + f.Unit + "\x00" + f.Name }

// ImportFees imports list entries matched on list, unit and item; the
// same file twice changes nothing.
func (s *Service) ImportFees(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	const kind = "fee_items"
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: kind, File: src.Name}, err
	}
	return kit.RunImport(ctx, src, opt, kit.Plan[FeeItem]{
		Kind: kind, Spec: kit.TableSpec{Columns: FeeColumns, Formulas: true}, Parse: ParseFee, Key: FeeItem.key,
		Duplicate: func(row int, f FeeItem, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: ColName, Msg: fmt.Sprintf("“%s”的“%s”与第 %d 行重复", kit.Clip(f.Unit), kit.Clip(f.Name), prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[FeeItem], file kit.ImportReport) (kit.BatchResult, error) {
			var res kit.BatchResult
			err := s.db.Tx(ctx, func(tx *sql.Tx) error {
				res = kit.BatchResult{}
				now := s.stamp()
				var created, updated []int64
				var after []any
				for _, it := range batch {
					f := it.Val
					old, err := scanFee(tx.QueryRowContext(ctx, `SELECT `+feeCols+` FROM fee_items WHERE list = $1 AND unit = $2 AND name = $3`, f.List, f.Unit, f.Name))
					switch {
					case errors.Is(err, sql.ErrNoRows):
						if err := tx.QueryRowContext(ctx, `INSERT INTO fee_items(list, unit, unit_nature, name, nature, content, standard, basis, listed_on, delisted_on, demo, created_at, updated_at)
							VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
							f.List, f.Unit, f.UnitNature, f.Name, f.Nature, f.Content, f.Standard, f.Basis, f.ListedOn, f.DelistedOn, store.BoolInt(f.Demo), now).Scan(&f.ID); err != nil {
							return fmt.Errorf("第 %d 行：%w", it.Row, err)
						}
						res.Created++
						created = append(created, f.ID)
					case err != nil:
						return fmt.Errorf("第 %d 行：%w", it.Row, err)
					default:
						f.ID = old.ID
						if old == f {
							res.Unchanged++
							continue
						}
						if _, err := tx.ExecContext(ctx, `UPDATE fee_items SET unit_nature = $1, nature = $2, content = $3, standard = $4, basis = $5, listed_on = $6, delisted_on = $7, demo = $8, updated_at = $9 WHERE id = $10`,
							f.UnitNature, f.Nature, f.Content, f.Standard, f.Basis, f.ListedOn, f.DelistedOn, store.BoolInt(f.Demo), now, f.ID); err != nil {
							return fmt.Errorf("第 %d 行：%w", it.Row, err)
						}
						res.Updated++
						updated = append(updated, f.ID)
					}
					after = append(after, map[string]any{"id": f.ID, "row": it.Row, "rec": f})
				}
				if len(after) == 0 {
					return nil
				}
				return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
					Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
			})
			return res, err
		},
	})
}

const feeCols = `id, list, unit, unit_nature, name, nature, content, standard, basis, listed_on, delisted_on, demo`

func scanFee(sc interface{ Scan(...any) error }) (FeeItem, error) {
	var f FeeItem
	var demo int
	err := sc.Scan(&f.ID, &f.List, &f.Unit, &f.UnitNature, &f.Name, &f.Nature, &f.Content, &f.Standard, &f.Basis, &f.ListedOn, &f.DelistedOn, &demo)
	f.Demo = demo == 1
	return f, err
}

// Fees is the public list: the entries in force on day (today when ""),
// of one list ("" all), matching q in unit, item or basis.
func (s *Service) Fees(ctx context.Context, list, q, day string) ([]FeeItem, error) {
	var w kit.Where
	if list != "" {
		if ListLabels[list] == "" {
			return nil, kit.Errors{{Field: "list", Msg: "清单类别无效"}}
		}
		w.Add("list = ?", list)
	}
	if day == "" {
		day = s.today()
	}
	w.Add("listed_on <= ?", day)
	w.Add("(delisted_on = '' OR delisted_on > ?)", day)
	if len([]rune(q)) > 50 {
		return nil, kit.Errors{{Field: "q", Msg: "检索词不能超过 50 个字"}}
	}
	w.Contains(q, "unit", "name", "basis")
	var out []FeeItem
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+feeCols+` FROM fee_items`+w.SQL()+` ORDER BY list, unit, name LIMIT 2000`, w.Values(), func(r *sql.Rows) error {
		f, err := scanFee(r)
		out = append(out, f)
		return err
	})
	return out, err
}

// FeeItem returns one public list entry.
func (s *Service) FeeItem(ctx context.Context, id int64) (FeeItem, error) {
	f, err := scanFee(s.db.Reader().QueryRowContext(ctx, `SELECT `+feeCols+` FROM fee_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFound("收费项目 %d 不存在", id)
	}
	return f, err
}

// normCharge drops spaces, brackets' content and a trailing 费/金 so that
// "检验费（强检）" and "检验" compare equal.
func normCharge(v string) string {
	v = strings.Join(strings.Fields(v), "")
	for _, br := range [][2]string{{"（", "）"}, {"(", ")"}} {
		for {
			i := strings.Index(v, br[0])
			j := strings.Index(v, br[1])
			if i < 0 || j < i {
				break
			}
			v = v[:i] + v[j+len(br[1]):]
		}
	}
	for _, suf := range []string{"收费", "费用", "费", "基金", "保证金", "金"} {
		if t := strings.TrimSuffix(v, suf); t != "" && t != v {
			return t
		}
	}
	return v
}

// CheckCharge finds the list entries in force on day that a charge named
// by an enterprise corresponds to (by item name, optionally of the
// charging unit); none means the charge is on no list (清单外收费).
func (s *Service) CheckCharge(ctx context.Context, charge, unit, day string) ([]FeeItem, error) {
	want := normCharge(charge)
	if want == "" {
		return nil, nil
	}
	all, err := s.Fees(ctx, "", "", day)
	if err != nil {
		return nil, err
	}
	var exact, loose []FeeItem
	for _, f := range all {
		got := normCharge(f.Name)
		switch {
		case got == want:
			exact = append(exact, f)
		case len([]rune(want)) >= 2 && (strings.Contains(got, want) || strings.Contains(want, got) && len([]rune(got)) >= 2):
			loose = append(loose, f)
		}
	}
	out := append(exact, loose...)
	if unit = strings.TrimSpace(unit); unit != "" {
		var same []FeeItem
		for _, f := range out {
			if strings.Contains(f.Unit, unit) || strings.Contains(unit, f.Unit) {
				same = append(same, f)
			}
		}
		if len(same) > 0 {
			return same, nil
		}
	}
	return out, nil
}

// ListCounts are the entries in force per list today.
func (s *Service) ListCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	today := s.today()
	err := store.EachRow(ctx, s.db.Reader(), `SELECT list, COUNT(*) FROM fee_items WHERE listed_on <= $1 AND (delisted_on = '' OR delisted_on > $1) GROUP BY list`, []any{today}, func(r *sql.Rows) error {
		var l string
		var n int
		err := r.Scan(&l, &n)
		out[l] = n
		return err
	})
	return out, err
}

// ExportFees writes the lists in force as an import file.
func (s *Service) ExportFees(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	list, err := s.Fees(ctx, "", "", "")
	if err != nil {
		return err
	}
	if err := w.Write(kit.Header(FeeColumns)); err != nil {
		return err
	}
	for _, f := range list {
		if err := w.Write([]string{ListLabels[f.List], f.Unit, f.UnitNature, f.Name, f.Nature, f.Content, f.Standard, f.Basis, f.ListedOn, f.DelistedOn}); err != nil {
			return err
		}
	}
	return nil
}

// Fee case kinds and fields.
var (
	FeeCaseKinds = map[string]string{"complaint": "收费投诉举报", "case": "违规收费案件"}
	FeeFields    = []string{"中介机构", "行业协会商会", "交通物流", "水电气暖等公用事业", "银行", "其他"}
)

// FeeCase is a fee complaint or a violation case.
type FeeCase struct {
	ID       int64  `json:"id"`
	DeptID   int64  `json:"dept_id"`
	DeptName string `json:"dept_name"`
	Kind     string `json:"kind"`
	RefNo    string `json:"ref_no"`
	Party    string `json:"party"`
	// CreditCode is the charging unit's (optional; linked to the
	// enterprise directory).
	CreditCode string `json:"credit_code,omitempty"`
	Charge     string `json:"charge"`
	Amount     string `json:"amount"` // yuan, as entered
	AmountFen  int64  `json:"amount_fen"`
	FeeItemID  int64  `json:"fee_item_id,omitempty"`
	FeeItem    string `json:"fee_item,omitempty"` // the list entry matched
	OffList    bool   `json:"off_list"`           // the charge is on no list
	Field      string `json:"field"`
	ReceivedOn string `json:"received_on"`
	ClosedOn   string `json:"closed_on"`
	Outcome    string `json:"outcome"`
	Refund     string `json:"refund"`
	RefundFen  int64  `json:"refund_fen"`
	Demo       bool   `json:"demo"`
}

const feeCaseCols = `c.id, c.dept_id, COALESCE(d.name, ''), c.kind, c.ref_no, c.party, c.charge, c.amount_fen, COALESCE(c.fee_item_id, 0),
	COALESCE(f.list, ''), COALESCE(f.name, ''), c.field, c.received_on, c.closed_on, c.outcome, c.refund_fen, c.demo, c.credit_code`
const feeCaseFrom = ` FROM fee_cases c LEFT JOIN departments d ON d.id = c.dept_id LEFT JOIN fee_items f ON f.id = c.fee_item_id`

func scanFeeCase(sc interface{ Scan(...any) error }) (FeeCase, error) {
	var c FeeCase
	var list, name string
	var demo int
	err := sc.Scan(&c.ID, &c.DeptID, &c.DeptName, &c.Kind, &c.RefNo, &c.Party, &c.Charge, &c.AmountFen, &c.FeeItemID, &list, &name, &c.Field, &c.ReceivedOn, &c.ClosedOn, &c.Outcome, &c.RefundFen, &demo, &c.CreditCode)
	c.Demo, c.OffList = demo == 1, c.FeeItemID == 0
	if !c.OffList {
		c.FeeItem = ListLabels[list] + "：" + name
	}
	c.Amount, c.Refund = Yuan(c.AmountFen), Yuan(c.RefundFen)
	return c, err
}

// FeeCases lists the fee complaints and cases in p's scope, open first.
func (s *Service) FeeCases(ctx context.Context, p auth.Principal, offList bool) ([]FeeCase, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	var w kit.Where
	w.Scope(sc, "c.dept_id")
	if offList {
		w.Raw("c.fee_item_id IS NULL")
	}
	var out []FeeCase
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+feeCaseCols+feeCaseFrom+w.SQL()+` ORDER BY CASE WHEN c.closed_on = '' THEN 0 ELSE 1 END, c.received_on DESC, c.id DESC LIMIT 1000`, w.Values(),
		func(r *sql.Rows) error {
			c, err := scanFeeCase(r)
			out = append(out, c)
			return err
		})
	return out, err
}

func (s *Service) feeCaseByID(ctx context.Context, q store.Querier, id int64) (FeeCase, error) {
	c, err := scanFeeCase(q.QueryRowContext(ctx, `SELECT `+feeCaseCols+feeCaseFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("收费案件 %d 不存在", id)
	}
	return c, err
}

// CreateFeeCase registers a complaint or case; the charge is checked
// against the lists in force on the day received and the first match kept
// (none: 清单外收费, flagged).
func (s *Service) CreateFeeCase(ctx context.Context, p auth.Principal, c FeeCase) (FeeCase, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return FeeCase{}, err
	}
	var errs kit.Errors
	if FeeCaseKinds[c.Kind] == "" {
		errs.Add("kind", "类型须为收费投诉举报或违规收费案件")
	}
	c.RefNo = kit.Text(&errs, "ref_no", "编号", c.RefNo, 64, true)
	c.Party = kit.Text(&errs, "party", "收费单位", c.Party, 100, true)
	c.CreditCode = creditCode(&errs, "credit_code", "收费单位统一社会信用代码", c.CreditCode)
	c.Charge = kit.Text(&errs, "charge", "收费名目", c.Charge, 100, true)
	if !slices.Contains(FeeFields, c.Field) {
		errs.Add("field", "领域须为%s之一", strings.Join(FeeFields, "、"))
	}
	var ok bool
	if c.AmountFen, ok = ParseYuan(c.Amount); !ok {
		errs.Add("amount", "金额“%s”无效：请填写不小于 0 的元数，最多两位小数", kit.Clip(c.Amount))
	}
	c.ReceivedOn = s.day(&errs, "received_on", "受理日期", c.ReceivedOn, true)
	if err := errs.Err(); err != nil {
		return FeeCase{}, err
	}
	matches, err := s.CheckCharge(ctx, c.Charge, c.Party, c.ReceivedOn)
	if err != nil {
		return FeeCase{}, err
	}
	var item any
	if len(matches) > 0 {
		item = matches[0].ID
	}
	var ent any // the charging unit in the enterprise directory
	return s.feeCases().Save(ctx, kit.Write[FeeCase]{By: p.Actor(), Action: "create",
		Check: func(tx *sql.Tx, _ FeeCase) (err error) {
			if err := kit.DeptIn(ctx, tx, sc, c.DeptID, "部门"); err != nil {
				return err
			}
			ent, err = s.ensureEnterprise(ctx, tx, p, c.CreditCode, c.Party, c.Demo)
			return err
		},
		Exec: func(tx *sql.Tx, _ FeeCase) (id int64, err error) {
			err = tx.QueryRowContext(ctx, `INSERT INTO fee_cases(dept_id, kind, ref_no, party, charge, amount_fen, fee_item_id, field, received_on, closed_on, outcome, refund_fen, demo, created_at, updated_at, credit_code, enterprise_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', 0, $10, $11, $11, $12, $13) RETURNING id`,
				c.DeptID, c.Kind, c.RefNo, c.Party, c.Charge, c.AmountFen, item, c.Field, c.ReceivedOn, store.BoolInt(c.Demo), s.stamp(), c.CreditCode, ent).Scan(&id)
			return id, err
		},
		Conflict: func() string { return fmt.Sprintf("编号 %s 已存在", c.RefNo) }})
}

// feeCases is the kit's write skeleton for fee cases: one outside the
// caller's scope does not exist.
func (s *Service) feeCases() kit.Spec[FeeCase] {
	return kit.Spec[FeeCase]{DB: s.db, Entity: "fee_case", Noun: "收费案件", Load: s.feeCaseByID,
		Dept: func(c FeeCase) int64 { return c.DeptID }, Missing: func(id int64) string { return fmt.Sprintf("收费案件 %d 不存在", id) }}
}

// CloseFeeCase records how a complaint or case ended and what was refunded.
func (s *Service) CloseFeeCase(ctx context.Context, p auth.Principal, id int64, outcome, refund, on string) (FeeCase, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return FeeCase{}, err
	}
	var errs kit.Errors
	outcome = kit.Text(&errs, "outcome", "处理结果", outcome, 1000, true)
	var fen int64
	if strings.TrimSpace(refund) != "" {
		var ok bool
		if fen, ok = ParseYuan(refund); !ok {
			errs.Add("refund", "退还金额“%s”无效", kit.Clip(refund))
		}
	}
	if strings.TrimSpace(on) == "" {
		on = s.today()
	}
	on = s.day(&errs, "closed_on", "办结日期", on, true)
	if err := errs.Err(); err != nil {
		return FeeCase{}, err
	}
	return s.feeCases().Save(ctx, kit.Write[FeeCase]{By: p.Actor(), Scope: &sc, ID: id, Action: "close",
		Check: func(_ *sql.Tx, before FeeCase) error {
			return closable("案件", before.ClosedOn, before.ReceivedOn, on)
		},
		Exec: func(tx *sql.Tx, _ FeeCase) (int64, error) {
			_, err := tx.ExecContext(ctx, `UPDATE fee_cases SET closed_on = $1, outcome = $2, refund_fen = $3, updated_at = $4 WHERE id = $5`, on, outcome, fen, s.stamp(), id)
			return id, err
		}})
}

// ParseYuan reads an amount in yuan ("1,000.5", "500元") as fen; negative
// amounts, more than two decimals and more than 10^12 yuan are refused.
func ParseYuan(v string) (int64, bool) {
	v = strings.TrimSuffix(strings.TrimSpace(strings.ReplaceAll(v, ",", "")), "元")
	if v == "" || strings.ContainsAny(v[:1], "+-") {
		return 0, false
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// Yuan shows fen as yuan with two decimals and thousands separators.
func Yuan(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s.%02d", s, fen%100)
}
