package equipment

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/telemetry"
)

// DemoNote marks every demo record.
const DemoNote = "【演示数据】本条为系统演示用虚构记录，设备代码、使用单位、位置和检验记录均非真实信息。"

// DemoGolmudBoiler is the code of the demo's first boiler, a gas-fired
// steam boiler of a salt-lake chemical plant in 格尔木 (632801): the device
// the telemetry simulator and the "water level lost" scenario use.
const DemoGolmudBoiler = "1100QH001202100001"

// DemoDevices is how many devices `sidi demo` registers.
const DemoDevices = 320

type demoPlace struct {
	region   string
	lat, lon float64
	units    []string // user units (the demo's enterprises) of the place
	weight   int
}

// demoPlaces weight the fleet to 海西州 and its salt-lake industry.
var demoPlaces = []demoPlace{
	{"632801", 36.40, 94.90, []string{"格尔木察尔汗盐湖钾肥", "格尔木昆仑盐化", "格尔木锂业新材料", "格尔木炼油化工", "格尔木热力"}, 30},
	{"632802", 37.37, 97.37, []string{"德令哈纯碱化工", "德令哈热力", "德令哈盐湖镁业"}, 10},
	{"632803", 38.25, 90.86, []string{"茫崖石棉矿业", "茫崖油田服务"}, 5},
	{"632857", 37.85, 95.36, []string{"大柴旦盐化"}, 3},
	{"630104", 36.63, 101.75, []string{"西宁城西热力", "西宁商业综合体物业"}, 8},
	{"630105", 36.66, 101.76, []string{"西宁甘河工业园铝业", "西宁城北医院后勤"}, 8},
	{"630102", 36.61, 101.80, []string{"西宁城东乳业"}, 6},
	{"630202", 36.48, 102.40, []string{"海东乐都水泥", "海东高铁站物业"}, 6},
	{"630203", 36.50, 102.10, []string{"海东平安热力"}, 5},
	{"632223", 36.90, 100.99, []string{"海晏县城供热"}, 3},
	{"632521", 36.28, 100.62, []string{"共和光伏材料", "共和县城供热"}, 5},
	{"632301", 35.52, 102.02, []string{"同仁市供热"}, 3},
	{"632621", 34.47, 100.24, []string{"玛沁县城供热"}, 3},
	{"632701", 33.00, 97.01, []string{"玉树市供热", "玉树商贸物业"}, 4},
}

type demoType struct {
	typ, catalogue, label string
	weight                int
}

var demoTypes = []demoType{
	{telemetry.TypeBoiler, "1100", "燃气蒸汽锅炉", 20}, {telemetry.TypeBoiler, "1200", "承压热水锅炉", 10},
	{telemetry.TypePressureVessel, "2150", "反应釜", 12}, {telemetry.TypePressureVessel, "2130", "液氨储罐", 6}, {telemetry.TypePressureVessel, "2170", "储气罐", 10},
	{telemetry.TypePressurePiping, "8310", "工艺管道", 6}, {telemetry.TypePressurePiping, "8320", "蒸汽管道", 3},
	{telemetry.TypeCrane, "4110", "桥式起重机", 7}, {telemetry.TypeCrane, "4170", "电动单梁起重机", 4}, {telemetry.TypeCrane, "4310", "塔式起重机", 2},
	{telemetry.TypeCrane, "4410", "汽车起重机", 2},
	{telemetry.TypeElevator, "3110", "乘客电梯", 12}, {telemetry.TypeElevator, "3120", "载货电梯", 3}, {telemetry.TypeElevator, "3310", "自动扶梯", 3},
}

