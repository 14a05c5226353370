package boiler

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Fuel keys of the default table.
const (
	FuelNaturalGas = "natural_gas"
	FuelOil        = "fuel_oil"
	FuelLPG        = "lpg"
)

// Limits of the inputs. O2 must lie in [0, O2Max): at 20.9 % the flue gas
// is air and α is unbounded. Temperatures outside these bounds are sensor
// faults, not boilers.
const (
	O2Max      = 20.9
	AlphaFlag  = 2.0 // α above this is flagged (air leaks or a bad probe)
	MinTemp    = -60.0
	MaxFlue    = 1200.0
	MaxCOppm   = 100000.0 // 10 % vol: beyond that the probe is broken
	MaxLossPct = 100.0
)

// Fuel holds one fuel's constants.
type Fuel struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	A2    float64 `json:"a2"`
	B     float64 `json:"b"`
}

// Table is a versioned coefficient table.
type Table struct {
	Version  string  `json:"version"`
	Source   string  `json:"source"`
	Q3Factor float64 `json:"q3_factor"`
	Fuels    []Fuel  `json:"fuels"`
}

//go:embed coefficients.json
var defaultTable []byte

// Default returns the table built into this binary (a fresh copy).
func Default() Table {
	t, err := ParseTable(defaultTable)
	if err != nil {
		panic("boiler: built-in coefficient table: " + err.Error())
	}
	return t
}

// ParseTable reads and checks a coefficient table.
func ParseTable(b []byte) (Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return Table{}, fmt.Errorf("boiler: coefficient table: %w", err)
	}
	if strings.TrimSpace(t.Version) == "" {
		return Table{}, fmt.Errorf("boiler: coefficient table has no version")
	}
	if !(t.Q3Factor >= 0 && t.Q3Factor < 100) {
		return Table{}, fmt.Errorf("boiler: coefficient table %s: q3_factor %v out of range", t.Version, t.Q3Factor)
	}
	seen := map[string]bool{}
	for _, f := range t.Fuels {
		if f.Key == "" || seen[f.Key] {
			return Table{}, fmt.Errorf("boiler: coefficient table %s: fuel key %q empty or repeated", t.Version, f.Key)
		}
		if !(f.A2 > 0 && f.A2 < 10 && f.B >= 0 && f.B < 1) {
			return Table{}, fmt.Errorf("boiler: coefficient table %s: fuel %s constants out of range", t.Version, f.Key)
		}
		seen[f.Key] = true
	}
	if len(t.Fuels) == 0 {
		return Table{}, fmt.Errorf("boiler: coefficient table %s has no fuels", t.Version)
	}
	return t, nil
}

// Fuel returns the constants of the fuel key.
func (t Table) Fuel(key string) (Fuel, bool) {
	for _, f := range t.Fuels {
		if f.Key == key {
			return f, true
		}
	}
	return Fuel{}, false
}

// FuelKeys lists the table's fuel keys, sorted.
func (t Table) FuelKeys() []string {
	var ks []string
	for _, f := range t.Fuels {
		ks = append(ks, f.Key)
	}
	sort.Strings(ks)
	return ks
}

// Input is one operating point: averages over a window of ≥ 30 s online,
// or one reading typed at the command line.
type Input struct {
	Fuel     string
	FlueTemp float64 // °C, exhaust after the economiser
	AirTemp  float64 // °C, combustion air
	O2       float64 // % vol, dry flue gas
	COppm    float64 // ppm; 0 when not measured
	Q4       float64 // % unburnt-carbon loss (0 for gas and oil)
	Q5       float64 // % surface (radiation) loss
	Q6       float64 // % ash physical-heat loss
}

// Result is a computed efficiency. Percentages are rounded to 4 decimals.
type Result struct {
	Fuel       string   `json:"fuel"`
	Alpha      float64  `json:"alpha"`
	Q2         float64  `json:"q2"`
	Q3         float64  `json:"q3"`
	Q4         float64  `json:"q4"`
	Q5         float64  `json:"q5"`
	Q6         float64  `json:"q6"`
	Efficiency float64  `json:"efficiency"`
	Version    string   `json:"coefficient_version"`
	Flags      []string `json:"flags,omitempty"`
}

