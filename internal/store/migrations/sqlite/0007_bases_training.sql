-- Standardized production bases (plan task 5, lead 省农业农村厅): yak and
-- Tibetan-sheep bases, grass-livestock ranches and standardized production
-- counties, where they are, who runs them, the standards they apply, the
-- materials they publish, and their recognition workflow.
CREATE TABLE bases (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('yak', 'sheep', 'ranch', 'county')),
	prefecture_id INTEGER NOT NULL REFERENCES departments(id),
	county_id INTEGER NOT NULL REFERENCES departments(id),
	dept_id INTEGER NOT NULL REFERENCES departments(id), -- responsible department (data scope)
	operator_name TEXT NOT NULL DEFAULT '',
	operator_credit_code TEXT NOT NULL DEFAULT '',     -- 统一社会信用代码, optional
	scale INTEGER NOT NULL DEFAULT 0,                   -- head of livestock
	status TEXT NOT NULL CHECK (status IN ('building', 'recognised', 'revoked')),
	recognised_on TEXT NOT NULL DEFAULT '',
	recognised_by TEXT NOT NULL DEFAULT '',            -- recognising department as written
	reviewed_on TEXT NOT NULL DEFAULT '',              -- last 复核 passed
	revoked_on TEXT NOT NULL DEFAULT '',
	revoke_reason TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX bases_kind ON bases(kind, status, recognised_on);
CREATE INDEX bases_prefecture ON bases(prefecture_id, kind);
CREATE INDEX bases_dept ON bases(dept_id);

CREATE TABLE base_standards (
	base_id INTEGER NOT NULL REFERENCES bases(id),
	ordinal INTEGER NOT NULL,
	code TEXT NOT NULL,                                -- as the registry displays it, or as written
	standard_id INTEGER REFERENCES standards(id),      -- the registry record, when there is one
	title TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (base_id, ordinal)
);
CREATE INDEX base_standards_std ON base_standards(standard_id);

CREATE TABLE base_materials (
	base_id INTEGER NOT NULL REFERENCES bases(id),
	ordinal INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('pattern', 'leaflet', 'risk')), -- 标准模式图, 明白纸, 风险管控手册
	title TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (base_id, ordinal)
);

CREATE TABLE base_events (
	base_id INTEGER NOT NULL REFERENCES bases(id),
	ordinal INTEGER NOT NULL,
	action TEXT NOT NULL,                              -- create, recognise, review, revoke
	on_date TEXT NOT NULL,
	department TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (base_id, ordinal)
);

-- Training records (plan task 6): sessions for department leaders,
-- standardization managers and others, and the optional attendee lists.
CREATE TABLE training_sessions (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL,
	topic TEXT NOT NULL DEFAULT '',
	dept_id INTEGER NOT NULL REFERENCES departments(id), -- organiser (data scope)
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('offline', 'online', 'hybrid')),
	place TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL CHECK (category IN ('leaders', 'managers', 'enterprise', 'other')),
	trainees INTEGER NOT NULL,
	hours DOUBLE PRECISION NOT NULL,
	sidi INTEGER NOT NULL DEFAULT 0,                    -- a “四地” thematic session
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX training_sessions_starts ON training_sessions(starts_on);
CREATE INDEX training_sessions_dept ON training_sessions(dept_id);

CREATE TABLE training_attendees (
	session_id INTEGER NOT NULL REFERENCES training_sessions(id),
	ordinal INTEGER NOT NULL,
	name TEXT NOT NULL,
	unit TEXT NOT NULL,
	position TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (session_id, ordinal)
);
