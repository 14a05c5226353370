package alarms

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"alarm":      "设备报警",
			"alarm_rule": "报警规则",
			"hazard":     "隐患",
		},
		Actions: map[string]string{
			"ack":    "确认",
			"clear":  "清除",
			"start":  "开始整改",
			"reject": "复核退回",
		},
	}
}
