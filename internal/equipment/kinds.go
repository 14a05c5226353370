package equipment

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Import columns, in the order of the export.
const (
	colCode     = "设备代码"
	colName     = "设备名称"
	colType     = "设备种类"
	colCredit   = "使用单位统一社会信用代码"
	colUser     = "使用单位名称"
	colRegion   = "所在地区"
	colLat      = "纬度"
	colLon      = "经度"
	colAddress  = "详细地址"
	colService  = "投入使用日期"
	colRegDate  = "使用登记日期"
	colRegNo    = "使用登记证编号"
	colStatus   = "状态"
	colMaker    = "制造单位"
	colFuel     = "燃料"
	colEvap     = "额定蒸发量（t/h）"
	colPower    = "额定热功率（MW）"
	colPressure = "额定或设计压力（MPa）"
	colCategory = "容器类别"
	colGrade    = "安全状况等级"
	colVolume   = "容积（m³）"
	colLength   = "管道长度（m）"
	colFloors   = "层站数"
	colSpeed    = "额定速度（m/s）"
	colLoad     = "额定起重量（t）"
	colNote     = "备注"
)

// ImportColumns are the columns of `sidi import equipment` and of its export.
var ImportColumns = []kit.Column{
	{Name: colCode, Required: true, Aliases: []string{"设备代码（18位）"}},
	{Name: colName, Required: true, Aliases: []string{"名称"}},
	{Name: colType, Aliases: []string{"设备类别", "种类"}},
	{Name: colCredit, Required: true, Aliases: []string{"使用单位信用代码", "统一社会信用代码"}},
	{Name: colUser, Aliases: []string{"使用单位"}},
	{Name: colRegion, Required: true, Aliases: []string{"行政区划代码", "所在区县"}},
	{Name: colLat}, {Name: colLon}, {Name: colAddress, Aliases: []string{"使用地点", "设备使用地点"}},
	{Name: colService, Required: true, Aliases: []string{"投用日期"}},
	{Name: colRegDate, Aliases: []string{"登记日期"}},
	{Name: colRegNo, Aliases: []string{"使用登记证号", "登记证编号"}},
	{Name: colStatus, Aliases: []string{"设备状态"}},
	{Name: colMaker, Aliases: []string{"制造单位名称"}},
	{Name: colFuel}, {Name: colEvap}, {Name: colPower}, {Name: colPressure, Aliases: []string{"压力（MPa）"}},
	{Name: colCategory}, {Name: colGrade}, {Name: colVolume}, {Name: colLength}, {Name: colFloors}, {Name: colSpeed}, {Name: colLoad},
	{Name: colNote},
}

// fieldColumn is the column of a validation field that is not named as
// its column.
var fieldColumn = map[string]string{"额定压力（MPa）": colPressure, "设计压力（MPa）": colPressure, "经纬度": colLat}

// CatalogueKind is the kind as a catalogue (names and header row), without
// a service behind it.
func CatalogueKind() kit.ImportKind[auth.Principal] {
	return kit.ImportKind[auth.Principal]{Name: "equipment", Title: "特种设备 special equipment register", Columns: ImportColumns, Roles: auth.RoleStrings(Keepers...),
		// Each row is written through the register's own write (several
		// tables a row): a web upload takes fewer rows than the command line.
		WebRows: 20_000, Page: "/equipment",
		Description: []string{
			"每一行是一台设备，按设备代码匹配：已登记的设备以文件为准更新，同一文件重复导入不会产生变化；导出的清单可直接作为导入文件。",
			"使用单位按统一社会信用代码关联企业名录；尚未登记的单位须填写使用单位名称。",
		}}
}

// ImportKind is the register's table for `sidi import/export equipment`.
func (s *Service) ImportKind() kit.ImportKind[auth.Principal] {
	k := CatalogueKind()
	k.Import, k.Export = s.Import, s.Export
	k.Reach = func(ctx context.Context, p auth.Principal) error {
		_, err := s.editorScope(ctx, p)
		return err
	}
	return k
}

// item is a parsed row.
type item struct {
	rec record
}

// Import reads an equipment list (header row in Chinese): every row is
// checked first — a bad row refuses the whole file, with its row, column
// and reason, unless SkipInvalid —, then the rows are written in batches,
// each in one transaction with one audit entry. A row is matched on its
// equipment code: the same file imported twice changes nothing.
func (s *Service) Import(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if _, err := s.editorScope(ctx, p); err != nil {
		return kit.ImportReport{}, err
	}
	dept, err := s.samrID(ctx, s.db.Reader())
	if err != nil {
		return kit.ImportReport{}, err
	}
	rep, err := kit.RunImport(ctx, src, opt, kit.Plan[item]{
		Kind:  "equipment",
		Spec:  kit.TableSpec{Columns: ImportColumns, Formulas: true},
		Parse: s.parseRow,
		Key:   func(x item) string { return x.rec.Code },
		Duplicate: func(row int, x item, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: colCode, Msg: fmt.Sprintf("设备代码 %s 与第 %d 行重复", x.rec.Code, prev)}
		},
		Check: s.checkBatch,
		Write: func(ctx context.Context, batch []kit.Item[item], file kit.ImportReport) (kit.BatchResult, error) {
			return s.writeBatch(ctx, p, dept, batch, file)
		},
	})
	if rep.Batches > 0 {
		if rerr := s.cache.reload(ctx); rerr != nil && err == nil {
			err = rerr
		}
	}
	return rep, err
}

