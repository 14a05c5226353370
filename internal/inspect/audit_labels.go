package inspect

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"inspect_draw":        "双随机抽查抽取",
			"inspect_result":      "双随机抽查结果",
			"inspect_risk_scheme": "信用风险评分方案",
			"inspect_risk_run":    "信用风险分类重算",
			"inspect_risk_change": "风险等级变化预警",
			"inspect_crossregion": "跨区域检查案件",
			"inspect_item_result": "分事项检查结果",
		},
		Actions: map[string]string{
			"accept":         "接收",
			"commit":         "承诺随机种子",
			"draw":           "随机抽取",
			"redraw":         "回避重抽",
			"refuse":         "拒绝抽取",
			"result":         "录入检查结果",
			"correct_result": "更正检查结果",
			"handle":         "标记已处理",
		},
	}
}
