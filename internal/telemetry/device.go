// Package telemetry carries measurements from special equipment (boilers,
// pressure vessels, pipelines, cranes, elevators …) from MQTT into Sidi:
// decode and validate, durable batched storage outside the audit chain and
// the page caches, and the observers (rules, alarms, hazards, boiler
// efficiency) that read each committed batch.
//
// This file holds the contracts the three parts of tasks 26–27 share: the
// equipment register (internal/equipment) implements Registry; the ingest
// pipeline (this package) produces Messages; the rules engine implements
// Observer. Point names are shared constants so the simulator, the rules
// and the charts agree.
package telemetry

import (
	"context"
	"errors"
	"html/template"
	"time"

	"sidi/internal/auth"
)

// Device is a registered piece of special equipment as the telemetry path
// sees it (a copy of the register's fields it needs, kept in memory).
type Device struct {
	ID         int64  // the equipment register's row id
	Code       string // the 18-character equipment code (设备代码)
	CreditCode string // the user unit's 统一社会信用代码
	Type       string // equipment type key: see the Type* constants
	Region     string // GB/T 2260 six-digit code of where it stands (prefecture = first 4 digits + "00")
	Name       string // what users call it, for pages and alarms
	Fuel       string // boilers: fuel key for the efficiency computation ("natural_gas", "fuel_oil", "lpg", "coal" …); else ""
}

// Equipment type keys (the register's 设备种类).
const (
	TypeBoiler         = "boiler"          // 锅炉
	TypePressureVessel = "pressure_vessel" // 压力容器
	TypePressurePiping = "pressure_piping" // 压力管道
	TypeElevator       = "elevator"        // 电梯
	TypeCrane          = "crane"           // 起重机械
	TypeVehicle        = "vehicle"         // 场（厂）内专用机动车辆
	TypeRide           = "ride"            // 大型游乐设施
	TypeRopeway        = "ropeway"         // 客运索道
)

// Point is one named measurement of a message. Boolean alarms are 0 or 1.
type Point struct {
	Name  string
	Value float64
	Unit  string
}

// Message is one decoded, validated telemetry message of a known device.
type Message struct {
	Device   Device
	At       time.Time // the device's timestamp
	Received time.Time // when the ingester received it
	Points   []Point
}

// Value returns the named point's value and whether the message has it.
func (m Message) Value(name string) (float64, bool) {
	for _, p := range m.Points {
		if p.Name == name {
			return p.Value, true
		}
	}
	return 0, false
}

// Boiler monitoring points (DOMAIN §6) and those of other types. Units in
// the comments are what payloads carry.
const (
	PointSteamPressure = "steam_pressure" // MPa
	PointSteamTemp     = "steam_temp"     // °C
	PointWaterLevel    = "water_level"    // mm relative to normal level
	PointFlueTemp      = "flue_temp"      // °C, after the economiser (exhaust)
	PointFlueTempPre   = "flue_temp_pre"  // °C, before the economiser
	PointAirTemp       = "air_temp"       // °C, combustion air
	PointO2            = "o2"             // % vol, dry flue gas
	PointCO            = "co"             // ppm
	PointFeedwaterTemp = "feedwater_temp" // °C
	PointLowWater      = "low_water"      // 0/1 alarm
	PointHighWater     = "high_water"     // 0/1 alarm
	PointFlameOut      = "flame_out"      // 0/1 alarm
	PointOverpressure  = "overpressure"   // 0/1 alarm
	PointPressure      = "pressure"       // MPa (vessels, piping)
	PointTemperature   = "temperature"    // °C (vessels, piping)
	PointLoad          = "load"           // t (cranes)
	PointRunning       = "running"        // 0/1 (elevators, cranes)
)

// ErrUnknownDevice is returned by a Registry for a code that names no
// registered device in service (or a credit code that is not its user's).
var ErrUnknownDevice = errors.New("telemetry: unknown device")

// Registry is the equipment register as the telemetry path needs it.
type Registry interface {
	// Device resolves a topic's credit code and equipment code.
	Device(ctx context.Context, creditCode, code string) (Device, error)
	// Authenticate checks a device's MQTT credentials: the username is the
	// equipment code, the password the device secret issued by the
	// register (only its hash is stored).
	Authenticate(ctx context.Context, code, secret string) (Device, error)
	// Devices lists the devices in service (the simulator and the stale
	// device rule walk it).
	Devices(ctx context.Context) ([]Device, error)
}

// Observer reads committed batches: the ingester calls Observe with each
// batch after it is durably stored, in commit order, from one goroutine.
// An Observer keeps its own durable state; it must return quickly.
type Observer interface {
	Observe(ctx context.Context, batch []Message) error
}

// Section is one part's block on an equipment record page (/equipment/{code}):
// live charts, alarms, hazards, efficiency. HTML is already escaped.
type Section struct {
	Title string
	HTML  template.HTML
}

// SectionFunc builds a part's section of a device's page for p. A zero
// Section (no Title) means the part has nothing for this device (no fuel:
// no efficiency chart) and the page leaves it out.
type SectionFunc func(ctx context.Context, p auth.Principal, d Device) (Section, error)