func number(errs *kit.Errors, row int, col, v string) float64 {
	v = strings.ReplaceAll(strings.TrimSpace(foldWidth(v)), ",", "")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		errs.AddCell(row, col, "“%s”不是数字", kit.ClipRunes(v, 30))
	}
	return f
}

func (s *Service) parseRow(row kit.Row) (item, kit.Errors) {
	errs := row.Errs
	n := row.N
	in := Input{Code: row.Get(colCode), Name: row.Get(colName), Type: row.Get(colType), UserCreditCode: row.Get(colCredit), UserName: row.Get(colUser),
		Region: row.Get(colRegion), Address: row.Get(colAddress), InServiceOn: row.Get(colService), RegisteredOn: row.Get(colRegDate),
		RegistrationNo: row.Get(colRegNo), Status: row.Get(colStatus), Maker: row.Get(colMaker), Fuel: row.Get(colFuel), Note: row.Get(colNote)}
	if v, w := row.Get(colLat), row.Get(colLon); v != "" || w != "" {
		la, lo := number(&errs, n, colLat, v), number(&errs, n, colLon, w)
		if v != "" {
			in.Latitude = &la
		}
		if w != "" {
			in.Longitude = &lo
		}
	}
	pr := &in.Params
	pr.EvaporationTH = number(&errs, n, colEvap, row.Get(colEvap))
	pr.PowerMW = number(&errs, n, colPower, row.Get(colPower))
	pr.PressureMPa = number(&errs, n, colPressure, row.Get(colPressure))
	pr.Category = row.Get(colCategory)
	pr.VolumeM3 = number(&errs, n, colVolume, row.Get(colVolume))
	pr.LengthM = number(&errs, n, colLength, row.Get(colLength))
	pr.SpeedMS = number(&errs, n, colSpeed, row.Get(colSpeed))
	pr.RatedLoadT = number(&errs, n, colLoad, row.Get(colLoad))
	for _, c := range []struct {
		col string
		dst *int
	}{{colGrade, &pr.Grade}, {colFloors, &pr.Floors}} {
		v := strings.TrimSuffix(row.Get(c.col), "级")
		if v == "" {
			continue
		}
		k, err := strconv.Atoi(v)
		if err != nil {
			errs.AddCell(n, c.col, "“%s”不是整数", kit.ClipRunes(v, 30))
		}
		*c.dst = k
	}
	if len(errs) > 0 {
		return item{}, errs
	}
	r, ferrs := s.validate(in)
	for _, fe := range ferrs {
		col := fe.Field
		if c, ok := fieldColumn[col]; ok {
			col = c
		}
		errs.AddCell(n, col, "%s", fe.Msg)
	}
	return item{rec: r}, errs
}

