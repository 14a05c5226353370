package boiler_test

import (
	"errors"
	"math"
	"testing"

	"sidi/internal/boiler"
)

// TestDomainVectors holds the vectors of DOMAIN §6.
func TestDomainVectors(t *testing.T) {
	tab := boiler.Default()
	if got := boiler.Alpha(3.5); math.Abs(got-1.2) > 1e-12 {
		t.Errorf("α(3.5) = %v, want 1.2000", got)
	}
	cases := []struct {
		fuel            string
		flue, air, o2   float64
		q2, alpha, effi float64
	}{
		{boiler.FuelNaturalGas, 150, 20, 3.5, 6.0729, 1.2, 93.9271},
		{boiler.FuelOil, 180, 20, 4, 7.5200, 1.2353, 92.48},
		{boiler.FuelLPG, 160, 20, 5, 6.6325, 1.3125, 93.3675},
	}
	for _, c := range cases {
		t.Run(c.fuel, func(t *testing.T) {
			r, err := tab.Compute(boiler.Input{Fuel: c.fuel, FlueTemp: c.flue, AirTemp: c.air, O2: c.o2})
			if err != nil {
				t.Fatal(err)
			}
			if r.Q2 != c.q2 || r.Alpha != c.alpha || r.Efficiency != c.effi {
				t.Errorf("got q2 %v α %v η %v, want %v %v %v", r.Q2, r.Alpha, r.Efficiency, c.q2, c.alpha, c.effi)
			}
			if r.Version != tab.Version || r.Version == "" {
				t.Errorf("version %q", r.Version)
			}
		})
	}
}

func TestLossesAndFlags(t *testing.T) {
	tab := boiler.Default()
	r, err := tab.Compute(boiler.Input{Fuel: boiler.FuelNaturalGas, FlueTemp: 150, AirTemp: 20, O2: 3.5, COppm: 50, Q5: 1.7})
	if err != nil {
		t.Fatal(err)
	}
	// q3 = 3.2 · 1.2 · 0.005 = 0.0192
	if r.Q3 != 0.0192 || r.Q5 != 1.7 || r.Efficiency != round(100-6.0729-0.0192-1.7) {
		t.Errorf("got %+v", r)
	}
	r, err = tab.Compute(boiler.Input{Fuel: boiler.FuelNaturalGas, FlueTemp: 60, AirTemp: 20, O2: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Flags) != 1 || r.Flags[0] != boiler.FlagAlphaHigh {
		t.Errorf("α %v flags %v, want alpha_high", r.Alpha, r.Flags)
	}
}

func round(v float64) float64 { return math.Round(v*10000) / 10000 }

func TestRefused(t *testing.T) {
	tab := boiler.Default()
	ok := boiler.Input{Fuel: boiler.FuelNaturalGas, FlueTemp: 150, AirTemp: 20, O2: 3.5}
	cases := []struct {
		name  string
		edit  func(*boiler.Input)
		field string
	}{
		{"O2 negative", func(in *boiler.Input) { in.O2 = -0.1 }, "o2"},
		{"O2 at 20.9", func(in *boiler.Input) { in.O2 = 20.9 }, "o2"},
		{"O2 21", func(in *boiler.Input) { in.O2 = 21 }, "o2"},
		{"O2 NaN", func(in *boiler.Input) { in.O2 = math.NaN() }, "o2"},
		{"flue equals air", func(in *boiler.Input) { in.FlueTemp = 20 }, "flue-temp"},
		{"flue below air", func(in *boiler.Input) { in.FlueTemp = 10 }, "flue-temp"},
		{"flue infinite", func(in *boiler.Input) { in.FlueTemp = math.Inf(1) }, "flue-temp"},
		{"unknown fuel", func(in *boiler.Input) { in.Fuel = "coal'; DROP" }, "fuel"},
		{"CO negative", func(in *boiler.Input) { in.COppm = -1 }, "co-ppm"},
		{"q5 100", func(in *boiler.Input) { in.Q5 = 100 }, "q5"},
		{"q4 negative", func(in *boiler.Input) { in.Q4 = -1 }, "q4"},
		{"losses reach 100", func(in *boiler.Input) { in.O2 = 20.8; in.FlueTemp = 900 }, "o2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.edit(&in)
			_, err := tab.Compute(in)
			var ie *boiler.InputError
			if !errors.As(err, &ie) || ie.Field != c.field {
				t.Fatalf("got %v, want refusal of %s", err, c.field)
			}
		})
	}
}

func TestParseTable(t *testing.T) {
	for _, bad := range []string{``, `{}`, `{"version":"x","fuels":[]}`, `{"version":"x","q3_factor":3.2,"fuels":[{"key":"g","a2":-1,"b":0}]}`,
		`{"version":"x","q3_factor":3.2,"fuels":[{"key":"g","a2":0.6,"b":0},{"key":"g","a2":0.6,"b":0}]}`} {
		if _, err := boiler.ParseTable([]byte(bad)); err == nil {
			t.Errorf("table %q accepted", bad)
		}
	}
}

// FuzzCompute: any input is either refused with a field or gives finite
// values that add up, α ≥ 1 and an efficiency in (0, 100].
func FuzzCompute(f *testing.F) {
	f.Add("natural_gas", 150.0, 20.0, 3.5, 50.0, 0.0, 1.7, 0.0)
	f.Add("lpg", 160.0, 20.0, 5.0, 0.0, 0.0, 0.0, 0.0)
	f.Add("fuel_oil", 20.0, 20.0, 20.89, 1e5, 99.0, 0.0, 0.0)
	tab := boiler.Default()
	f.Fuzz(func(t *testing.T, fuel string, flue, air, o2, co, q4, q5, q6 float64) {
		r, err := tab.Compute(boiler.Input{Fuel: fuel, FlueTemp: flue, AirTemp: air, O2: o2, COppm: co, Q4: q4, Q5: q5, Q6: q6})
		if err != nil {
			var ie *boiler.InputError
			if !errors.As(err, &ie) || ie.Field == "" || ie.Reason == "" {
				t.Fatalf("error without field: %v", err)
			}
			return
		}
		for _, v := range []float64{r.Alpha, r.Q2, r.Q3, r.Efficiency} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite result %+v", r)
			}
		}
		if r.Alpha < 1 || r.Q2 <= 0 || r.Q3 < 0 || r.Efficiency <= 0 || r.Efficiency > 100 {
			t.Fatalf("out of range %+v", r)
		}
		if math.Abs(r.Efficiency-(100-r.Q2-r.Q3-r.Q4-r.Q5-r.Q6)) > 1e-3 {
			t.Fatalf("losses do not add up: %+v", r)
		}
	})
}
