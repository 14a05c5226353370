// Package boiler computes a boiler's thermal efficiency by the heat-loss
// (indirect) method of DOMAIN §6: η = 100 − (q2+q3+q4+q5+q6) %, with the
// excess-air coefficient α = 21/(21−O2), the flue-gas loss q2 in the
// Siegert form with per-fuel constants, and q3 from the CO in the flue gas.
//
// The constants are data (coefficients.json, embedded) carried with a
// version string; every result names the version it was computed with, so
// a value stored today can be explained after the table changes.
//
// The package is pure computation: it imports nothing of Sidi's and must
// never import the store, the web or the telemetry path.
package boiler
