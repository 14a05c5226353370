package sampling

import (
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// Batch is one sampled batch.
type Batch struct {
	ID             int64  `json:"id"`
	BatchNo        string `json:"batch_no"`
	TaskID         int64  `json:"task_id,omitempty"`
	TaskNo         string `json:"task_no"`
	DeptID         int64  `json:"dept_id,omitempty"`
	DeptName       string `json:"dept_name,omitempty"`
	Year           int    `json:"year"`
	Level          string `json:"level"`
	Product        string `json:"product"`
	KeyProduct     string `json:"key_product"`
	EnterpriseName string `json:"enterprise_name"`
	CreditCode     string `json:"credit_code"`
	EnterpriseID   int64  `json:"enterprise_id,omitempty"`
	SamplingUnit   string `json:"sampling_unit"`
	SampledOn      string `json:"sampled_on"`
	TestingBody    string `json:"testing_body"`
	ReportNo       string `json:"report_no"`
	Outcome        string `json:"outcome"`
	ResultOn       string `json:"result_on"`
	FailedItems    string `json:"failed_items"`
	RetestOn       string `json:"retest_on"`
	RetestReason   string `json:"retest_reason"`
	NoticeOn       string `json:"notice_on"`
	DoneOn         string `json:"done_on"`
	Demo           bool   `json:"demo"`
	// Filled on the record page.
	RetestDue string     `json:"retest_due,omitempty"` // last day to apply for a re-test
	Disposals []Disposal `json:"disposals,omitempty"`
}

// Disposal is one step of a failed batch's disposal ladder.
type Disposal struct {
	Step  string `json:"step"`
	On    string `json:"on"`
	DocNo string `json:"doc_no"`
	Note  string `json:"note"`
	Actor string `json:"actor"`
}

// Column names of the batch file (and the form's labels).
const (
	ColBatchNo    = "抽样单编号"
	ColYear       = "抽查年度"
	ColLevel      = "抽查级别"
	ColTaskNo     = "任务编号"
	ColProduct    = "产品名称"
	ColKey        = "重点产品"
	ColEnterprise = "受检单位名称"
	ColCreditCode = "统一社会信用代码"
	ColUnit       = "抽样单位"
	ColSampledOn  = "抽样日期"
	ColBody       = "检验机构"
	ColReportNo   = "检验报告编号"
	ColOutcome    = "检验结论"
	ColResultOn   = "结果通知日期"
	ColItems      = "不合格项目"
	ColRetestOn   = "复检申请日期"
	ColReason     = "逾期复检理由"
	ColNoticeOn   = "公告日期"
)

// BatchColumns are the columns of `sidi import sampling_batches`.
var BatchColumns = []kit.Column{
	{Name: ColBatchNo, Aliases: []string{"抽样单号", "抽样编号"}, Required: true},
	{Name: ColYear, Aliases: []string{"年度"}, Required: true},
	{Name: ColLevel, Aliases: []string{"级别"}, Required: true},
	{Name: ColTaskNo},
	{Name: ColProduct, Aliases: []string{"产品"}, Required: true},
	{Name: ColKey},
	{Name: ColEnterprise, Aliases: []string{"受检企业", "被抽样单位名称", "企业名称"}, Required: true},
	{Name: ColCreditCode, Aliases: []string{"社会信用代码", "信用代码"}, Required: true},
	{Name: ColUnit, Aliases: []string{"抽样机构"}, Required: true},
	{Name: ColSampledOn, Required: true},
	{Name: ColBody, Aliases: []string{"承检机构"}},
	{Name: ColReportNo, Aliases: []string{"报告编号"}},
	{Name: ColOutcome, Aliases: []string{"结论", "检验结果"}, Required: true},
	{Name: ColResultOn, Aliases: []string{"结果送达日期"}},
	{Name: ColItems, Aliases: []string{"主要不合格项目"}},
	{Name: ColRetestOn},
	{Name: ColReason},
	{Name: ColNoticeOn},
}

// BatchFields are the form's input names by column.
var BatchFields = map[string]string{
	ColBatchNo: "batch_no", ColYear: "year", ColLevel: "level", ColTaskNo: "task_no", ColProduct: "product", ColKey: "key_product",
	ColEnterprise: "enterprise_name", ColCreditCode: "credit_code", ColUnit: "sampling_unit", ColSampledOn: "sampled_on",
	ColBody: "testing_body", ColReportNo: "report_no", ColOutcome: "outcome", ColResultOn: "result_on", ColItems: "failed_items",
	ColRetestOn: "retest_on", ColReason: "retest_reason", ColNoticeOn: "notice_on",
}

// keyAliases are the ways a file names the key products.
var keyAliases = map[string]string{"盐湖化工": KeySaltLake, "盐湖化工产品": KeySaltLake, "光伏": KeyPV, "光伏产品": KeyPV, "光伏清洁能源产品": KeyPV,
	KeySaltLake: KeySaltLake, KeyPV: KeyPV, "否": "", "": ""}

// ParseBatch checks one batch as a file row (row > 0: failures carry the
// row and the column) or a form (row 0: failures carry the column as the
// field), without the database. get reads a column; today bounds the dates.
func ParseBatch(row int, get func(col string) string, today string) (Batch, kit.Errors) {
	var errs kit.Errors
	at := func(col string) func(string, ...any) {
		return func(format string, args ...any) {
			e := kit.FieldError{Row: row, Column: col, Msg: fmt.Sprintf(format, args...)}
			if row == 0 {
				e.Field = BatchFields[col]
			}
			errs = append(errs, e)
		}
	}
	var b Batch
	b.BatchNo = text(at(ColBatchNo), ColBatchNo, get(ColBatchNo), 64, true)
	if y := strings.TrimSpace(get(ColYear)); y != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(y, "年"))
		if err != nil || n < 2000 || n > 2100 {
			at(ColYear)("抽查年度“%s”无效，应为 2000—2100 的年份", kit.Clip(y))
		}
		b.Year = n
	} else {
		at(ColYear)("请填写%s", ColYear)
	}
	if v := strings.TrimSpace(get(ColLevel)); v == "" {
		at(ColLevel)("请填写%s", ColLevel)
	} else if b.Level = lookup(LevelLabels, strings.TrimSuffix(v, "级")); b.Level == "" {
		at(ColLevel)("抽查级别“%s”无法识别，应为国家、省或市州", kit.Clip(v))
	}
	b.TaskNo = text(at(ColTaskNo), ColTaskNo, get(ColTaskNo), 64, false)
	b.Product = text(at(ColProduct), ColProduct, get(ColProduct), 100, true)
	if k, ok := keyAliases[strings.TrimSpace(get(ColKey))]; ok {
		b.KeyProduct = k
	} else {
		at(ColKey)("重点产品“%s”无法识别，应为盐湖化工、光伏或留空", kit.Clip(get(ColKey)))
	}
	b.EnterpriseName = text(at(ColEnterprise), ColEnterprise, get(ColEnterprise), 200, true)
	if v := strings.TrimSpace(get(ColCreditCode)); v == "" {
		at(ColCreditCode)("请填写%s", ColCreditCode)
	} else if c, err := creditcode.Parse(v); err != nil {
		at(ColCreditCode)("统一社会信用代码“%s”无效：%v", kit.Clip(v), err)
	} else {
		b.CreditCode = c
	}
	b.SamplingUnit = text(at(ColUnit), ColUnit, get(ColUnit), 100, true)
	date := func(col string, required bool) string {
		v := strings.TrimSpace(get(col))
		if v == "" {
			if required {
				at(col)("请填写%s", col)
			}
			return ""
		}
		d, ok := kit.ParseDate(v)
		if !ok || d < "2000-01-01" || d > today {
			at(col)("%s“%s”不是有效日期（2000-01-01 至今天 %s，如 2024-05-01）", col, kit.Clip(v), today)
			return ""
		}
		return d
	}
	b.SampledOn = date(ColSampledOn, true)
	b.TestingBody = text(at(ColBody), ColBody, get(ColBody), 100, false)
	b.ReportNo = text(at(ColReportNo), ColReportNo, get(ColReportNo), 64, false)
	if v := strings.TrimSpace(get(ColOutcome)); v == "" {
		at(ColOutcome)("请填写%s", ColOutcome)
	} else if b.Outcome = lookup(OutcomeLabels, v); b.Outcome == "" {
		at(ColOutcome)("检验结论“%s”不在规定范围内，应为合格、不合格、涉嫌无证无照、拒检、未抽到样、复检中、复检维持或复检改判", kit.Clip(v))
	}
	b.ResultOn = date(ColResultOn, false)
	b.FailedItems = text(at(ColItems), ColItems, get(ColItems), 500, false)
	b.RetestOn = date(ColRetestOn, false)
	b.RetestReason = text(at(ColReason), ColReason, get(ColReason), 500, false)
	b.NoticeOn = date(ColNoticeOn, false)
	if len(errs) > 0 {
		return b, errs
	}
	b.check(at)
	b.DoneOn = doneOn(b)
	b.Demo = strings.Contains(b.EnterpriseName, DemoLabel) || strings.HasPrefix(b.BatchNo, "DEMO-")
	return b, errs
}

