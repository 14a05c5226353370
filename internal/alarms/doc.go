// Package alarms owns the rules, alarms, hazard tickets (隐患) and online
// boiler efficiency of tasks 26–27.
//
// The Engine is a telemetry.Observer: the ingester hands it every committed
// batch; it evaluates the rules (data in alarm_rules) against per-device
// state kept in memory, and queues the resulting alarm changes and
// efficiency values, which one writer goroutine commits in small batches a
// few times a second (so Observe returns at once and a new alarm is visible
// well within a second). A ticker raises stale-device alarms over the
// devices the engine has seen.
//
// Alarm lifecycle as in ThingsBoard: one active alarm per device and type
// (updated, not duplicated), cleared by rule or by hand, acknowledged
// separately. Rule-driven changes go to alarm_history only (telemetry stays
// out of the audit chain); every human action (ack, clear, hazard steps,
// rule edits) is audited in the same transaction as the change.
//
// Rows copy the device's id, equipment code, credit code and region: the
// package must never import the equipment register or the ingester, and
// its tables have no foreign key to theirs.
package alarms
