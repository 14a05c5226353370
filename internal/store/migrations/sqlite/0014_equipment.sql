-- Special equipment (特种设备安全法; DOMAIN §6): the register of boilers,
-- pressure vessels, pressure piping, elevators, cranes … with their 18-
-- character equipment code, user unit (enterprise directory), place, use
-- registration, per-type parameters and status; their periodic inspections;
-- and the inspection intervals per type as data. Device secrets for MQTT
-- are stored as SHA-256 of a 256-bit random secret, never the secret.
CREATE TABLE equipment (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,                 -- 设备代码, 18 characters
	name TEXT NOT NULL,
	type TEXT NOT NULL CHECK (type IN ('boiler', 'pressure_vessel', 'pressure_piping', 'elevator', 'crane', 'vehicle', 'ride', 'ropeway')),
	dept_id INTEGER NOT NULL REFERENCES departments(id), -- supervising department (data scope)
	user_id INTEGER NOT NULL REFERENCES enterprises(id), -- 使用单位
	region_code TEXT NOT NULL,                 -- GB/T 2260, county or prefecture
	prefecture_code TEXT NOT NULL,             -- first four digits + '00'
	latitude REAL,                 -- NULL when unknown
	longitude REAL,
	address TEXT NOT NULL DEFAULT '',
	in_service_on TEXT NOT NULL,               -- 投入使用日期
	registered_on TEXT NOT NULL DEFAULT '',    -- 使用登记日期
	registration_no TEXT NOT NULL DEFAULT '',  -- 使用登记证编号
	status TEXT NOT NULL CHECK (status IN ('in_use', 'stopped', 'scrapped')),
	maker TEXT NOT NULL DEFAULT '',            -- 制造单位
	params TEXT NOT NULL DEFAULT '{}',         -- per-type parameters, JSON
	fuel TEXT NOT NULL DEFAULT '',             -- boilers
	variant TEXT NOT NULL DEFAULT '',          -- what picks the interval: vessel safety grade, crane type code prefix
	next_due TEXT NOT NULL DEFAULT '',         -- next periodic inspection ('' stopped/scrapped)
	next_kind TEXT NOT NULL DEFAULT '',        -- its kind
	secret_hash TEXT NOT NULL DEFAULT '',      -- hex SHA-256 of the device secret
	secret_issued_at TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX equipment_user ON equipment(user_id);
CREATE INDEX equipment_due ON equipment(status, next_due);
CREATE INDEX equipment_pref ON equipment(prefecture_code, type);

CREATE TABLE equipment_inspections (
	id INTEGER PRIMARY KEY,
	equipment_id INTEGER NOT NULL REFERENCES equipment(id),
	on_date TEXT NOT NULL,
	kind TEXT NOT NULL,                        -- periodic, external, internal, acceptance, self_test
	body TEXT NOT NULL,                        -- 检验机构
	report_no TEXT NOT NULL,
	conclusion TEXT NOT NULL CHECK (conclusion IN ('pass', 'conditional', 'fail')),
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (equipment_id, kind, on_date)
);

-- Inspection intervals, as data: the first inspection counted from entering
-- service, then every every_months; for elevators the years after
-- acceptance listed in years, then every every_months. A row with a
-- variant is preferred over the type's row without one. The rows of DOMAIN
-- §6 are added by the service when it starts (equipment.EnsureIntervals,
-- only the missing ones: an administrator's change stays), not here, so a
-- freshly migrated database stays empty for restore.
CREATE TABLE equipment_intervals (
	type TEXT NOT NULL,
	variant TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	first_months INTEGER NOT NULL,
	every_months INTEGER NOT NULL,
	years TEXT NOT NULL DEFAULT '',
	basis TEXT NOT NULL,
	PRIMARY KEY (type, variant, kind)
);
