// Package equipment is the special-equipment register (特种设备, DOMAIN §6;
// tasks 26–27 part 1): boilers, pressure vessels, pressure piping,
// elevators, cranes … each with its 18-character equipment code checked
// against the 特种设备目录, its user unit from the enterprise directory, its
// place (GB/T 2260 and coordinates in Qinghai), its use registration
// (flagged when later than 30 days after entering service), per-type
// parameters and status; the periodic inspections with the intervals per
// type kept as data and the next due date computed; the due lists (due
// within a month, overdue) and the overdue equipment as hazard candidates;
// `sidi import/export equipment`; and the telemetry.Registry the MQTT
// ingester resolves devices and device secrets through, from memory.
//
// Who sees what: the special-equipment staff of the market-supervision
// department (administrators, supervisors, and reporters, approvers and
// inspectors whose data scope reaches 省市场监管局) keep and read the
// register; an enterprise user reads the equipment of the enterprises it
// acts for; the public sees only the counts per prefecture.
//
// It imports store, audit, auth, kit, enterprise and telemetry; never
// another register.
package equipment
