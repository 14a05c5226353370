package telemetry

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"sort"
)

// StaticRegistry is a Registry over a fixed device list held in memory,
// each device with its own secret (only the secret's SHA-256 is kept). The
// bench, the tests and the simulator's own devices use it until the
// equipment register (internal/equipment) is wired in its place.
type StaticRegistry struct {
	byCode map[string]staticDevice
	list   []Device
}

type staticDevice struct {
	d    Device
	hash [sha256.Size]byte
}

// NewStaticRegistry builds a registry from devices and their secrets
// (secrets[i] belongs to devices[i]). Duplicate codes and empty secrets are
// refused.
func NewStaticRegistry(devices []Device, secrets []string) (*StaticRegistry, error) {
	if len(devices) != len(secrets) {
		return nil, fmt.Errorf("telemetry: %d devices but %d secrets", len(devices), len(secrets))
	}
	r := &StaticRegistry{byCode: make(map[string]staticDevice, len(devices))}
	for i, d := range devices {
		if d.Code == "" || d.CreditCode == "" {
			return nil, fmt.Errorf("telemetry: device %d has no code or credit code", i)
		}
		if _, dup := r.byCode[d.Code]; dup {
			return nil, fmt.Errorf("telemetry: device code %s listed twice", d.Code)
		}
		if secrets[i] == "" {
			return nil, fmt.Errorf("telemetry: device %s has an empty secret", d.Code)
		}
		r.byCode[d.Code] = staticDevice{d: d, hash: sha256.Sum256([]byte(secrets[i]))}
		r.list = append(r.list, d)
	}
	sort.Slice(r.list, func(i, j int) bool { return r.list[i].Code < r.list[j].Code })
	return r, nil
}

// Device implements Registry.
func (r *StaticRegistry) Device(_ context.Context, creditCode, code string) (Device, error) {
	s, ok := r.byCode[code]
	if !ok || s.d.CreditCode != creditCode {
		return Device{}, ErrUnknownDevice
	}
	return s.d, nil
}

// Authenticate implements Registry.
func (r *StaticRegistry) Authenticate(_ context.Context, code, secret string) (Device, error) {
	s, ok := r.byCode[code]
	h := sha256.Sum256([]byte(secret))
	if !ok {
		subtle.ConstantTimeCompare(h[:], h[:]) // same work for unknown codes
		return Device{}, ErrUnknownDevice
	}
	if subtle.ConstantTimeCompare(h[:], s.hash[:]) != 1 {
		return Device{}, ErrUnknownDevice
	}
	return s.d, nil
}

// Devices implements Registry.
func (r *StaticRegistry) Devices(context.Context) ([]Device, error) {
	return append([]Device(nil), r.list...), nil
}
