// Package bases is the register of standardized production bases of plan
// task 5 (省农业农村厅牵头): 千头牦牛标准化生产基地, 千只藏羊标准化规模养殖场,
// 草畜配套生态牧场 and 规模肉畜产品经营主体标准化生产县. It owns where each base
// is (one of the eight prefectures and a county of it), who runs it, its
// herd, the standards it applies, the materials it publishes (标准模式图,
// 明白纸, 风险管控手册) and its recognition: 创建中 → 已认定 → 复核 or 撤销.
// It registers the counts of recognised bases per kind with the indicator
// registry.
//
// It imports store, audit, auth, org and indicator; never another domain.
// Standards are linked through the StandardLookup the caller passes in.
package bases
