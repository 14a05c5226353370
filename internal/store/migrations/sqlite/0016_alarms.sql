-- Alarms, hazards (隐患) and boiler efficiency (tasks 26–27). Rows keep
-- the device's id, equipment code, credit code and region as copies: no
-- foreign key reaches the equipment register's or the ingester's tables.
-- Timestamps are UTC text in one fixed-width layout so they sort.

-- Rules are data: thresholds per equipment type and point, rate of change,
-- stale devices, boolean alarm points and low efficiency. Several rules
-- may share an alarm type (escalation: the most severe matching rule wins).
-- The default rules are inserted by alarms.EnsureRules when the table is
-- empty (not here: a restore loads its rows into a freshly migrated target).
CREATE TABLE alarm_rules (
	id INTEGER PRIMARY KEY,
	alarm_type TEXT NOT NULL,                 -- the alarm it raises: low_water, steam_pressure_high …
	label TEXT NOT NULL,                      -- what users read: 锅炉低水位
	equipment_type TEXT NOT NULL DEFAULT '',  -- telemetry.Type*; '' = every type
	point TEXT NOT NULL DEFAULT '',           -- telemetry.Point*; '' for stale and efficiency rules
	kind TEXT NOT NULL CHECK (kind IN ('high', 'low', 'rate', 'bool', 'stale', 'efficiency_low')),
	threshold REAL NOT NULL DEFAULT 0,        -- high/low: the limit; rate: units per second; stale: seconds; efficiency_low: percent
	severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
	opens_hazard INTEGER NOT NULL DEFAULT 0,  -- a critical alarm of this rule opens a 隐患 ticket
	enabled INTEGER NOT NULL DEFAULT 1,
	note TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL DEFAULT 'system',
	updated_at TEXT NOT NULL
);
CREATE INDEX alarm_rules_type ON alarm_rules(equipment_type, enabled);

CREATE TABLE alarms (
	id INTEGER PRIMARY KEY,
	device_id INTEGER NOT NULL,               -- the register's row id (a copy, no foreign key)
	equipment_code TEXT NOT NULL,
	credit_code TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',          -- GB/T 2260 code where the device stands
	prefecture TEXT NOT NULL DEFAULT '',      -- first four digits + '00'
	device_name TEXT NOT NULL DEFAULT '',
	equipment_type TEXT NOT NULL DEFAULT '',
	alarm_type TEXT NOT NULL,
	label TEXT NOT NULL,
	severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
	status TEXT NOT NULL CHECK (status IN ('active', 'cleared')),
	acked INTEGER NOT NULL DEFAULT 0,
	acked_by TEXT NOT NULL DEFAULT '',
	acked_at TEXT NOT NULL DEFAULT '',
	cleared_by TEXT NOT NULL DEFAULT '',      -- '' while active; 'rule' or a login
	cleared_at TEXT NOT NULL DEFAULT '',
	clear_note TEXT NOT NULL DEFAULT '',
	started_at TEXT NOT NULL,
	last_at TEXT NOT NULL,
	count INTEGER NOT NULL DEFAULT 1,
	last_value REAL NOT NULL DEFAULT 0,
	demo INTEGER NOT NULL DEFAULT 0
);
-- One active alarm per device and type (ThingsBoard's rule).
CREATE UNIQUE INDEX alarms_one_active ON alarms(device_id, alarm_type) WHERE status = 'active';
CREATE INDEX alarms_status ON alarms(status, prefecture, last_at);
CREATE INDEX alarms_device ON alarms(equipment_code, started_at);
CREATE INDEX alarms_recent ON alarms(last_at);

-- What the rules did to alarms (raise, escalate, clear by rule) and what
-- people did (ack, clear): telemetry stays out of the audit chain, people's
-- steps are also in the audit log.
CREATE TABLE alarm_history (
	id INTEGER PRIMARY KEY,
	alarm_id INTEGER NOT NULL REFERENCES alarms(id),
	at TEXT NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('raise', 'escalate', 'clear_rule', 'ack', 'clear')),
	severity TEXT NOT NULL,
	value REAL NOT NULL DEFAULT 0,
	actor TEXT NOT NULL DEFAULT 'rule',
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alarm_history_alarm ON alarm_history(alarm_id, id);

-- 隐患 tickets: 待整改 pending → 整改中 rectifying → 待复核 review → 已关闭 closed.
CREATE TABLE hazards (
	id INTEGER PRIMARY KEY,
	source TEXT NOT NULL CHECK (source IN ('alarm', 'inspection', 'manual')),
	source_ref TEXT NOT NULL DEFAULT '',      -- alarm id, inspection reference …
	device_id INTEGER NOT NULL,
	equipment_code TEXT NOT NULL,
	credit_code TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	prefecture TEXT NOT NULL DEFAULT '',
	device_name TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'rectifying', 'review', 'closed')),
	deadline TEXT NOT NULL DEFAULT '',        -- YYYY-MM-DD rectification deadline
	responsible TEXT NOT NULL DEFAULT '',     -- 整改责任人
	rectification TEXT NOT NULL DEFAULT '',   -- 整改情况
	closed_by TEXT NOT NULL DEFAULT '',
	closed_at TEXT NOT NULL DEFAULT '',
	close_note TEXT NOT NULL DEFAULT '',
	opened_by TEXT NOT NULL DEFAULT 'rule',
	opened_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	demo INTEGER NOT NULL DEFAULT 0
);
-- OpenHazard is idempotent per device and source while a ticket is open.
CREATE UNIQUE INDEX hazards_one_open ON hazards(device_id, source) WHERE status <> 'closed';
CREATE INDEX hazards_status ON hazards(status, prefecture, deadline);
CREATE INDEX hazards_device ON hazards(equipment_code, opened_at);

CREATE TABLE hazard_events (
	hazard_id INTEGER NOT NULL REFERENCES hazards(id),
	ordinal INTEGER NOT NULL,
	at TEXT NOT NULL,
	action TEXT NOT NULL,                     -- open, start, submit, reject, close, update
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL,
	actor TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (hazard_id, ordinal)
);

-- Online efficiency: one row per averaging window of a boiler, with the
-- coefficient table's version. Measurements, not audited changes.
CREATE TABLE boiler_efficiency (
	id INTEGER PRIMARY KEY,
	device_id INTEGER NOT NULL,
	equipment_code TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT '',
	prefecture TEXT NOT NULL DEFAULT '',
	fuel TEXT NOT NULL,
	window_start TEXT NOT NULL,
	window_end TEXT NOT NULL,
	samples INTEGER NOT NULL,
	flue_temp REAL NOT NULL,
	air_temp REAL NOT NULL,
	o2 REAL NOT NULL,
	co_ppm REAL NOT NULL,
	alpha REAL NOT NULL,
	q2 REAL NOT NULL,
	q3 REAL NOT NULL,
	q4 REAL NOT NULL,
	q5 REAL NOT NULL,
	q6 REAL NOT NULL,
	efficiency REAL NOT NULL,
	coefficient_version TEXT NOT NULL,
	flags TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX boiler_efficiency_device ON boiler_efficiency(equipment_code, window_end);
CREATE INDEX boiler_efficiency_prefecture ON boiler_efficiency(prefecture, window_end);
