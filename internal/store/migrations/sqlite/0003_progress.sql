-- Reporting, indicators, assessment and bulletins. Dates a user picks
-- (period bounds, deadlines, as-of dates) are 'YYYY-MM-DD' text in China
-- time; instants are timestamps.
CREATE TABLE progress_settings (
	plan_id INTEGER PRIMARY KEY REFERENCES plans(id),
	plan_start TEXT NOT NULL,
	period_kind TEXT NOT NULL CHECK (period_kind IN ('quarter', 'month')),
	deadline_days INTEGER NOT NULL,
	thresholds TEXT NOT NULL,
	scoring TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE TABLE reporting_periods (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	code TEXT NOT NULL,
	starts TEXT NOT NULL,
	ends TEXT NOT NULL,
	deadline TEXT NOT NULL,
	UNIQUE (plan_id, code)
);

CREATE TABLE indicator_bindings (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	task_number INTEGER NOT NULL,
	target_ordinal INTEGER NOT NULL,
	metric_key TEXT NOT NULL DEFAULT '',
	baseline REAL NOT NULL DEFAULT 0,
	deadline TEXT NOT NULL DEFAULT '',
	weight REAL,
	note TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (plan_id, task_number, target_ordinal)
);

CREATE TABLE task_settings (
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	task_number INTEGER NOT NULL,
	weight REAL,
	override_progress REAL,
	override_reason TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (plan_id, task_number)
);

CREATE TABLE reports (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	period_id INTEGER NOT NULL REFERENCES reporting_periods(id),
	task_number INTEGER NOT NULL,
	dept_id INTEGER NOT NULL REFERENCES departments(id),
	role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
	narrative TEXT NOT NULL DEFAULT '',
	progress REAL,
	times_returned INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	submitted_by TEXT NOT NULL DEFAULT '',
	submitted_at TIMESTAMP,
	reviewed_by TEXT NOT NULL DEFAULT '',
	reviewed_at TIMESTAMP,
	review_comment TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	UNIQUE (period_id, task_number, dept_id)
);
CREATE INDEX reports_dept ON reports(dept_id, status);

-- What a report proposes; only approval copies it into indicator_values.
CREATE TABLE report_values (
	report_id INTEGER NOT NULL REFERENCES reports(id),
	target_ordinal INTEGER NOT NULL,
	value REAL NOT NULL,
	PRIMARY KEY (report_id, target_ordinal)
);

-- Content-addressed evidence: the same file uploaded twice is stored once.
CREATE TABLE blobs (
	sha256 TEXT PRIMARY KEY,
	size INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	data BLOB NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE report_evidence (
	id INTEGER PRIMARY KEY,
	report_id INTEGER NOT NULL REFERENCES reports(id),
	sha256 TEXT NOT NULL REFERENCES blobs(sha256),
	filename TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	uploaded_at TIMESTAMP NOT NULL,
	UNIQUE (report_id, sha256)
);

-- Approved values of manually reported targets, one per target and date.
CREATE TABLE indicator_values (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	task_number INTEGER NOT NULL,
	target_ordinal INTEGER NOT NULL,
	as_of TEXT NOT NULL,
	value REAL NOT NULL,
	report_id INTEGER REFERENCES reports(id),
	approved_by TEXT NOT NULL,
	approved_at TIMESTAMP NOT NULL
);
CREATE INDEX indicator_values_key ON indicator_values(plan_id, task_number, target_ordinal, as_of);

-- Approved progress of qualitative tasks (milestones with evidence).
CREATE TABLE task_progress_values (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	task_number INTEGER NOT NULL,
	as_of TEXT NOT NULL,
	progress REAL NOT NULL,
	report_id INTEGER REFERENCES reports(id),
	approved_at TIMESTAMP NOT NULL
);
CREATE INDEX task_progress_values_key ON task_progress_values(plan_id, task_number, as_of);

CREATE TABLE bulletins (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	period_id INTEGER NOT NULL REFERENCES reporting_periods(id),
	next_steps TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (plan_id, period_id)
);
