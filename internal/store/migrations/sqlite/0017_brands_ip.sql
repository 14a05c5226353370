-- Pillar 2 registers (internal/ip): trademarks, geographical-indication
-- products, agri-product quality certificates, and the brand catalogues.
-- Dates are YYYY-MM-DD text (China time); '' means none.

-- Trademarks: one row per registration number, its current state. The
-- Nice classes are kept as written ("29;30") and as a bit mask (bit c for
-- class c) so a catalogue filters by class without a join.
CREATE TABLE trademarks (
	id INTEGER PRIMARY KEY,
	reg_no TEXT NOT NULL UNIQUE,          -- 注册号
	name TEXT NOT NULL,                   -- 商标名称
	classes TEXT NOT NULL,                -- "29;30", ascending
	class_mask INTEGER NOT NULL,          -- bit c set for Nice class c (1–45)
	owner TEXT NOT NULL,                  -- 注册人 as written
	owner_code TEXT NOT NULL,             -- 统一社会信用代码, '' for foreign and natural persons
	enterprise_id INTEGER,                -- the enterprise directory entry of owner_code
	region TEXT NOT NULL,                 -- GB/T 2260, six digits
	prefecture TEXT NOT NULL,             -- the Qinghai prefecture code, '' outside Qinghai
	applied_on TEXT NOT NULL,
	registered_on TEXT NOT NULL,
	term_end TEXT NOT NULL,               -- 专用权期限至 (last day), renewals move it
	kind TEXT NOT NULL,                   -- ordinary | collective | certification
	madrid_no TEXT NOT NULL,              -- 马德里国际注册号, ''
	gi INTEGER NOT NULL,                  -- a geographical-indication mark
	well_known INTEGER NOT NULL,          -- 驰名商标
	status TEXT NOT NULL,                 -- valid | cancelled | invalidated | revoked | expired
	status_on TEXT NOT NULL,              -- the day the status took effect
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX trademarks_prefecture ON trademarks(prefecture, registered_on);
CREATE INDEX trademarks_enterprise ON trademarks(enterprise_id);

-- Every status a mark has had after registration, with the day it took
-- effect (a mark registered valid has no row until its status changes:
-- "valid since registration" is the mark itself).
CREATE TABLE trademark_statuses (
	id INTEGER PRIMARY KEY,
	trademark_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	effective_on TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX trademark_statuses_mark ON trademark_statuses(trademark_id, effective_on);

-- Day deltas of the counted series ("qh": valid Qinghai marks, "qh.madrid",
-- "qh.gi"): a mark adds +1 on its registration day and -1 on the day after
-- its term ends or the day it was cancelled/invalidated; the series
-- "qh@m" … hold the same deltas by month (day = 'YYYY-MM'). The count as of
-- a day is the month deltas before its month plus the day deltas of its
-- month up to it: some 700 + 31 rows whatever the number of marks.
-- Maintained in the same transaction as the marks.
CREATE TABLE trademark_daily (
	series TEXT NOT NULL,
	day TEXT NOT NULL,
	delta INTEGER NOT NULL,
	PRIMARY KEY (series, day)
);

-- Geographical-indication protected products (地理标志保护产品), approved by
-- notice of the IP office.
CREATE TABLE gi_products (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,            -- product name, e.g. 柴达木枸杞
	area TEXT NOT NULL,                   -- protected area as the notice words it
	region TEXT NOT NULL,                 -- GB/T 2260 code of the area (prefecture or county)
	prefecture TEXT NOT NULL,
	notice TEXT NOT NULL,                 -- approval notice (公告号)
	approved_on TEXT NOT NULL,
	revoked_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Quality certificates of agri-products: 绿色食品 (green), 有机产品
-- (organic), 农产品地理标志 (agri_gi).
CREATE TABLE agri_certs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	cert_no TEXT NOT NULL,
	body TEXT NOT NULL,                   -- issuing body
	product TEXT NOT NULL,
	holder TEXT NOT NULL,
	holder_code TEXT NOT NULL,
	enterprise_id INTEGER,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (kind, cert_no)
);
CREATE INDEX agri_certs_valid ON agri_certs(valid_from, valid_to);
CREATE INDEX agri_certs_enterprise ON agri_certs(enterprise_id);

-- The provincial catalogue of 农畜产品品牌, 区域公用品牌, 老字号 and 商标品牌指导站
-- (a station: name, service area as product, host body as owner).
CREATE TABLE brands (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,                   -- agri | regional | cn_time_honoured | qh_time_honoured | guidance_station
	name TEXT NOT NULL,
	product TEXT NOT NULL,
	owner TEXT NOT NULL,
	owner_code TEXT NOT NULL,
	enterprise_id INTEGER,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	trademark_reg_no TEXT NOT NULL,
	standards TEXT NOT NULL,              -- standard codes, "；"-separated
	listed_on TEXT NOT NULL,
	removed_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (kind, name)
);
CREATE INDEX brands_enterprise ON brands(enterprise_id);

-- Who may use a regional public brand, and from when to when.
CREATE TABLE brand_users (
	id INTEGER PRIMARY KEY,
	brand_id INTEGER NOT NULL REFERENCES brands(id),
	name TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	enterprise_id INTEGER,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (brand_id, name)
);
CREATE INDEX brand_users_enterprise ON brand_users(enterprise_id);

-- Documents archived with a brand, by SHA-256 of their content.
CREATE TABLE brand_documents (
	id INTEGER PRIMARY KEY,
	brand_id INTEGER NOT NULL REFERENCES brands(id),
	title TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	content BLOB NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (brand_id, sha256)
);
