package telemetry

import (
	"reflect"
	"testing"
	"time"

	"sidi/internal/creditcode"
)

func TestDemoDevices(t *testing.T) {
	devs, secrets := DemoDevices(300)
	again, _ := DemoDevices(300)
	if !reflect.DeepEqual(devs, again) {
		t.Fatal("demo devices are not deterministic")
	}
	if _, err := NewStaticRegistry(devs, secrets); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, d := range devs {
		types[d.Type]++
		if len(d.Code) != 18 {
			t.Fatalf("code %q is not 18 characters", d.Code)
		}
		if _, err := creditcode.Parse(d.CreditCode); err != nil {
			t.Fatalf("credit code %s: %v", d.CreditCode, err)
		}
		if d.Type == TypeBoiler && d.Fuel == "" {
			t.Fatalf("boiler %s without fuel", d.Code)
		}
	}
	if types[TypeBoiler] < 100 || types[TypeCrane] == 0 || types[TypePressureVessel] == 0 {
		t.Fatalf("type mix %v", types)
	}
}

func TestSimulatorDeterministicAndFaults(t *testing.T) {
	devs, _ := DemoDevices(50)
	a, b := NewSimulator(devs, 7), NewSimulator(devs, 7)
	for range 30 {
		if ra, rb := a.Tick(), b.Tick(); !reflect.DeepEqual(ra, rb) {
			t.Fatal("same seed, different readings")
		}
	}
	boiler := -1
	for i, d := range devs {
		if d.Type == TypeBoiler {
			boiler = i
			break
		}
	}
	all := []string{PointSteamPressure, PointSteamTemp, PointWaterLevel, PointFlueTemp, PointFlueTempPre, PointAirTemp, PointO2, PointCO,
		PointFeedwaterTemp, PointLowWater, PointHighWater, PointFlameOut, PointOverpressure}
	find := func(rs []SimReading, code string) (SimReading, bool) {
		for _, r := range rs {
			if r.Device.Code == code {
				return r, true
			}
		}
		return SimReading{}, false
	}
	tests := []struct {
		fault string
		check func(m Message) bool
	}{
		{FaultLowWater, func(m Message) bool { v, _ := m.Value(PointLowWater); return v == 1 }},
		{FaultPressure, func(m Message) bool { v, _ := m.Value(PointOverpressure); return v == 1 }},
		{FaultFlameOut, func(m Message) bool { v, _ := m.Value(PointFlameOut); return v == 1 }},
		{FaultO2Drift, func(m Message) bool { v, _ := m.Value(PointO2); return v > 7 }},
	}
	for _, tc := range tests {
		t.Run(tc.fault, func(t *testing.T) {
			s := NewSimulator(devs, 1)
			s.FaultRate = 0
			r, _ := find(s.Tick(), devs[boiler].Code)
			m := Message{Points: r.Points}
			for _, p := range all {
				if _, ok := m.Value(p); !ok {
					t.Fatalf("boiler reading lacks %s", p)
				}
			}
			if tc.check(m) {
				t.Fatal("fault shows before it starts")
			}
			s.Force(boiler, tc.fault, 20)
			for range 6 {
				s.Tick()
			}
			r, _ = find(s.Tick(), devs[boiler].Code)
			// Every reading passes the decoder.
			now := time.Now()
			at, pts, err := Decode(Encode(now, r.Points), now)
			if err != nil || !at.Equal(now.Truncate(time.Millisecond)) {
				t.Fatal(err)
			}
			if !tc.check(Message{Points: pts}) {
				t.Fatalf("fault %s not visible: %v", tc.fault, pts)
			}
		})
	}
	s := NewSimulator(devs, 1)
	s.FaultRate = 0
	s.Force(boiler, FaultSilent, 3)
	if _, ok := find(s.Tick(), devs[boiler].Code); ok {
		t.Fatal("silent device published")
	}
}
