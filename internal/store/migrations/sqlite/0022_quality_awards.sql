-- Pillar 4, issue 15 items 3 and 4 (tasks 20, 21, 22): the provincial
-- government quality award (青海省质量奖) with GB/T 19580 scoring by several
-- reviewers, quality improvement demonstration zones (质量提升示范区), QC
-- circles and mass quality activities, and public-service quality
-- monitoring. Dates are YYYY-MM-DD text (China time), '' for none; scores
-- are integer hundredths of a point.

-- Award applications: one per application number, in the year of the
-- round. result: pending | awarded | nominated | not_awarded.
CREATE TABLE quality_award_applications (
	id INTEGER PRIMARY KEY,
	app_no TEXT NOT NULL UNIQUE,          -- 申报编号
	year INTEGER NOT NULL,                -- 评审年度
	org_name TEXT NOT NULL,
	credit_code TEXT NOT NULL,            -- 统一社会信用代码, '' for none
	enterprise_id INTEGER,                -- the enterprise directory entry
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	category TEXT NOT NULL,               -- 组织类别
	serves_sidi INTEGER NOT NULL,         -- 从事或服务“四地”建设
	sidi_field TEXT NOT NULL,             -- which of the four, '' for none
	result TEXT NOT NULL,
	awarded_on TEXT NOT NULL,             -- 授奖日期
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX quality_award_applications_result ON quality_award_applications(result, awarded_on);

-- One reviewer's scores of one application, one column per GB/T 19580
-- category (hundredths of a point).
CREATE TABLE quality_award_scores (
	id INTEGER PRIMARY KEY,
	application_id INTEGER NOT NULL REFERENCES quality_award_applications(id),
	reviewer TEXT NOT NULL,
	leadership INTEGER NOT NULL,
	strategy INTEGER NOT NULL,
	customers INTEGER NOT NULL,
	resources INTEGER NOT NULL,
	processes INTEGER NOT NULL,
	measurement INTEGER NOT NULL,
	results INTEGER NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (application_id, reviewer)
);

-- Quality improvement demonstration zones: approved for creation (创建),
-- then accepted (验收通过), failed or revoked.
CREATE TABLE quality_zones (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	industry TEXT NOT NULL,               -- 主导产业
	host TEXT NOT NULL,                   -- 创建主体
	approved_on TEXT NOT NULL,            -- 批准创建
	due_on TEXT NOT NULL,                 -- 验收期限, '' for none
	status TEXT NOT NULL,                 -- building | accepted | failed | revoked
	decided_on TEXT NOT NULL,             -- 验收/撤销日期, '' while building
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- QC-circle results and mass quality activities (task 21).
CREATE TABLE quality_activities (
	id INTEGER PRIMARY KEY,
	ref_no TEXT NOT NULL UNIQUE,          -- 编号
	year INTEGER NOT NULL,
	kind TEXT NOT NULL,                   -- qc_circle | team | mass
	title TEXT NOT NULL,
	org_name TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	enterprise_id INTEGER,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	field TEXT NOT NULL,                  -- 盐湖化工 | 清洁能源 | 绿色有机农畜产品 | 其他
	award TEXT NOT NULL,                  -- '' for none
	held_on TEXT NOT NULL,
	participants INTEGER NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Public-service quality monitoring: one score per year, field and region
-- (630000 for the province, or a prefecture).
CREATE TABLE service_quality_scores (
	id INTEGER PRIMARY KEY,
	survey_key TEXT NOT NULL UNIQUE,      -- year|field|region
	year INTEGER NOT NULL,
	field TEXT NOT NULL,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	score INTEGER NOT NULL,               -- hundredths, 0–10000
	samples INTEGER NOT NULL,
	source TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
