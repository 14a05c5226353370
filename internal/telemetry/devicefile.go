package telemetry

import (
	"encoding/json"
	"fmt"
	"io"
)

// deviceEntry is one device of a devices file.
type deviceEntry struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	CreditCode string `json:"credit_code"`
	Type       string `json:"type"`
	Region     string `json:"region"`
	Name       string `json:"name"`
	Fuel       string `json:"fuel"`
	Secret     string `json:"secret"`
}

// ReadDevices reads a devices file — a JSON array of
// {"code","credit_code","type","region","name","fuel","secret"} — into a
// StaticRegistry (for `sidi ingest --devices` and `sidi serve
// --mqtt-devices` until the equipment register provides the Registry).
func ReadDevices(r io.Reader) (*StaticRegistry, error) {
	var es []deviceEntry
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&es); err != nil {
		return nil, fmt.Errorf("设备文件不是有效的 JSON 数组 devices file: %w", err)
	}
	devs := make([]Device, len(es))
	secrets := make([]string, len(es))
	for i, e := range es {
		devs[i] = Device{ID: e.ID, Code: e.Code, CreditCode: e.CreditCode, Type: e.Type, Region: e.Region, Name: e.Name, Fuel: e.Fuel}
		secrets[i] = e.Secret
	}
	return NewStaticRegistry(devs, secrets)
}

// WriteDevices writes devices and their secrets in the format ReadDevices reads.
func WriteDevices(w io.Writer, devs []Device, secrets []string) error {
	es := make([]deviceEntry, len(devs))
	for i, d := range devs {
		es[i] = deviceEntry{ID: d.ID, Code: d.Code, CreditCode: d.CreditCode, Type: d.Type, Region: d.Region, Name: d.Name, Fuel: d.Fuel, Secret: secrets[i]}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(es)
}
