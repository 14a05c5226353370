package training

import (
	"context"
	"fmt"

	"sidi/internal/auth"
)

// DemoNote marks every demo record; pages show a 演示 badge for them.
const DemoNote = "【演示数据】本条为系统演示用虚构记录，培训名称、时间、地点和人数均非真实信息。"

type demoSession struct {
	title, topic, dept, start, end, mode, place, cat string
	trainees                                         int
	hours                                            float64
	sidi                                             bool
}

func demoSessions() []demoSession {
	return []demoSession{
		{"“四地”建设标准化专题培训班（第一期）（演示）", "标准化法及“四地”建设标准体系", "qh-samr", "2022-04-12", "2022-04-14", ModeOffline, "西宁市", CatLeaders, 120, 16, true},
		{"全省标准化管理人员业务培训（演示）", "地方标准制修订程序与快速通道", "qh-samr", "2022-09-06", "2022-09-07", ModeHybrid, "西宁市", CatManagers, 260, 12, false},
		{"绿色有机农畜产品标准化生产培训（演示）", "牦牛藏羊标准化养殖技术规程", "qh-agri", "2022-11-15", "2022-11-16", ModeOffline, "海北州西海镇", CatOther, 180, 12, true},
		{"企业标准自我声明与“领跑者”培训（演示）", "企业标准信息公共服务平台操作", "qh-samr", "2023-03-21", "", ModeOnline, "", CatEnterprise, 540, 3, false},
		{"清洁能源产业标准化专题培训（演示）", "光伏、风电标准体系", "qh-drc", "2023-05-18", "2023-05-19", ModeOffline, "海西州格尔木市", CatManagers, 90, 12, true},
		{"“四地”建设标准化专题培训班（第二期）（演示）", "盐湖产业标准化", "qh-samr", "2023-08-08", "2023-08-10", ModeOffline, "海西州德令哈市", CatLeaders, 110, 16, true},
		{"生态旅游服务标准化培训（演示）", "生态旅游景区服务规范", "qh-ct", "2023-10-11", "2023-10-12", ModeHybrid, "海南州共和县", CatEnterprise, 210, 10, true},
		{"工业企业标准化良好行为培训（演示）", "GB/T 15496—15498 企业标准体系", "qh-miit", "2024-03-14", "", ModeOnline, "", CatEnterprise, 320, 4, false},
		{"林草标准化管理人员培训（演示）", "林草地方标准制修订", "qh-forest", "2024-05-22", "2024-05-23", ModeOffline, "西宁市", CatManagers, 75, 12, false},
		{"“四地”建设标准化专题培训班（第三期）（演示）", "国际生态旅游目的地标准体系", "qh-samr", "2024-07-09", "2024-07-11", ModeOffline, "玉树州玉树市", CatLeaders, 95, 16, true},
		{"千头牦牛标准化生产基地建设培训（演示）", "标准模式图、明白纸与风险管控手册的编制", "qh-agri", "2024-09-03", "2024-09-04", ModeOffline, "果洛州玛沁县", CatOther, 150, 12, true},
		{"行业主管部门领导标准化知识讲座（演示）", "标准化与高质量发展", "qh-samr", "2025-04-16", "", ModeHybrid, "西宁市", CatLeaders, 200, 3, true},
	}
}

// SeedDemo adds the labelled demo sessions unless demo sessions already
// exist, and returns how many it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM training_sessions WHERE demo = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("training: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	added := 0
	for _, d := range demoSessions() {
		var dept int64
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, d.dept).Scan(&dept); err != nil {
			return added, fmt.Errorf("demo training %s: department %s: %w", d.title, d.dept, err)
		}
		_, err := s.Create(ctx, p, Input{Title: d.title, Topic: d.topic, DeptID: dept, StartsOn: d.start, EndsOn: d.end, Mode: d.mode, Place: d.place,
			Category: d.cat, Trainees: d.trainees, Hours: d.hours, Sidi: d.sidi, Demo: true, Note: DemoNote})
		if err != nil {
			return added, fmt.Errorf("demo training %s: %w", d.title, err)
		}
		added++
	}
	return added, nil
}
