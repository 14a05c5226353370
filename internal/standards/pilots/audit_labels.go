package pilots

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"pilot":                "标准化试点",
			"pilot_milestone":      "试点节点",
			"pilot_standard":       "试点标准",
			"sci_project":          "科技项目",
			"sci_project_standard": "科技项目标准",
			"standard_reward":      "标准奖励",
		},
		Actions: map[string]string{
			"correct_done": "更正完成日期",
		},
	}
}
