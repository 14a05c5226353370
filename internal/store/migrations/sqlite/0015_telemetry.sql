-- Telemetry (issue 16): what the ingester stores from MQTT. These tables are
-- outside the audit chain and the page caches: they are measurements, not
-- decisions. One row per message with its points packed as JSON
-- ({"steam_pressure":{"v":1.02,"u":"MPa"},…}); a redelivered message (same
-- device, same device timestamp) is ignored, so writes are idempotent.
-- No foreign key to the equipment register: the code is the join key.
CREATE TABLE telemetry_messages (
	equipment_code TEXT NOT NULL,
	at_ms INTEGER NOT NULL,          -- device timestamp, Unix milliseconds
	device_id INTEGER NOT NULL,      -- the register's row id when known
	received_ms INTEGER NOT NULL,    -- when the ingester received it
	points TEXT NOT NULL,
	PRIMARY KEY (equipment_code, at_ms)
) WITHOUT ROWID;

-- Refused messages, newest kept (the ingester trims to a bound): the
-- topic, the reason code and its Chinese text, and the payload's first
-- bytes.
CREATE TABLE telemetry_dead_letters (
	id INTEGER PRIMARY KEY,
	received_ms INTEGER NOT NULL,
	topic TEXT NOT NULL,
	reason TEXT NOT NULL,
	detail TEXT NOT NULL,
	payload BLOB NOT NULL,
	payload_size INTEGER NOT NULL
);
