package sampling

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"sampling_batch": "抽样批次",
			"sampling_plan":  "抽查计划",
			"sampling_task":  "抽查任务",
		},
		Actions: map[string]string{
			"retest":  "登记复检",
			"dispose": "登记不合格处置",
		},
	}
}
