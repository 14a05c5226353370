package evalmodel

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"eval_model": "盐湖化工企业评价模型",
		},
		Actions: map[string]string{
			"version":         "建立新版本",
			"weights_ahp":     "层次分析法定权",
			"weights_entropy": "熵权法定权",
			"classes":         "设置分类等级",
		},
	}
}
