package telemetry

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		reason  string
		at      time.Time
		points  []Point
	}{
		{name: "rfc3339", payload: `{"ts":"2026-12-06T03:59:00.5Z","points":{"steam_pressure":{"v":1.02,"u":"MPa"},"low_water":{"v":true}}}`,
			at: time.Date(2026, 12, 6, 3, 59, 0, 5e8, time.UTC), points: []Point{{"low_water", 1, ""}, {"steam_pressure", 1.02, "MPa"}}},
		{name: "epoch ms with zone offset ignored", payload: `{"ts":1796529540000,"points":{"o2":{"v":3.5,"u":"%"}}}`,
			at: time.UnixMilli(1796529540000).UTC(), points: []Point{{"o2", 3.5, "%"}}},
		{name: "unit in Chinese", payload: `{"ts":"2026-12-06T12:00:00+08:00","points":{"flue_temp":{"v":150,"u":"°C"}}}`,
			at: time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC), points: []Point{{"flue_temp", 150, "°C"}}},
		{name: "not json", payload: `steam=1`, reason: ReasonBadJSON},
		{name: "truncated", payload: `{"ts":1796529540000,"points":{`, reason: ReasonBadJSON},
		{name: "no ts", payload: `{"points":{"o2":{"v":1}}}`, reason: ReasonBadTimestamp},
		{name: "ts words", payload: `{"ts":"yesterday","points":{"o2":{"v":1}}}`, reason: ReasonBadTimestamp},
		{name: "ts negative", payload: `{"ts":-5,"points":{"o2":{"v":1}}}`, reason: ReasonBadTimestamp},
		{name: "ts float", payload: `{"ts":1.5e12,"points":{"o2":{"v":1}}}`, reason: ReasonBadTimestamp},
		{name: "future", payload: `{"ts":"2026-12-06T04:06:00Z","points":{"o2":{"v":1}}}`, reason: ReasonFutureTime},
		{name: "past", payload: `{"ts":"2026-11-20T04:00:00Z","points":{"o2":{"v":1}}}`, reason: ReasonPastTime},
		{name: "no points", payload: `{"ts":"2026-12-06T04:00:00Z","points":{}}`, reason: ReasonNoPoints},
		{name: "huge number", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"v":1e999}}}`, reason: ReasonBadValue},
		{name: "string value", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"v":"NaN"}}}`, reason: ReasonBadValue},
		{name: "null value", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"v":null}}}`, reason: ReasonBadValue},
		{name: "missing value", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"u":"%"}}}`, reason: ReasonBadValue},
		{name: "bad name", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"蒸汽压力":{"v":1}}}`, reason: ReasonBadPointName},
		{name: "upper name", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"O2":{"v":1}}}`, reason: ReasonBadPointName},
		{name: "unit with markup", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"v":1,"u":"<b>"}}}`, reason: ReasonBadUnit},
		{name: "oversize", payload: `{"ts":"2026-12-06T04:00:00Z","points":{"o2":{"v":1,"u":"` + strings.Repeat("x", MaxPayload) + `"}}}`, reason: ReasonOversize},
		{name: "too many points", payload: manyPoints(MaxPoints + 1), reason: ReasonTooManyPoints},
		{name: "max points", payload: manyPoints(MaxPoints), at: now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, pts, err := Decode([]byte(tc.payload), now)
			if tc.reason != "" {
				if err == nil || ReasonOf(err) != tc.reason {
					t.Fatalf("got %v, want reason %s", err, tc.reason)
				}
				if !strings.Contains(err.Error(), tc.reason) || !hasHan(err.Error()) {
					t.Fatalf("message %q lacks the code or Chinese text", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !at.Equal(tc.at) {
				t.Fatalf("at %v, want %v", at, tc.at)
			}
			if tc.points != nil && !equalPoints(pts, tc.points) {
				t.Fatalf("points %v, want %v", pts, tc.points)
			}
		})
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func manyPoints(n int) string {
	var b strings.Builder
	b.WriteString(`{"ts":"2026-12-06T04:00:00Z","points":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"p` + string(rune('a'+i/26)) + string(rune('a'+i%26)) + `":{"v":1}`)
	}
	b.WriteString("}}")
	return b.String()
}

func equalPoints(a, b []Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncodeRoundTrip(t *testing.T) {
	pts := []Point{{"flue_temp", 151.25, "°C"}, {"o2", 3.5, "%"}, {"steam_pressure", -0.000125, "MPa"}}
	at := now.Add(-time.Second)
	got, gotPts, err := Decode(Encode(at, pts), now)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) || !equalPoints(gotPts, pts) {
		t.Fatalf("round trip: %v %v", got, gotPts)
	}
}

func TestParseTopic(t *testing.T) {
	tests := []struct {
		topic, credit, code string
		ok                  bool
	}{
		{"sidi/v1/91630000MA0000000X/TSG630100000000001/telemetry", "91630000MA0000000X", "TSG630100000000001", true},
		{"sidi/v1//TSG/telemetry", "", "", false},
		{"sidi/v1/A/B/C/telemetry", "", "", false},
		{"sidi/v2/A/B/telemetry", "", "", false},
		{"sidi/v1/A/B/status", "", "", false},
	}
	for _, tc := range tests {
		c, d, ok := ParseTopic(tc.topic)
		if ok != tc.ok || c != tc.credit || d != tc.code {
			t.Errorf("%s: got %q %q %v", tc.topic, c, d, ok)
		}
	}
	if Topic("A", "B") != "sidi/v1/A/B/telemetry" {
		t.Fatal(Topic("A", "B"))
	}
}

func TestStaticRegistry(t *testing.T) {
	ctx := context.Background()
	devs := []Device{{Code: "D1", CreditCode: "C1"}, {Code: "D2", CreditCode: "C2"}}
	r, err := NewStaticRegistry(devs, []string{"s1", "s2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Authenticate(ctx, "D1", "s1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"D1", "s2"}, {"D3", "s1"}, {"D1", ""}} {
		if _, err := r.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ErrUnknownDevice) {
			t.Fatalf("%v: %v", c, err)
		}
	}
	if _, err := r.Device(ctx, "C2", "D1"); !errors.Is(err, ErrUnknownDevice) {
		t.Fatal("device under another credit code resolved")
	}
	if _, err := NewStaticRegistry(append(devs, devs[0]), []string{"a", "b", "c"}); err == nil {
		t.Fatal("duplicate accepted")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"ts":"2026-12-06T03:59:00Z","points":{"steam_pressure":{"v":1.02,"u":"MPa"}}}`))
	f.Add([]byte(`{"ts":1796529540000,"points":{"low_water":{"v":true},"o2":{"v":-1e-3,"u":"%"}}}`))
	f.Add([]byte(`{"ts":"x","points":{"a":{"v":1e999}}}`))
	f.Add([]byte(`{"points":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		at, pts, err := Decode(b, now)
		if err != nil {
			if ReasonOf(err) == ReasonRegistryFailed {
				t.Fatalf("decode error without a reason: %v", err)
			}
			return
		}
		if len(pts) == 0 || len(pts) > MaxPoints || at.After(now.Add(MaxFuture)) || at.Before(now.Add(-MaxPast)) {
			t.Fatalf("accepted invalid message: %v %v", at, pts)
		}
		for _, p := range pts {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) || !validName(p.Name) || !validUnit(p.Unit) {
				t.Fatalf("accepted invalid point %+v", p)
			}
		}
		// What was accepted re-encodes to an equal message.
		at2, pts2, err := Decode(Encode(at, pts), now)
		if err != nil || !at2.Equal(at.Truncate(time.Millisecond)) || !equalPoints(pts, pts2) {
			if err == nil && at.Truncate(time.Millisecond) != at {
				return
			}
			t.Fatalf("re-encode: %v %v %v (was %v %v)", err, at2, pts2, at, pts)
		}
	})
}

func TestDevicesFileRoundTrip(t *testing.T) {
	devs, secrets := DemoDevices(5)
	var b strings.Builder
	if err := WriteDevices(&b, devs, secrets); err != nil {
		t.Fatal(err)
	}
	r, err := ReadDevices(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Authenticate(context.Background(), devs[3].Code, secrets[3]); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{}`, `[{"code":"A","credit_code":"B"}]`, `[{"code":"A","credit_code":"B","secret":"s","extra":1}]`} {
		if _, err := ReadDevices(strings.NewReader(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
