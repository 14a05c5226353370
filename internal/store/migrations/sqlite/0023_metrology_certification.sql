-- Pillar 4, issue 15 items 5 and 6 (tasks 24, 25): public measurement
-- standards, instruments under mandatory verification with their type
-- catalogue, certificates (organic, voluntary, green building materials)
-- and the baselines of the certification growth targets. Dates are
-- YYYY-MM-DD text (China time), '' for none.

-- 社会公用计量标准: one per certificate number (计量标准考核证书).
CREATE TABLE measurement_standards (
	id INTEGER PRIMARY KEY,
	cert_no TEXT NOT NULL UNIQUE,         -- 证书编号
	name TEXT NOT NULL,                   -- 计量标准名称
	owner TEXT NOT NULL,                  -- 建标单位
	owner_code TEXT NOT NULL,             -- 统一社会信用代码, '' for none
	enterprise_id INTEGER,
	region TEXT NOT NULL,                 -- GB/T 2260 code
	prefecture TEXT NOT NULL,             -- '' outside Qinghai
	meas_range TEXT NOT NULL,             -- 测量范围
	accuracy TEXT NOT NULL,               -- 不确定度/准确度等级/最大允许误差
	issued_on TEXT NOT NULL,              -- 发证日期
	valid_to TEXT NOT NULL,               -- 有效期至
	revoked_on TEXT NOT NULL,             -- 注销/撤销日期, '' for none
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX measurement_standards_valid ON measurement_standards(prefecture, valid_to);

-- 实施强制管理的计量器具目录 (kept as data; seeded at start, editable by import).
-- mode: 强制检定 | 型式批准、强制检定; verification: periodic (周期检定, every
-- interval_months) | first (只做首次强制检定, replaced by use_years).
CREATE TABLE instrument_types (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,            -- stable short code: "0501"
	item TEXT NOT NULL,                   -- 项目: 电能表
	name TEXT NOT NULL,                   -- 种类: 电能表
	mode TEXT NOT NULL,                   -- 监管方式
	verification TEXT NOT NULL,           -- periodic | first
	interval_months INTEGER NOT NULL,     -- 检定周期（月）; 0 for first-only
	scope TEXT NOT NULL,                  -- 强制检定范围及说明
	updated_at TEXT NOT NULL
);

-- 强制检定计量器具: an owner's instrument by type and factory number.
CREATE TABLE instruments (
	id INTEGER PRIMARY KEY,
	owner TEXT NOT NULL,                  -- 使用单位
	owner_code TEXT NOT NULL,             -- 统一社会信用代码
	enterprise_id INTEGER,
	type_code TEXT NOT NULL,              -- instrument_types.code
	serial_no TEXT NOT NULL,              -- 出厂编号
	use_field TEXT NOT NULL,              -- 贸易结算 | 安全防护 | 医疗卫生 | 环境监测
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	last_verified TEXT NOT NULL,          -- 最近检定日期
	next_due TEXT NOT NULL,               -- 下次检定日期, '' for first-only types
	status TEXT NOT NULL,                 -- in_use | stopped | scrapped
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (owner_code, type_code, serial_no)
);
CREATE INDEX instruments_due ON instruments(status, next_due);
CREATE INDEX instruments_prefecture ON instruments(prefecture, status);

-- Certificates: organic (有机产品), voluntary (自愿性认证: management systems,
-- services, voluntary product certification) and green building materials.
-- status: valid | suspended | revoked | withdrawn (status_on: from when).
CREATE TABLE certificates (
	id INTEGER PRIMARY KEY,
	cert_no TEXT NOT NULL UNIQUE,         -- 证书编号
	kind TEXT NOT NULL,                   -- organic | voluntary | green_building
	scheme TEXT NOT NULL,                 -- 认证项目
	body TEXT NOT NULL,                   -- 认证机构
	holder TEXT NOT NULL,                 -- 获证组织
	holder_code TEXT NOT NULL,            -- 统一社会信用代码, '' for none
	enterprise_id INTEGER,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	scope TEXT NOT NULL,                  -- 认证范围/产品
	grade TEXT NOT NULL,                  -- 绿色建材: 一星级 | 二星级 | 三星级
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	status TEXT NOT NULL,
	status_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX certificates_valid ON certificates(kind, prefecture, valid_from, valid_to);

-- The baselines of the growth targets (task 25), one per measure, with
-- their source; base_value NULL: counted from the register.
CREATE TABLE cert_baselines (
	measure TEXT PRIMARY KEY,             -- organic | voluntary
	base_year INTEGER NOT NULL,
	base_value INTEGER,
	source TEXT NOT NULL,
	note TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