// checkBatch checks the rows' regions and unknown user units against the
// database.
func (s *Service) checkBatch(ctx context.Context, batch []kit.Item[item]) (kit.Errors, error) {
	var out kit.Errors
	q := s.db.Reader()
	for i := range batch {
		x := &batch[i]
		var es kit.Errors
		checkRegion(ctx, q, &es, &x.Val.rec)
		for _, e := range es {
			out.AddCell(x.Row, colRegion, "%s", e.Msg)
		}
		if x.Val.rec.UserName == "" {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprises WHERE credit_code = $1`, x.Val.rec.UserCreditCode).Scan(&n); err != nil {
				return nil, fmt.Errorf("equipment: import check: %w", err)
			}
			if n == 0 {
				out.AddCell(x.Row, colUser, "统一社会信用代码 %s 尚未登记，请填写使用单位名称", x.Val.rec.UserCreditCode)
			}
		}
	}
	return out, nil
}

// stored is the comparable state of a row: what an import writes.
func stored(r record, user int64) string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return strings.Join([]string{r.Name, r.Type, strconv.FormatInt(user, 10), r.Region, f(r.Latitude), f(r.Longitude), r.Address, r.InServiceOn, r.RegisteredOn,
		r.RegistrationNo, r.Status, r.Maker, r.params, r.Fuel, r.Note}, "\x1f")
}

func (s *Service) writeBatch(ctx context.Context, p auth.Principal, dept int64, batch []kit.Item[item], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = kit.BatchResult{}
		var created, updated []int64
		digest := kit.NewRowsDigest()
		wc := &writeCache{}
		regions := map[string]record{} // region as written → resolved
		for _, it := range batch {
			r := it.Val.rec
			// the region was resolved in the validation pass, on another copy
			if res, ok := regions[r.Region]; ok {
				r.Region, r.prefecture = res.Region, res.prefecture
			} else {
				raw := r.Region
				var es kit.Errors
				checkRegion(ctx, tx, &es, &r)
				if len(es) > 0 {
					return fmt.Errorf("第 %d 行：%s", it.Row, es[0].Msg)
				}
				regions[raw] = r
			}
			var id, curUser int64
			var lat, lon sql.NullFloat64
			var cur record
			err := tx.QueryRowContext(ctx, `SELECT id, name, type, user_id, region_code, latitude, longitude, address, in_service_on, registered_on, registration_no,
				status, maker, params, fuel, note FROM equipment WHERE code = $1`, r.Code).Scan(&id, &cur.Name, &cur.Type, &curUser, &cur.Region, &lat, &lon, &cur.Address,
				&cur.InServiceOn, &cur.RegisteredOn, &cur.RegistrationNo, &cur.Status, &cur.Maker, &cur.params, &cur.Fuel, &cur.Note)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("equipment: import row %d: %w", it.Row, err)
			}
			exists := err == nil
			if exists {
				if lat.Valid && lon.Valid {
					cur.Latitude, cur.Longitude = &lat.Float64, &lon.Float64
				}
			}
			key := r.UserCreditCode + "\x00" + r.UserName
			user, ok := wc.users[key]
			if !ok {
				if user, err = s.ent.EnsureTx(ctx, tx, p, r.UserCreditCode, r.UserName, r.Demo); err != nil {
					return fmt.Errorf("第 %d 行使用单位：%w", it.Row, err)
				}
				if wc.users == nil {
					wc.users = map[string]int64{}
				}
				wc.users[key] = user
			}
			after := stored(r, user)
			if exists && stored(cur, curUser) == after {
				res.Unchanged++
				continue
			}
			if !exists {
				id = 0
			}
			wid, err := s.write(ctx, tx, p, id, dept, r, wc)
			if err != nil {
				if kit.IsUnique(err) {
					return fmt.Errorf("第 %d 行：设备代码 %s 已登记", it.Row, r.Code)
				}
				return fmt.Errorf("equipment: import row %d: %w", it.Row, err)
			}
			if exists {
				res.Updated++
				updated = append(updated, wid)
			} else {
				res.Created++
				created = append(created, wid)
			}
			digest.Add(wid, it.Row, r.Code, after)
		}
		if res.Created+res.Updated == 0 {
			return nil // nothing changed: nothing to audit
		}
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: "equipment", File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, Digest: digest})
	})
	return res, err
}

// Export writes the equipment p may read as an import file of the same
// columns (importing it back changes nothing).
func (s *Service) Export(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	a, err := s.readAccess(ctx, p)
	if err != nil {
		return err
	}
	if err := w.Write(kit.Header(ImportColumns)); err != nil {
		return err
	}
	num := func(v float64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	for last := int64(0); ; {
		var wh kit.Where
		a.cond(&wh)
		wh.Add("e.id > ?", last)
		var rows [][]string
		err := store.EachRow(ctx, s.db.Reader(), equipmentSelect+wh.SQL()+` ORDER BY e.id LIMIT 1000`, wh.Values(), func(r *sql.Rows) error {
			e, err := s.scan(r)
			if err != nil {
				return err
			}
			last = e.ID
			var la, lo, grade, floors string
			if e.Latitude != nil {
				la, lo = strconv.FormatFloat(*e.Latitude, 'f', -1, 64), strconv.FormatFloat(*e.Longitude, 'f', -1, 64)
			}
			if e.Params.Grade > 0 {
				grade = strconv.Itoa(e.Params.Grade)
			}
			if e.Params.Floors > 0 {
				floors = strconv.Itoa(e.Params.Floors)
			}
			pr := e.Params
			rows = append(rows, []string{e.Code, e.Name, e.TypeLabel, e.UserCreditCode, e.UserName, e.RegionCode, la, lo, e.Address, e.InServiceOn,
				e.RegisteredOn, e.RegistrationNo, e.StatusLabel, e.Maker, e.FuelLabel, num(pr.EvaporationTH), num(pr.PowerMW), num(pr.PressureMPa),
				pr.Category, grade, num(pr.VolumeM3), num(pr.LengthM), floors, num(pr.SpeedMS), num(pr.RatedLoadT), e.Note})
			return nil
		})
		if err != nil {
			return fmt.Errorf("equipment: export: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				return err
			}
		}
	}
}
