package web

import (
	"testing"

	"sidi/internal/alarms"
)

// The hazard page named its automatic registrars and the register's
// reference as stored ("rule", "system", "periodic@2026-08-09").
func TestHazardActorAndRefInChinese(t *testing.T) {
	actor := alarmFuncs["hzActor"].(func(string) string)
	ref := alarmFuncs["hzRef"].(func(string, string) string)
	for _, c := range []struct{ in, want string }{
		{"rule", "报警规则（自动）"}, {"system", "系统（自动）"}, {"demo-inspector", "demo-inspector"}, {"", "—"},
	} {
		if got := actor(c.in); got != c.want {
			t.Errorf("hzActor(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ src, in, want string }{
		{alarms.SourceAlarm, "12", "报警编号 12"},
		{alarms.SourceInspection, "periodic@2026-08-09", ""}, // the reason already says which inspection and when
		{alarms.SourceManual, "", ""},
	} {
		if got := ref(c.src, c.in); got != c.want {
			t.Errorf("hzRef(%q, %q) = %q, want %q", c.src, c.in, got, c.want)
		}
	}
}

// The boiler-efficiency table on the prefecture page showed the fuel's key
// (fuel_oil) where the equipment register says 燃油.
func TestFuelLabelInChinese(t *testing.T) {
	fuel := alarmFuncs["fuelLabel"].(func(string) string)
	for _, c := range []struct{ in, want string }{
		{"fuel_oil", "燃油"}, {"natural_gas", "天然气"}, {"peat", "peat"}, {"", "—"},
	} {
		if got := fuel(c.in); got != c.want {
			t.Errorf("fuelLabel(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
