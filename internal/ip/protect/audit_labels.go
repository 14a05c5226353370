package protect

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"ip_case":   "知识产权案件",
			"ip_assist": "维权援助与调解申请",
		},
		Actions: map[string]string{
			"file":        "立案",
			"investigate": "调查",
			"penalize":    "处罚决定",
			"transfer":    "移送",
		},
	}
}
