// Package nqi keeps two registers of the quality infrastructure (国家质量
// 基础设施) of pillar 4 (issue 15 items 5 and 6):
//
//   - metrology (task 24): public measurement standards (社会公用计量标准)
//     and instruments under mandatory verification (强制检定计量器具) with
//     the type catalogue 实施强制管理的计量器具目录 kept as data (the
//     verification interval per type), last and next due dates, overdue
//     lists for the to-do list and counts by prefecture;
//   - certification (task 25): organic product, voluntary and green
//     building materials certificates, counted only while valid at a date,
//     and the two growth targets measured against a baseline stored with
//     its source.
//
// Both are public registers kept by the regulator (administrators and
// supervisors); owners and holders with a credit code are linked to the
// enterprise directory.
package nqi

import (
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Editors import, export and correct the registers and the baselines.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// Service keeps the registers.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the registers over db; owners and holders with a
// credit code are linked to the enterprise directory ent (nil: not linked).
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// CanEdit says whether p keeps the registers.
func CanEdit(p auth.Principal) bool { return p.Has(Editors...) }

// dateCell reads a date cell ("" allowed when not required).
func dateCell(r kit.Row, errs *kit.Errors, col string, required bool) string {
	v := strings.TrimSpace(r.Get(col))
	if v == "" {
		if required {
			errs.AddCell(r.N, col, "不能为空")
		}
		return ""
	}
	d, ok := kit.ParseDate(v)
	if !ok || d < "1950-01-01" {
		errs.AddCell(r.N, col, "日期“%s”无效（如 2024-05-01）", kit.Clip(v))
		return ""
	}
	return d
}

// holder reads a credit code column (optional unless required) and the
// region column; the region defaults to characters 3–8 of the code.
func holder(r kit.Row, errs *kit.Errors, codeCol, regionCol string, required bool) (code, region, prefecture string) {
	code = strings.TrimSpace(r.Get(codeCol))
	if code == "" && required {
		errs.AddCell(r.N, codeCol, "不能为空")
	} else if code != "" {
		c, err := creditcode.Parse(code)
		if err != nil {
			errs.AddCell(r.N, codeCol, "统一社会信用代码“%s”无效：%v", kit.Clip(code), err)
			code = ""
		} else {
			code = c
		}
	}
	region = strings.TrimSpace(r.Get(regionCol))
	if region == "" && len(code) == 18 {
		region = code[2:8]
	}
	if region == "" {
		errs.AddCell(r.N, regionCol, "请填写行政区划代码（或有效的统一社会信用代码）")
		return code, "", ""
	}
	reg, ok := org.LookupRegion(region)
	if !ok {
		errs.AddCell(r.N, regionCol, "行政区划代码“%s”不存在", kit.Clip(region))
		return code, "", ""
	}
	return code, region, reg.Prefecture
}

func writeAll(w kit.TableWriter, rows [][]string) error {
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}

// PrefectureName is the short name of a prefecture code ("" for none).
func PrefectureName(code string) string {
	for _, p := range org.Prefectures() {
		if p.Code == code {
			return p.Name
		}
	}
	return ""
}

func checkPrefecture(code string) error {
	if code == "" || PrefectureName(code) != "" {
		return nil
	}
	return kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
}
