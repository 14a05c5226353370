package services

import (
	"context"

	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/telemetry"
	"sidi/internal/web"
)

// telemetryModule is the telemetry path's part of the module list: the
// store of committed messages, the live charts on an equipment record page
// and their fragment and JSON routes. Ingest itself (the broker, the
// ingester, the simulator) is started by the commands that run it.
func telemetryModule() Module {
	return Module{
		Name: "telemetry", Title: "设备在线监测", Pillar: web.PillarQuality,
		Build: func(_ context.Context, s *Set) error {
			s.Telemetry = telemetry.NewStore(s.DB)
			s.EquipmentSections = append(s.EquipmentSections, s.charts().Section)
			return nil
		},
		Pages: func(s *Set) func(*web.Server) []web.Route {
			if s == nil {
				return web.TelemetryPages(nil, nil, equipment.Readers)
			}
			return web.TelemetryPages(s.charts(), s.visibleDevice, equipment.Readers)
		},
	}
}

// charts draws the last hour of a device's points, refreshed live.
func (s *Set) charts() *telemetry.Charts {
	return &telemetry.Charts{Store: s.Telemetry, RefreshURL: web.TelemetryChartsURL}
}

// visibleDevice is the register's device with that code, if p may read it.
func (s *Set) visibleDevice(ctx context.Context, p auth.Principal, code string) (telemetry.Device, error) {
	e, err := s.Equipment.ByCode(ctx, p, code)
	if err != nil {
		return telemetry.Device{}, err
	}
	return e.Device(), nil
}
