package org

// Kinds of department.
const (
	KindRoot        = "root"        // the province as a whole
	KindProvince    = "province"    // a provincial department or body
	KindOffice      = "office"      // an internal office of a department
	KindPrefecture  = "prefecture"  // a prefecture-level government
	KindCounty      = "county"      // a county-level government
	KindUnspecified = "unspecified" // "相关部门": owners the text leaves open
	KindCentral     = "central"     // a State Council ministry or agency, named by national plans
)

// Special names that do not denote one body.
const (
	AllPrefectures = "各市州政府"
	Unspecified    = "相关部门"
)

// seedDept is one body of the built-in directory. Aliases are the short
// forms documents use. Successor names the body that took over a renamed one.
//
// Its JSON keys are those of the audit log's labelled fields: the seed's
// audit record shows them in Chinese on the department's page.
type seedDept struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Short     string   `json:"short_name"`
	Kind      string   `json:"kind"`
	Parent    string   `json:"parent,omitempty"` // the parent's code
	Region    string   `json:"region,omitempty"`
	Aliases   []string `json:"aliases,omitempty"`
	Successor string   `json:"successor,omitempty"` // the successor's code
	Note      string   `json:"note,omitempty"`
}

// builtin is the directory Sidi starts with: the bodies the plan names
// (their full names per the provincial government's public directory) and
// the prefectures and counties by their GB/T 2260 codes. Administrators
// extend it; the seed only ever adds what is missing.
var builtin = []seedDept{
	{Code: "qh", Name: "青海省", Short: "青海省", Kind: KindRoot, Region: "630000"},

	{Code: "qh-samr", Name: "青海省市场监督管理局", Short: "省市场监管局", Kind: KindProvince, Parent: "qh", Aliases: []string{"省市场监督管理局", "青海省市场监管局"}},
	{Code: "qh-drc", Name: "青海省发展和改革委员会", Short: "省发展改革委", Kind: KindProvince, Parent: "qh", Aliases: []string{"省发改委", "省发展和改革委员会"}},
	{Code: "qh-miit", Name: "青海省工业和信息化厅", Short: "省工业和信息化厅", Kind: KindProvince, Parent: "qh", Aliases: []string{"省工信厅"}},
	{Code: "qh-most", Name: "青海省科学技术厅", Short: "省科技厅", Kind: KindProvince, Parent: "qh", Aliases: []string{"省科学技术厅"}},
	{Code: "qh-edu", Name: "青海省教育厅", Short: "省教育厅", Kind: KindProvince, Parent: "qh"},
	{Code: "qh-ps", Name: "青海省公安厅", Short: "省公安厅", Kind: KindProvince, Parent: "qh"},
	{Code: "qh-fin", Name: "青海省财政厅", Short: "省财政厅", Kind: KindProvince, Parent: "qh"},
	{Code: "qh-hrss", Name: "青海省人力资源和社会保障厅", Short: "省人力资源社会保障厅", Kind: KindProvince, Parent: "qh", Aliases: []string{"省人社厅", "省人力资源和社会保障厅"}},
	{Code: "qh-hurd", Name: "青海省住房和城乡建设厅", Short: "省住房城乡建设厅", Kind: KindProvince, Parent: "qh", Aliases: []string{"省住建厅", "省住房和城乡建设厅"}},
	{Code: "qh-agri", Name: "青海省农业农村厅", Short: "省农业农村厅", Kind: KindProvince, Parent: "qh"},
	{Code: "qh-com", Name: "青海省商务厅", Short: "省商务厅", Kind: KindProvince, Parent: "qh"},
	{Code: "qh-ct", Name: "青海省文化和旅游厅", Short: "省文化和旅游厅", Kind: KindProvince, Parent: "qh", Aliases: []string{"省文旅厅"}},
	{Code: "qh-forest", Name: "青海省林业和草原局", Short: "省林草局", Kind: KindProvince, Parent: "qh", Aliases: []string{"省林业和草原局"}},
	{Code: "qh-mpa", Name: "青海省药品监督管理局", Short: "省药品监管局", Kind: KindProvince, Parent: "qh", Aliases: []string{"省药监局", "省药品监督管理局"}},
	{Code: "qh-rft", Name: "青海省广播电视局", Short: "省广电局", Kind: KindProvince, Parent: "qh", Aliases: []string{"省广播电视局"}},
	{Code: "qh-gov-svc", Name: "青海省政务服务监督管理局", Short: "省政务服务监管局", Kind: KindProvince, Parent: "qh", Aliases: []string{"省政务服务监督管理局"}},
	{Code: "qh-publicity", Name: "中共青海省委宣传部", Short: "省委宣传部", Kind: KindProvince, Parent: "qh", Aliases: []string{"青海省委宣传部"}},
	{Code: "qh-tax", Name: "国家税务总局青海省税务局", Short: "省税务局", Kind: KindProvince, Parent: "qh", Aliases: []string{"青海省税务局"}},
	{Code: "qh-pbc", Name: "中国人民银行青海省分行", Short: "人行青海省分行", Kind: KindProvince, Parent: "qh",
		Note: "2023年机构改革由中国人民银行西宁中心支行改设 [待核实]"},
	{Code: "qh-pbc-xining", Name: "中国人民银行西宁中心支行", Short: "人行西宁中心支行", Kind: KindProvince, Parent: "qh",
		Successor: "qh-pbc", Note: "已更名，职责由中国人民银行青海省分行承接 [待核实]"},

	{Code: "630100", Name: "西宁市人民政府", Short: "西宁市", Kind: KindPrefecture, Parent: "qh", Region: "630100", Aliases: []string{"西宁市政府"}},
	{Code: "630200", Name: "海东市人民政府", Short: "海东市", Kind: KindPrefecture, Parent: "qh", Region: "630200", Aliases: []string{"海东市政府"}},
	{Code: "632200", Name: "海北藏族自治州人民政府", Short: "海北州", Kind: KindPrefecture, Parent: "qh", Region: "632200", Aliases: []string{"海北州政府", "海北藏族自治州"}},
	{Code: "632300", Name: "黄南藏族自治州人民政府", Short: "黄南州", Kind: KindPrefecture, Parent: "qh", Region: "632300", Aliases: []string{"黄南州政府", "黄南藏族自治州"}},
	{Code: "632500", Name: "海南藏族自治州人民政府", Short: "海南州", Kind: KindPrefecture, Parent: "qh", Region: "632500", Aliases: []string{"海南州政府", "海南藏族自治州"}},
	{Code: "632600", Name: "果洛藏族自治州人民政府", Short: "果洛州", Kind: KindPrefecture, Parent: "qh", Region: "632600", Aliases: []string{"果洛州政府", "果洛藏族自治州"}},
	{Code: "632700", Name: "玉树藏族自治州人民政府", Short: "玉树州", Kind: KindPrefecture, Parent: "qh", Region: "632700", Aliases: []string{"玉树州政府", "玉树藏族自治州"}},
	{Code: "632800", Name: "海西蒙古族藏族自治州人民政府", Short: "海西州", Kind: KindPrefecture, Parent: "qh", Region: "632800", Aliases: []string{"海西州政府", "海西蒙古族藏族自治州"}},

	// Central ministries and agencies (国务院组成部门、直属机构等), named by
	// national plans in their short forms; they have no parent in the
	// province's tree. Names per the State Council's public list (2023).
	{Code: "cn-gov-office", Name: "国务院办公厅", Short: "国务院办公厅", Kind: KindCentral, Aliases: []string{"国办"}},
	{Code: "cn-mfa", Name: "中华人民共和国外交部", Short: "外交部", Kind: KindCentral},
	{Code: "cn-ndrc", Name: "国家发展和改革委员会", Short: "国家发展改革委", Kind: KindCentral, Aliases: []string{"发展改革委", "国家发改委", "发改委"}},
	{Code: "cn-moe", Name: "中华人民共和国教育部", Short: "教育部", Kind: KindCentral},
	{Code: "cn-most", Name: "中华人民共和国科学技术部", Short: "科技部", Kind: KindCentral, Aliases: []string{"科学技术部"}},
	{Code: "cn-miit", Name: "中华人民共和国工业和信息化部", Short: "工业和信息化部", Kind: KindCentral, Aliases: []string{"工信部"}},
	{Code: "cn-neac", Name: "国家民族事务委员会", Short: "国家民委", Kind: KindCentral},
	{Code: "cn-mps", Name: "中华人民共和国公安部", Short: "公安部", Kind: KindCentral},
	{Code: "cn-mca", Name: "中华人民共和国民政部", Short: "民政部", Kind: KindCentral},
	{Code: "cn-moj", Name: "中华人民共和国司法部", Short: "司法部", Kind: KindCentral},
	{Code: "cn-mof", Name: "中华人民共和国财政部", Short: "财政部", Kind: KindCentral},
	{Code: "cn-mohrss", Name: "中华人民共和国人力资源和社会保障部", Short: "人力资源社会保障部", Kind: KindCentral, Aliases: []string{"人力资源和社会保障部", "人社部"}},
	{Code: "cn-mnr", Name: "中华人民共和国自然资源部", Short: "自然资源部", Kind: KindCentral},
	{Code: "cn-mee", Name: "中华人民共和国生态环境部", Short: "生态环境部", Kind: KindCentral},
	{Code: "cn-mohurd", Name: "中华人民共和国住房和城乡建设部", Short: "住房城乡建设部", Kind: KindCentral, Aliases: []string{"住房和城乡建设部", "住建部"}},
	{Code: "cn-mot", Name: "中华人民共和国交通运输部", Short: "交通运输部", Kind: KindCentral},
	{Code: "cn-mwr", Name: "中华人民共和国水利部", Short: "水利部", Kind: KindCentral},
	{Code: "cn-moa", Name: "中华人民共和国农业农村部", Short: "农业农村部", Kind: KindCentral, Aliases: []string{"农业部"}},
	{Code: "cn-mofcom", Name: "中华人民共和国商务部", Short: "商务部", Kind: KindCentral},
	{Code: "cn-mct", Name: "中华人民共和国文化和旅游部", Short: "文化和旅游部", Kind: KindCentral, Aliases: []string{"文旅部"}},
	{Code: "cn-nhc", Name: "中华人民共和国国家卫生健康委员会", Short: "国家卫生健康委", Kind: KindCentral, Aliases: []string{"卫生健康委", "国家卫健委"}},
	{Code: "cn-mem", Name: "中华人民共和国应急管理部", Short: "应急管理部", Kind: KindCentral, Aliases: []string{"应急部"}},
	{Code: "cn-pbc", Name: "中国人民银行", Short: "人民银行", Kind: KindCentral, Aliases: []string{"人行", "央行"}},
	{Code: "cn-nao", Name: "中华人民共和国审计署", Short: "审计署", Kind: KindCentral},
	{Code: "cn-sasac", Name: "国务院国有资产监督管理委员会", Short: "国务院国资委", Kind: KindCentral, Aliases: []string{"国资委"}},
	{Code: "cn-gacc", Name: "中华人民共和国海关总署", Short: "海关总署", Kind: KindCentral},
	{Code: "cn-sat", Name: "国家税务总局", Short: "税务总局", Kind: KindCentral},
	{Code: "cn-samr", Name: "国家市场监督管理总局", Short: "市场监管总局", Kind: KindCentral, Aliases: []string{"国家市场监管总局", "市场监管总局(标准委)", "市场监管总局(国家标准委)", "国家标准化管理委员会", "国家标准委", "标准委"}},
	{Code: "cn-nfra", Name: "国家金融监督管理总局", Short: "金融监管总局", Kind: KindCentral},
	{Code: "cn-csrc", Name: "中国证券监督管理委员会", Short: "证监会", Kind: KindCentral, Aliases: []string{"中国证监会"}},
	{Code: "cn-nrta", Name: "国家广播电视总局", Short: "广电总局", Kind: KindCentral, Aliases: []string{"国家广电总局"}},
	{Code: "cn-gas", Name: "国家体育总局", Short: "体育总局", Kind: KindCentral},
	{Code: "cn-nbs", Name: "国家统计局", Short: "统计局", Kind: KindCentral},
	{Code: "cn-cnipa", Name: "国家知识产权局", Short: "知识产权局", Kind: KindCentral},
	{Code: "cn-nmpa", Name: "国家药品监督管理局", Short: "国家药监局", Kind: KindCentral, Aliases: []string{"药监局"}},
	{Code: "cn-nfga", Name: "国家林业和草原局", Short: "国家林草局", Kind: KindCentral, Aliases: []string{"林草局"}},
	{Code: "cn-nfsra", Name: "国家粮食和物资储备局", Short: "国家粮食和储备局", Kind: KindCentral, Aliases: []string{"粮食和储备局", "粮食局"}},
	{Code: "cn-nea", Name: "国家能源局", Short: "能源局", Kind: KindCentral},
	{Code: "cn-nda", Name: "国家数据局", Short: "国家数据局", Kind: KindCentral},
	{Code: "cn-spb", Name: "国家邮政局", Short: "邮政局", Kind: KindCentral},
	{Code: "cn-natcm", Name: "国家中医药管理局", Short: "国家中医药局", Kind: KindCentral, Aliases: []string{"中医药局"}},
	{Code: "cn-sastind", Name: "国家国防科技工业局", Short: "国防科工局", Kind: KindCentral},
	{Code: "cn-cac", Name: "中央网络安全和信息化委员会办公室", Short: "中央网信办", Kind: KindCentral, Aliases: []string{"国家网信办", "国家互联网信息办公室"}},
	{Code: "cn-crwo", Name: "中央农村工作领导小组办公室", Short: "中央农办", Kind: KindCentral},
	{Code: "cn-caac", Name: "中国民用航空局", Short: "民航局", Kind: KindCentral},

	{Code: "unspecified", Name: "相关部门（未具体指明）", Short: "相关部门", Kind: KindUnspecified, Parent: "qh",
		Aliases: []string{"有关部门", "各有关部门", "省直有关部门", "省有关部门", "有关单位", "相关单位", "有关部门和单位", "各有关部门和单位", "相关部门和单位"},
		Note:    "方案原文写作“相关部门”，未指明具体单位；督办时须明确到具体部门"},
}

