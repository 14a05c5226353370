package web

import (
	"context"
	"net/http"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/telemetry"
)

// Telemetry of special equipment (tasks 26–27): the chart fragment that
// the equipment record page's live refresh fetches and the JSON series
// API. The record page itself and its sections belong to the equipment
// register, which also decides who sees a device.

// DeviceVisible resolves an equipment code for p: the device, or an
// apperr not-found / out-of-scope error. The equipment register provides it.
type DeviceVisible func(ctx context.Context, p auth.Principal, code string) (telemetry.Device, error)

type telemetryWeb struct {
	*Server
	charts  *telemetry.Charts
	visible DeviceVisible
	readers []auth.Role
}

// TelemetryPages are the telemetry routes over charts, for the roles that
// read the equipment register (readers) and the devices visible tells
// apart.
func TelemetryPages(charts *telemetry.Charts, visible DeviceVisible, readers []auth.Role) func(*Server) []Route {
	return func(srv *Server) []Route {
		return (&telemetryWeb{Server: srv, charts: charts, visible: visible, readers: readers}).routes()
	}
}

// TelemetryChartsURL is the chart fragment's URL of a device (for Charts.RefreshURL).
func TelemetryChartsURL(d telemetry.Device) string {
	return "/equipment/" + d.Code + "/telemetry/charts"
}

func (s *telemetryWeb) routes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/equipment/{code}/telemetry/charts", Name: "设备实时监测图", Roles: s.readers, Handle: s.chartsFragment},
		{Method: "GET", Pattern: "/api/v1/equipment/{code}/telemetry", Name: "设备监测数据", Roles: s.readers, API: true, Handle: s.apiSeries},
	}
}

func (s *telemetryWeb) device(r *http.Request, rc *reqCtx) (telemetry.Device, error) {
	return s.visible(r.Context(), rc.P, r.PathValue("code"))
}

// chartsFragment answers the live refresh: the charts alone, no layout.
func (s *telemetryWeb) chartsFragment(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.device(r, rc)
	if err != nil {
		return err
	}
	h, err := s.charts.Fragment(r.Context(), d)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(h))
	return err
}

func (s *telemetryWeb) apiSeries(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.device(r, rc)
	if err != nil {
		return err
	}
	sq, err := telemetry.ParseSeriesQuery(r.URL.Query(), time.Now())
	if err != nil {
		return apperr.Invalid("%s", err.Error())
	}
	out, err := s.charts.Series(r.Context(), d, sq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