// check applies the rules between the fields of a parsed batch.
func (b *Batch) check(at func(string) func(string, ...any)) {
	o := b.Outcome
	if Tested(o) {
		if b.TestingBody == "" {
			at(ColBody)("检验结论为“%s”时请填写检验机构", OutcomeLabels[o])
		}
		if b.ReportNo == "" {
			at(ColReportNo)("检验结论为“%s”时请填写检验报告编号", OutcomeLabels[o])
		}
		if b.ResultOn == "" {
			at(ColResultOn)("检验结论为“%s”时请填写结果通知日期", OutcomeLabels[o])
		} else if b.ResultOn < b.SampledOn {
			at(ColResultOn)("结果通知日期 %s 早于抽样日期 %s", b.ResultOn, b.SampledOn)
		}
	} else if b.ResultOn != "" && b.ResultOn < b.SampledOn {
		at(ColResultOn)("结果通知日期 %s 早于抽样日期 %s", b.ResultOn, b.SampledOn)
	}
	switch {
	case o == Qualified && b.FailedItems != "":
		at(ColItems)("检验结论为合格时不应填写不合格项目")
	case (o == Failed || Retest(o)) && b.FailedItems == "":
		at(ColItems)("检验结论为“%s”时请填写（初检）不合格项目", OutcomeLabels[o])
	}
	switch {
	case Retest(o) && b.RetestOn == "":
		at(ColRetestOn)("检验结论为“%s”时请填写复检申请日期", OutcomeLabels[o])
	case !Retest(o) && b.RetestOn != "":
		at(ColRetestOn)("填写了复检申请日期时，检验结论应为复检中、复检维持或复检改判")
	case Retest(o) && b.ResultOn != "" && b.RetestOn < b.ResultOn:
		at(ColRetestOn)("复检申请日期 %s 早于结果通知日期 %s", b.RetestOn, b.ResultOn)
	case Retest(o) && b.ResultOn != "" && b.RetestOn > kit.AddDays(b.ResultOn, RetestDays) && b.RetestReason == "":
		at(ColRetestOn)("复检申请日期 %s 超过结果通知日期 %s 后 %d 日（最迟 %s），请在“%s”中说明理由", b.RetestOn, b.ResultOn, RetestDays, kit.AddDays(b.ResultOn, RetestDays), ColReason)
	}
	if b.RetestReason != "" && b.RetestOn == "" {
		at(ColReason)("未填写复检申请日期时不应填写逾期复检理由")
	}
	if b.NoticeOn != "" {
		switch {
		case o != Failed && o != Upheld:
			at(ColNoticeOn)("只有不合格（或复检维持）的批次才能公告，本批次为“%s”", OutcomeLabels[o])
		case b.NoticeOn < b.ResultOn:
			at(ColNoticeOn)("公告日期 %s 早于结果通知日期 %s", b.NoticeOn, b.ResultOn)
		}
	}
}

// doneOn is the day the batch counts as a completed monitoring task: the
// result day of a tested batch, the sampling day of one referred or
// refused; none for a batch where no sample was drawn.
func doneOn(b Batch) string {
	switch {
	case Tested(b.Outcome):
		return b.ResultOn
	case b.Outcome == Unlicensed || b.Outcome == Refused:
		return b.SampledOn
	}
	return ""
}

// Cells are the batch as a row of the import file.
func (b Batch) Cells() []string {
	year := ""
	if b.Year > 0 {
		year = strconv.Itoa(b.Year)
	}
	return []string{b.BatchNo, year, LevelLabels[b.Level], b.TaskNo, b.Product, KeyLabels[b.KeyProduct], b.EnterpriseName, b.CreditCode,
		b.SamplingUnit, b.SampledOn, b.TestingBody, b.ReportNo, OutcomeLabels[b.Outcome], b.ResultOn, b.FailedItems, b.RetestOn, b.RetestReason, b.NoticeOn}
}