// counties are the county-level divisions by prefecture (GB/T 2260).
var counties = []struct{ Parent, Code, Name string }{
	{"630100", "630102", "城东区"}, {"630100", "630103", "城中区"}, {"630100", "630104", "城西区"},
	{"630100", "630105", "城北区"}, {"630100", "630106", "湟中区"}, {"630100", "630121", "大通回族土族自治县"},
	{"630100", "630123", "湟源县"},
	{"630200", "630202", "乐都区"}, {"630200", "630203", "平安区"}, {"630200", "630222", "民和回族土族自治县"},
	{"630200", "630223", "互助土族自治县"}, {"630200", "630224", "化隆回族自治县"}, {"630200", "630225", "循化撒拉族自治县"},
	{"632200", "632221", "门源回族自治县"}, {"632200", "632222", "祁连县"}, {"632200", "632223", "海晏县"},
	{"632200", "632224", "刚察县"},
	{"632300", "632301", "同仁市"}, {"632300", "632322", "尖扎县"}, {"632300", "632323", "泽库县"},
	{"632300", "632324", "河南蒙古族自治县"},
	{"632500", "632521", "共和县"}, {"632500", "632522", "同德县"}, {"632500", "632523", "贵德县"},
	{"632500", "632524", "兴海县"}, {"632500", "632525", "贵南县"},
	{"632600", "632621", "玛沁县"}, {"632600", "632622", "班玛县"}, {"632600", "632623", "甘德县"},
	{"632600", "632624", "达日县"}, {"632600", "632625", "久治县"}, {"632600", "632626", "玛多县"},
	{"632700", "632701", "玉树市"}, {"632700", "632722", "杂多县"}, {"632700", "632723", "称多县"},
	{"632700", "632724", "治多县"}, {"632700", "632725", "囊谦县"}, {"632700", "632726", "曲麻莱县"},
	{"632800", "632801", "格尔木市"}, {"632800", "632802", "德令哈市"}, {"632800", "632803", "茫崖市"},
	{"632800", "632821", "乌兰县"}, {"632800", "632822", "都兰县"}, {"632800", "632823", "天峻县"},
	{"632800", "632857", "大柴旦行政委员会"},
}

// prefectureGroupAliases all mean "the eight prefecture-level governments".
var prefectureGroupAliases = []string{"各市州政府", "各市州人民政府", "各市（州）政府", "各市(州)政府", "各市、州政府", "各市（州）人民政府", "各市州",
	// as other plans write it
	"各市人民政府", "各地级以上市人民政府", "各市、自治州人民政府", "地方人民政府", "地方各级人民政府"}
