package equipment

import "sidi/internal/audit"

// AuditLabels are the Chinese names of the entities and actions this
// register records in the audit log (the 操作日志 reads them merged with
// the foundations').
func AuditLabels() audit.Labels {
	return audit.Labels{
		Entities: map[string]string{
			"equipment":            "特种设备",
			"equipment_import":     "特种设备导入",
			"equipment_inspection": "特种设备检验",
		},
		Actions: map[string]string{
			"inspect":       "登记检验",
			"issue_secret":  "签发设备密钥",
			"recompute_due": "重算检验到期日",
		},
	}
}