// FlagAlphaHigh marks α > 2: the computation stands but the reading is
// suspect (air ingress, a probe in the wrong place, a boiler on standby).
const FlagAlphaHigh = "alpha_high"

// InputError is a refused input: which field, and why, in Chinese and English.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

func refuse(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate checks in against the table; it returns an *InputError.
func (t Table) Validate(in Input) error {
	if _, ok := t.Fuel(in.Fuel); !ok {
		return refuse("fuel", "燃料“%s”不在系数表 %s 中（可选：%s） unknown fuel", in.Fuel, t.Version, strings.Join(t.FuelKeys(), ", "))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"flue-temp", in.FlueTemp}, {"air-temp", in.AirTemp}, {"o2", in.O2}, {"co-ppm", in.COppm}, {"q4", in.Q4}, {"q5", in.Q5}, {"q6", in.Q6}} {
		if !finite(f.v) {
			return refuse(f.name, "不是有限数值 not a finite number")
		}
	}
	switch {
	case in.O2 < 0 || in.O2 >= O2Max:
		return refuse("o2", "烟气含氧量须在 [0, %.1f) %% 之内（收到 %g） O2 must be in [0, %.1f)", O2Max, in.O2, O2Max)
	case in.AirTemp < MinTemp || in.AirTemp > 100:
		return refuse("air-temp", "进风温度须在 %g 到 100 °C 之间（收到 %g） air temperature out of range", MinTemp, in.AirTemp)
	case in.FlueTemp > MaxFlue:
		return refuse("flue-temp", "排烟温度超过 %g °C（收到 %g），应为传感器故障 flue temperature out of range", MaxFlue, in.FlueTemp)
	case in.FlueTemp <= in.AirTemp:
		return refuse("flue-temp", "排烟温度（%g °C）须高于进风温度（%g °C） flue temperature must exceed air temperature", in.FlueTemp, in.AirTemp)
	case in.COppm < 0 || in.COppm > MaxCOppm:
		return refuse("co-ppm", "CO 须在 0 到 %g ppm 之间（收到 %g） CO out of range", MaxCOppm, in.COppm)
	}
	for _, q := range []struct {
		name string
		v    float64
	}{{"q4", in.Q4}, {"q5", in.Q5}, {"q6", in.Q6}} {
		if q.v < 0 || q.v >= MaxLossPct {
			return refuse(q.name, "热损失须在 [0, 100) %% 之内（收到 %g） loss must be in [0, 100)", q.v)
		}
	}
	return nil
}

// Alpha is the excess-air coefficient α = 21/(21 − O2).
func Alpha(o2 float64) float64 { return 21 / (21 - o2) }

// Compute returns the efficiency of in, or an *InputError.
func (t Table) Compute(in Input) (Result, error) {
	if err := t.Validate(in); err != nil {
		return Result{}, err
	}
	f, _ := t.Fuel(in.Fuel)
	alpha := Alpha(in.O2)
	q2 := (in.FlueTemp - in.AirTemp) * (f.A2/(21-in.O2) + f.B)
	q3 := t.Q3Factor * alpha * in.COppm / 10000 // ppm → % vol
	losses := q2 + q3 + in.Q4 + in.Q5 + in.Q6
	if losses >= MaxLossPct {
		return Result{}, refuse("o2", "各项热损失合计 %.2f %% 不小于 100 %%，读数不可信（检查含氧量和排烟温度） losses reach 100 %%", losses)
	}
	r := Result{
		Fuel: in.Fuel, Alpha: round4(alpha), Q2: round4(q2), Q3: round4(q3),
		Q4: round4(in.Q4), Q5: round4(in.Q5), Q6: round4(in.Q6),
		Efficiency: round4(100 - losses), Version: t.Version,
	}
	if alpha > AlphaFlag {
		r.Flags = append(r.Flags, FlagAlphaHigh)
	}
	return r, nil
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