func pick[T any](r *rand.Rand, xs []T, weight func(T) int) T {
	total := 0
	for _, x := range xs {
		total += weight(x)
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n -= weight(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// demoCreditCode makes a valid credit code for the demo's n-th unit of a
// region: 9 (工商) 1 (企业), the region, "MA" and seven digits.
func demoCreditCode(region string, n int) string {
	first := fmt.Sprintf("91%sMA%07d", region, 8000000+n)
	return first + string(creditcode.Check(first))
}

type demoDevice struct {
	in   Input
	insp []InspectionInput
}

// demoFleet builds the demo's devices around today: about one in seven
// overdue, one in eight due within the month, a few registered late or not
// at all, some stopped or scrapped.
func demoFleet(today time.Time) []demoDevice {
	r := rand.New(rand.NewPCG(2026, 26))
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	var out []demoDevice
	for i := 0; i < DemoDevices; i++ {
		pl := pick(r, demoPlaces, func(p demoPlace) int { return p.weight })
		ty := pick(r, demoTypes, func(t demoType) int { return t.weight })
		unitIdx := r.IntN(len(pl.units))
		if i == 0 {
			pl, ty, unitIdx = demoPlaces[0], demoTypes[0], 0
		}
		unit := pl.units[unitIdx]
		// the next due date this device should have
		var delta int
		switch x := r.IntN(100); {
		case x < 14:
			delta = -1 - r.IntN(150)
		case x < 26:
			delta = r.IntN(28)
		default:
			delta = 35 + r.IntN(290)
		}
		if i == 0 {
			delta = 120
		}
		due := today.AddDate(0, 0, delta)
		d := demoDevice{in: Input{Name: fmt.Sprintf("%s%d号%s（演示）", unit, i%7+1, ty.label), UserName: unit + "有限公司（演示）",
			UserCreditCode: demoCreditCode(pl.region, unitIdx), Region: pl.region, Demo: true, Note: DemoNote, Maker: "演示制造单位"}}
		lat, lon := pl.lat+(r.Float64()-0.5)*0.08, pl.lon+(r.Float64()-0.5)*0.08
		d.in.Latitude, d.in.Longitude = &lat, &lon
		body := "青海省特种设备检验检测院（演示）"
		report := func(k int) string { return fmt.Sprintf("演示-%04d-%05d-%d", due.Year(), i+1, k) }
		var inService, last time.Time
		switch ty.typ {
		case telemetry.TypeElevator:
			ys := []int{4, 7, 9, 11, 13, 15, 16, 17, 18}
			prev := map[int]int{4: 1, 7: 4, 9: 7, 11: 9, 13: 11, 15: 13, 16: 15, 17: 16, 18: 17}
			y := ys[r.IntN(len(ys))]
			inService = due.AddDate(-y, 0, 0)
			last = inService.AddDate(prev[y], 0, 0)
			d.in.Params = Params{Floors: 6 + r.IntN(26), SpeedMS: []float64{1, 1.5, 1.75, 2.5}[r.IntN(4)]}
			if ty.catalogue == "3310" {
				d.in.Params = Params{SpeedMS: 0.5}
			}
			d.insp = append(d.insp, InspectionInput{Date: day(last), Kind: KindPeriodic, Body: body, ReportNo: report(1), Conclusion: "合格"})
		case telemetry.TypeBoiler:
			last = due.AddDate(-1, 0, 0)
			inService = last.AddDate(-1-r.IntN(8), -r.IntN(12), 0)
			d.in.Fuel = []string{"natural_gas", "natural_gas", "natural_gas", "fuel_oil", "lpg", "coal"}[r.IntN(6)]
			if i == 0 {
				d.in.Fuel = "natural_gas"
			}
			if ty.catalogue == "1100" {
				d.in.Params = Params{EvaporationTH: []float64{2, 4, 6, 10, 20, 35}[r.IntN(6)], PressureMPa: []float64{1.25, 1.6, 2.5}[r.IntN(3)]}
			} else {
				d.in.Params = Params{PowerMW: []float64{1.4, 2.8, 7, 14, 29}[r.IntN(5)], PressureMPa: 1.0}
			}
			d.insp = append(d.insp, InspectionInput{Date: day(last), Kind: KindExternal, Body: body, ReportNo: report(1), Conclusion: "合格"},
				InspectionInput{Date: day(last), Kind: KindInternal, Body: body, ReportNo: report(2), Conclusion: "合格"})
		default:
			months := 36
			switch ty.typ {
			case telemetry.TypePressureVessel:
				g := []int{0, 1, 2, 2, 3, 3, 4}[r.IntN(7)]
				if g == 1 || g == 2 {
					months = 72
				}
				d.in.Params = Params{Category: map[string]string{"2150": "II", "2130": "III", "2170": "I"}[ty.catalogue], Grade: g,
					VolumeM3: []float64{0.5, 2, 6.3, 20, 50, 100}[r.IntN(6)], PressureMPa: []float64{0.8, 1.6, 2.5, 4}[r.IntN(4)]}
			case telemetry.TypePressurePiping:
				d.in.Params = Params{LengthM: float64(50 + r.IntN(2000)), PressureMPa: []float64{1.0, 1.6, 2.5}[r.IntN(3)]}
			case telemetry.TypeCrane:
				months = 24
				if ty.catalogue[:2] == "43" || ty.catalogue[:2] == "44" {
					months = 12
				}
				d.in.Params = Params{RatedLoadT: []float64{3, 5, 10, 16, 32, 50}[r.IntN(6)]}
			}
			last = due.AddDate(0, -months, 0)
			inService = last.AddDate(-1-r.IntN(5), 0, 0)
			d.insp = append(d.insp, InspectionInput{Date: day(last), Kind: KindPeriodic, Body: body, ReportNo: report(1), Conclusion: "合格"})
		}
		if last.After(today) { // a device whose inspection lies ahead: never inspected yet
			d.insp = nil
		}
		d.in.InServiceOn = day(inService)
		d.in.Code = fmt.Sprintf("%sQH%03d%04d%05d", ty.catalogue, 1+r.IntN(40), inService.Year(), i+1)
		if i == 0 {
			d.in.Code = DemoGolmudBoiler
			d.in.InServiceOn = "2021-06-15"
			d.insp = []InspectionInput{{Date: day(last), Kind: KindExternal, Body: body, ReportNo: report(1), Conclusion: "合格"},
				{Date: day(last), Kind: KindInternal, Body: body, ReportNo: report(2), Conclusion: "合格"}}
			d.in.Name = "格尔木察尔汗盐湖钾肥1号燃气蒸汽锅炉（演示）"
		}
		reg := inService.AddDate(0, 0, 3+r.IntN(25))
		switch x := r.IntN(100); {
		case x < 8:
			reg = inService.AddDate(0, 0, 40+r.IntN(60)) // 逾期登记
		case x < 11 && i != 0:
			reg = time.Time{} // 未登记
		}
		if !reg.IsZero() && !reg.After(today) {
			d.in.RegisteredOn = day(reg)
			d.in.RegistrationNo = fmt.Sprintf("演%s%05d(%02d)", TypeLabels[ty.typ][:3], i+1, reg.Year()%100)
		}
		switch x := r.IntN(100); {
		case x < 6 && i != 0:
			d.in.Status = StatusStopped
		case x < 9 && i != 0:
			d.in.Status = StatusScrapped
		}
		out = append(out, d)
	}
	return out
}

// SeedDemo registers the demo fleet with its inspections unless demo
// equipment exists, and returns how many devices it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM equipment WHERE demo = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("equipment: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	added := 0
	for _, d := range demoFleet(s.now().In(kit.CST)) {
		e, err := s.Create(ctx, p, d.in)
		if err != nil {
			return added, fmt.Errorf("demo equipment %s: %w", d.in.Code, err)
		}
		added++
		for _, x := range d.insp {
			if _, err := s.AddInspection(ctx, p, e.ID, x); err != nil {
				return added, fmt.Errorf("demo inspection of %s: %w", e.Code, err)
			}
		}
	}
	return added, nil
}
