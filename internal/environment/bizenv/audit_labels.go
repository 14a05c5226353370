package bizenv

import auditlog "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() auditlog.Labels {
	return auditlog.Labels{
		Entities: map[string]string{
			"fair_measure":    "公平竞争审查政策措施",
			"fair_oversight":  "公平竞争审查抽查与举报",
			"fee_case":        "涉企收费投诉与案件",
			"biz_start_limit": "企业开办承诺时限",
			"ad_campaign":     "公益广告活动",
		},
		Actions: map[string]string{
			"answer":   "填写审查标准",
			"opinion":  "登记意见",
			"conclude": "作出审查结论",
			"place":    "登记投放",
		},
	}
}
