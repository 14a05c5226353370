package audit

import (
	"fmt"
	"maps"
	"slices"
)

// Labels are the Chinese names of what the audit log records, for people
// reading it: entity types ("report" → "报送"), actions ("save" → "保存")
// and the fields of a recorded before/after state ("dept_id" → "部门"). A
// code without a name shows as itself: a label is never required to read
// a record. The foundations' names are Foundations(); each register names
// its own entities and actions (services.Module.AuditLabels) and the
// server reads them merged (Merge), so adding a register edits no shared
// table. TestLabelsCoverCode (internal/services) keeps every entity and
// action the code records named.
type Labels struct {
	Entities, Actions, Fields map[string]string
}

// Foundations are the names of the foundations' entities (plans, reports,
// accounts, departments, enterprises, imports), the actions every register
// shares and the common fields.
func Foundations() Labels {
	return Labels{
		Entities: map[string]string{
			"task_figures": "任务实时数据", "access": "访问控制", "api_token": "API 令牌", "bulletin": "进展通报",
			"bulletin_issue": "印发通报", "department": "部门", "enterprise": "企业", "import": "批量导入",
			"indicator_binding": "指标绑定", "plan": "工作方案", "plan_version": "方案版本", "progress_settings": "进展设置",
			"report": "报送", "reports": "报送", "reporting_periods": "报送周期", "task_override": "任务进展调整",
			"user": "用户", "user_enterprise": "用户所属企业",
		},
		Actions: map[string]string{
			"recompute": "重算", "publish": "公示", "add_alias": "添加别名", "approve": "审核通过",
			"attach": "上传附件", "bootstrap": "初始化管理员", "change_password": "修改密码", "complete": "完成",
			"correct": "印发更正通报", "issue": "印发", "create": "新增", "create_demo": "创建演示账号",
			"declare": "声明", "delete": "删除", "demo_seed": "生成演示数据", "denied": "越权访问",
			"disable_demo": "停用演示账号", "discard": "废弃", "edit": "更正", "ensure": "按信用代码登记",
			"generate": "生成", "import": "导入", "link": "关联", "load": "批量载入",
			"logout_everywhere": "退出所有设备", "rank": "排名", "recognise": "认定", "region": "修改地区",
			"rename": "标记更名", "reset_password": "重置密码", "return": "退回", "review": "复核",
			"revoke": "撤销", "save": "保存", "seed": "初始化", "send_back": "部门退回",
			"submit": "提交", "unlink": "取消关联", "unlock": "解除锁定", "update": "修改",
			"withdraw": "撤回", "close": "关闭",
		},
		Fields: map[string]string{
			"measure": "指标", "source": "来源",
			"id": "编号", "title": "标题", "name": "名称", "note": "备注", "status": "状态", "demo": "演示数据",
			"dept_id": "部门", "dept": "部门", "dept_name": "部门", "department": "部门", "number": "序号",
			"code": "代码", "kind": "类别", "issued": "发布", "created_at": "创建时间", "updated_at": "修改时间",
			"created_by": "创建人", "year": "年度", "stage": "阶段", "prefecture": "市州", "county": "县区",
			"text": "内容", "task": "任务", "standard_code": "标准号", "standard_title": "标准名称",
			"standard_id": "标准", "level": "级别", "label": "名称", "date": "日期", "credit_code": "统一社会信用代码",
			"unit": "单位", "total": "合计", "standards": "标准", "role": "角色", "roles": "角色", "progress": "进展",
			"plan_id": "方案", "issuer": "发布机构", "category": "类别", "target": "目标", "targets": "目标",
			"scope": "范围", "published": "已发布", "login": "登录名", "lead": "牵头", "indicators": "指标",
			"deadline": "截止日期", "count": "数量", "contact": "联系人", "value": "数值", "user_id": "用户",
			"short_name": "简称", "short": "简称", "score": "得分", "schedule": "进度安排", "rank": "排名",
			"region": "地区", "parent_id": "上级部门", "parent": "上级部门", "successor": "承接部门", "period": "报送周期", "must_change_password": "须修改密码",
			"implemented": "实施", "hours": "学时", "phone": "电话", "email": "电子邮箱", "address": "地址",
			"summary": "摘要", "reason": "原因", "result": "结果", "scale": "规模", "sort_order": "排序",
			"successor_id": "承接部门", "starts_on": "开始日期", "ends_on": "结束日期", "due_on": "应完成日期",
			"done_on": "完成日期", "reviewed_on": "复核日期", "revoked_on": "撤销日期", "withdrawn_on": "撤回日期",
			"approved_at": "审核时间", "approved_on": "批准日期", "published_on": "发布日期", "awarded_on": "奖励日期",
			"expires_at": "到期时间", "enterprise_id": "企业", "enterprise_name": "企业名称", "operator_name": "经营主体",
			"operator_credit_code": "经营主体信用代码", "project_id": "项目", "project_number": "项目编号",
			"declaration_id": "自我声明", "scheme_id": "评估方案", "version": "版本", "place": "地点",
			"attendees": "学员", "trainees": "学员人数", "materials": "材料", "metric": "指标", "baseline": "基期值",
			"comparator": "比较方式", "direction": "方向", "achievement": "完成情况", "reports": "报送",
			"disabled": "停用", "locked": "锁定", "file": "文件", "files": "文件", "filename": "文件名",
			"source_name": "来源", "tasks": "任务", "aliases": "别名", "ip": "地址", "mode": "方式",
			"doc_no": "文号", "comment": "意见", "issued_on": "印发日期", "as_of": "数据截至", "corrects": "所更正的通报", "correction": "更正说明",
			"html_sha256": "HTML 原件 SHA-256", "xlsx_sha256": "Excel 原件 SHA-256", "doc_no_pattern": "文号格式", "next_steps": "下一步工作",
			"committee": "技术委员会", "publisher": "发布单位", "replaces": "代替", "ics": "ICS 分类号", "ccs": "CCS 分类号",
		},
	}
}

// Merge joins label sets into one; a code named differently by two sets is
// an error naming both.
func Merge(sets ...Labels) (Labels, error) {
	out := Labels{Entities: map[string]string{}, Actions: map[string]string{}, Fields: map[string]string{}}
	for _, part := range []struct {
		what string
		dst  map[string]string
		of   func(Labels) map[string]string
	}{
		{"entity", out.Entities, func(l Labels) map[string]string { return l.Entities }},
		{"action", out.Actions, func(l Labels) map[string]string { return l.Actions }},
		{"field", out.Fields, func(l Labels) map[string]string { return l.Fields }},
	} {
		for _, l := range sets {
			m := part.of(l)
			for _, code := range slices.Sorted(maps.Keys(m)) {
				if prev, ok := part.dst[code]; ok && prev != m[code] {
					return Labels{}, fmt.Errorf("audit labels: %s %q is named both %q and %q", part.what, code, prev, m[code])
				}
				part.dst[code] = m[code]
			}
		}
	}
	return out, nil
}

func labelOr(m map[string]string, code string) string {
	if l, ok := m[code]; ok {
		return l
	}
	return code
}

// Entity names an entity type in Chinese ("report" → "报送").
func (l Labels) Entity(code string) string { return labelOr(l.Entities, code) }

// Action names an action in Chinese ("save" → "保存").
func (l Labels) Action(code string) string { return labelOr(l.Actions, code) }

// Field names a field of a recorded before/after state in Chinese
// ("dept_id" → "部门"); unknown keys show as themselves.
func (l Labels) Field(key string) string { return labelOr(l.Fields, key) }
