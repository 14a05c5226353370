package standards

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"standard":              "标准",
			"declaration":           "自我声明",
			"declaration_import":    "自我声明导入",
			"leader_scheme":         "领跑者评估方案",
			"standard_announcement": "标准发布公告",
			"standards_bench":       "标准批量数据",
		},
	}
}
