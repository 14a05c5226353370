package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"sidi/internal/creditcode"
)

// DemoLabel marks demo devices and their data.
const DemoLabel = "【演示数据】"

// demoPlaces are Qinghai counties where the demo equipment stands, weighted
// towards 海西州 (格尔木, 德令哈, 茫崖, 大柴旦 — the salt-lake industry).
var demoPlaces = []struct{ region, name string }{
	{"632801", "格尔木"}, {"632801", "格尔木"}, {"632801", "格尔木"}, {"632802", "德令哈"}, {"632803", "茫崖"},
	{"632857", "大柴旦"}, {"630105", "西宁城北"}, {"630123", "湟源"}, {"630202", "海东乐都"}, {"632521", "共和"},
}

var demoKinds = []struct {
	typ, cat, name string
	weight         int
}{
	{TypeBoiler, "1100", "蒸汽锅炉", 5}, {TypePressureVessel, "2100", "储罐", 3}, {TypePressurePiping, "8000", "工业管道", 1},
	{TypeCrane, "4000", "桥式起重机", 1}, {TypeElevator, "3100", "曳引电梯", 1},
}

// DemoDevices returns n deterministic demo devices with their secrets: 18-
// character equipment codes (category 4 + region 6 + year 4 + serial 4),
// user units with valid 统一社会信用代码, names labelled 【演示数据】.
func DemoDevices(n int) ([]Device, []string) {
	r := rand.New(rand.NewPCG(20261206, 16))
	units := make([]string, 24)
	for i := range units {
		first := fmt.Sprintf("91632801MA7%06d", 100+i*37)
		units[i] = first + string(creditcode.Check(first))
	}
	total := 0
	for _, k := range demoKinds {
		total += k.weight
	}
	devs := make([]Device, 0, n)
	secrets := make([]string, 0, n)
	for i := range n {
		w := r.IntN(total)
		k := demoKinds[0]
		for _, kk := range demoKinds {
			if w < kk.weight {
				k = kk
				break
			}
			w -= kk.weight
		}
		p := demoPlaces[r.IntN(len(demoPlaces))]
		year := 2008 + r.IntN(17)
		d := Device{ID: int64(i + 1), Code: fmt.Sprintf("%s%s%d%04d", k.cat, p.region, year, i+1), CreditCode: units[r.IntN(len(units))],
			Type: k.typ, Region: p.region, Name: fmt.Sprintf("%s%s%s %d号", DemoLabel, p.name, k.name, i+1)}
		if k.typ == TypeBoiler {
			d.Fuel = []string{"natural_gas", "natural_gas", "natural_gas", "fuel_oil", "lpg"}[r.IntN(5)]
		}
		devs = append(devs, d)
		secrets = append(secrets, fmt.Sprintf("demo-secret-%s", d.Code))
	}
	return devs, secrets
}

// Fault kinds the simulator injects, so rules raise alarms on their own.
const (
	FaultNone       = ""
	FaultLowWater   = "low_water"    // water level falls below the low limit
	FaultPressure   = "overpressure" // steam or vessel pressure climbs over the limit
	FaultFlameOut   = "flame_out"    // burner trips: flue temperature and pressure fall
	FaultSilent     = "silent"       // the device stops publishing
	FaultO2Drift    = "o2_drift"     // excess air creeps up: O2 and flue losses rise
	defaultInterval = 5 * time.Second
)

// Simulator generates telemetry for devices: smooth noisy operation with
// occasional faults. The same seed and device list give the same readings.
type Simulator struct {
	devs      []Device
	state     []simState
	FaultRate float64 // chance per device and tick that a fault starts (default 0.002)
}

type simState struct {
	r      *rand.Rand
	fault  string
	left   int     // ticks the fault lasts
	phase  float64 // progress of the fault, 0…1
	load   float64 // 0.6…1.0 of rated output
	design float64 // design pressure, MPa (1.0 or 1.25: inside the default alarm rules, which are absolute thresholds)
}

// NewSimulator returns a simulator over devs.
func NewSimulator(devs []Device, seed uint64) *Simulator {
	s := &Simulator{devs: devs, FaultRate: 0.002}
	for i := range devs {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		s.state = append(s.state, simState{r: r, load: 0.6 + 0.4*r.Float64(), design: []float64{1.0, 1.25}[r.IntN(2)]})
	}
	return s
}

// Reading is one device's message of a tick.
type SimReading struct {
	Device Device
	Fault  string
	Points []Point
}

// Force starts a fault on device i now (tests and demos).
func (s *Simulator) Force(i int, fault string, ticks int) {
	s.state[i].fault, s.state[i].left, s.state[i].phase = fault, ticks, 0
}

// Tick advances every device by one interval and returns the readings of
// the devices that publish (silent ones do not).
func (s *Simulator) Tick() []SimReading {
	out := make([]SimReading, 0, len(s.devs))
	for i, d := range s.devs {
		st := &s.state[i]
		if st.left > 0 {
			st.left--
			st.phase = math.Min(1, st.phase+0.2)
			if st.left == 0 {
				st.fault, st.phase = FaultNone, 0
			}
		} else if st.r.Float64() < s.FaultRate {
			st.fault = []string{FaultLowWater, FaultPressure, FaultFlameOut, FaultSilent, FaultO2Drift}[st.r.IntN(5)]
			st.left, st.phase = 6+st.r.IntN(20), 0
		}
		st.load = math.Max(0.4, math.Min(1, st.load+st.r.NormFloat64()*0.01))
		if st.fault == FaultSilent {
			continue
		}
		out = append(out, SimReading{Device: d, Fault: st.fault, Points: s.points(d, st)})
	}
	return out
}

func (s *Simulator) points(d Device, st *simState) []Point {
	n := func(sd float64) float64 { return st.r.NormFloat64() * sd }
	round := func(v float64, digits int) float64 {
		p := math.Pow(10, float64(digits))
		return math.Round(v*p) / p
	}
	b := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	f, ph := st.fault, st.phase
	switch d.Type {
	case TypeBoiler:
		p := st.design*0.8 + n(0.01)
		level := n(8)
		o2 := 3.5 + n(0.15)
		flue := 135 + 25*st.load + n(1.5)
		co := 30 + n(5)
		flame := false
		switch f {
		case FaultLowWater:
			level = -40 - 100*ph + n(3)
		case FaultPressure:
			p = st.design*(0.8+0.3*ph) + n(0.01)
		case FaultFlameOut:
			flame = true
			p = st.design * (0.8 - 0.3*ph)
			flue = 135 - 60*ph
			o2 = 3.5 + 14*ph
			co = 5
		case FaultO2Drift:
			o2 = 3.5 + 5*ph + n(0.15)
			flue += 20 * ph
			co = 20
		}
		satT := 100 + 80*math.Pow(math.Max(p, 0.05)+0.1, 0.25) // close to saturation at these pressures
		return []Point{
			{PointAirTemp, round(12+n(0.5), 1), "°C"},
			{PointCO, round(math.Max(0, co), 0), "ppm"},
			{PointFeedwaterTemp, round(104+n(0.8), 1), "°C"},
			{PointFlameOut, b(flame), ""},
			{PointFlueTemp, round(flue, 1), "°C"},
			{PointFlueTempPre, round(flue+80*st.load+n(2), 1), "°C"},
			{PointHighWater, b(level > 75), ""},
			{PointLowWater, b(level < -75), ""},
			{PointO2, round(math.Max(0.2, math.Min(20.5, o2)), 2), "%"},
			{PointOverpressure, b(p > st.design), ""},
			{PointSteamPressure, round(math.Max(0, p), 3), "MPa"},
			{PointSteamTemp, round(satT+n(0.5), 1), "°C"},
			{PointWaterLevel, round(level, 0), "mm"},
		}
	case TypePressureVessel, TypePressurePiping:
		p := st.design*0.9 + n(0.01)
		if f == FaultPressure {
			p = st.design * (0.9 + 0.5*ph)
		}
		return []Point{{PointPressure, round(p, 3), "MPa"}, {PointTemperature, round(25+n(0.5), 1), "°C"}}
	case TypeCrane:
		run := st.r.Float64() < 0.6
		load := 0.0
		if run {
			load = round(5+10*st.r.Float64(), 1)
		}
		return []Point{{PointLoad, load, "t"}, {PointRunning, b(run), ""}}
	default:
		return []Point{{PointRunning, b(st.r.Float64() < 0.7), ""}}
	}
}

// RunSimulator publishes a tick every interval through pub until ctx ends.
// Failed publishes are logged and skipped (the device "lost" that reading).
func RunSimulator(ctx context.Context, sim *Simulator, pub *Publisher, interval time.Duration, log *slog.Logger) {
	if interval <= 0 {
		interval = defaultInterval
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := time.Now()
		readings := sim.Tick()
		var wg sync.WaitGroup
		work := make(chan SimReading)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range work {
					if err := pub.Publish(ctx, r.Device.Code, now, r.Points); err != nil && ctx.Err() == nil {
						log.Warn("模拟器发布失败 simulator publish failed", "device", r.Device.Code, "err", err)
					}
				}
			}()
		}
		for _, r := range readings {
			work <- r
		}
		close(work)
		wg.Wait()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
