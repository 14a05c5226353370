package standards

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// BenchNote marks every generated record, so the benchmark can tell its own
// data from real data and the pages show what it is.
// It is short because the note is indexed with every record.
const BenchNote = "【基准测试数据】"

// Gen generates realistic, fictitious standard records for benchmarks and
// load tests. Record i depends only on the seed and i, so any range of
// records can be generated on its own and two runs with the same seed give
// the same data. Codes are unique across all records of one seed.
//
// The mix follows the shape of a national catalogue at scale: about half
// enterprise standards (Q/), a fifth group standards (T/), the rest local
// (DB63/T, DB63xx/T and other provinces), sector and national standards and
// a few drug-quality standards and local projects without a code. Coded
// national, sector and local standards come in works of which a third have
// an older, replaced edition with the same number.
type Gen struct{ seed uint64 }

// NewGen returns the generator for seed.
func NewGen(seed uint64) *Gen { return &Gen{seed: seed} }

// genFamily is one bucket of the record mix.
type genFamily struct {
	id       int
	width    int // records per 1000
	kind     string
	prefixes []string
	base     int // first number
	editions bool
}

var genFamilies = func() []genFamily {
	fs := []genFamily{
		{kind: "GB", width: 10, prefixes: []string{"GB"}, base: 5000, editions: true},
		{kind: "GB/T", width: 30, prefixes: []string{"GB/T"}, base: 10000, editions: true},
		{kind: "sector", width: 90, prefixes: []string{"NY/T", "HG/T", "LY/T", "SC/T", "QB/T", "SB/T", "DZ/T", "NB/T", "JB/T", "YS/T", "GA/T", "LB/T", "MZ/T", "JG/T", "WS/T"}, base: 100, editions: true},
		{kind: "local", width: 40, prefixes: []string{"DB63/T"}, base: 1, editions: true},
		{kind: "prefecture", width: 20, prefixes: []string{"DB6301/T", "DB6302/T", "DB6322/T", "DB6323/T", "DB6325/T", "DB6326/T", "DB6327/T", "DB6328/T"}, base: 1, editions: true},
		{kind: "province", width: 60, prefixes: []string{"DB62/T", "DB54/T", "DB65/T", "DB64/T", "DB51/T", "DB15/T", "DB61/T", "DB53/T"}, base: 1, editions: true},
		{kind: "group", width: 200, base: 1},
		{kind: "enterprise", width: 530, base: 1},
		{kind: "project", width: 5},
		{kind: "drug", width: 15},
	}
	lo := 0
	for i := range fs {
		fs[i].id = lo
		lo += fs[i].width
	}
	if lo != 1000 {
		panic("standards: generator mix does not add up to 1000")
	}
	return fs
}()

// family returns the bucket of record i and its sequence number among the
// records of that bucket.
func (g *Gen) family(i int) (genFamily, int) {
	b := i % 1000
	for _, f := range genFamilies {
		if b < f.id+f.width {
			return f, (i/1000)*f.width + (b - f.id)
		}
	}
	panic("unreachable")
}

// index is the record number of the seq-th record of family f.
func (f genFamily) index(seq int) int { return (seq/f.width)*1000 + f.id + seq%f.width }

func (g *Gen) rng(a, b uint64) *rand.Rand { return rand.New(rand.NewPCG(g.seed^0x5eed5eed, a<<20^b)) }

// genTopic is a subject with the classifiers, tag and bodies that go with it.
type genTopic struct {
	words    []string // subjects
	suffixes []string // product and process words
	ics, ccs []string
	tag      string
	tc       string // 归口单位
	dept     string // 主管部门 of local standards
}

var genTopics = []genTopic{
	{words: []string{"牦牛", "藏羊", "欧拉羊", "柴达木绒山羊", "牦牛肉", "藏羊肉", "牦牛乳", "牦牛绒", "藏系绵羊", "祁连白牦牛", "环湖牦牛", "藏香猪", "藏鸡"},
		suffixes: []string{"养殖技术规范", "饲养管理技术规程", "屠宰加工技术规程", "疫病防控技术规范", "种畜质量分级", "肉质量分级", "追溯管理规范", "冷链物流规范", "品种", "放牧管理技术规范", "繁育技术规程", "生产性能测定技术规范"},
		ics:      []string{"65.020.30", "67.120.10", "65.020.30"}, ccs: []string{"B43", "X22", "B41"}, tag: "绿色有机农畜", tc: "青海省畜牧兽医标准化技术委员会", dept: "青海省农业农村厅"},
	{words: []string{"枸杞", "黑枸杞", "青稞", "藜麦", "春油菜", "马铃薯", "蚕豆", "沙棘", "燕麦", "高原夏菜", "当归", "黄芪", "饲草", "青贮玉米", "苜蓿", "大黄"},
		suffixes: []string{"种植技术规程", "生产技术规程", "病虫害绿色防控技术规程", "质量分级", "良种繁育技术规程", "采收与干制技术规范", "干果等级", "有机生产技术规程", "测土配方施肥技术规程", "全程机械化生产技术规范", "农药残留检测方法"},
		ics:      []string{"65.020.20", "67.080.10", "65.020.20"}, ccs: []string{"B05", "B22", "B31"}, tag: "绿色有机农畜", tc: "青海省种植业标准化技术委员会", dept: "青海省农业农村厅"},
	{words: []string{"冷水鱼", "虹鳟", "三文鱼", "青海湖裸鲤", "高原鲑鳟鱼"},
		suffixes: []string{"网箱养殖技术规范", "苗种繁育技术规程", "养殖水质要求", "质量分级", "加工技术规范", "病害防治技术规范"},
		ics:      []string{"65.150"}, ccs: []string{"B51", "B52"}, tag: "绿色有机农畜", tc: "青海省渔业标准化技术委员会", dept: "青海省农业农村厅"},
	{words: []string{"冬虫夏草", "藏药材", "红景天", "独一味", "藏茵陈", "雪莲"},
		suffixes: []string{"采集技术规范", "质量分级", "鉴别检验方法", "贮存与养护规范", "产地加工技术规程", "追溯管理规范"},
		ics:      []string{"11.120.10"}, ccs: []string{"C23", "C10"}, tag: "绿色有机农畜", tc: "青海省中藏药标准化技术委员会", dept: "青海省药品监督管理局"},
	{words: []string{"青稞酒", "青海拉面", "牦牛酸奶", "枸杞原浆", "青稞挂面", "牛羊肉干", "沙棘果汁", "菜籽油"},
		suffixes: []string{"生产技术规范", "加工技术规范", "产品质量要求", "检验方法", "良好操作规范", "包装与标识", "贮存与运输", "感官评价方法"},
		ics:      []string{"67.040", "67.160.10", "67.100.10"}, ccs: []string{"X10", "X62", "X16"}, tag: "绿色有机农畜", tc: "青海省食品标准化技术委员会", dept: "青海省市场监督管理局"},
	{words: []string{"盐湖", "氯化钾", "碳酸锂", "盐湖卤水", "硫酸钾镁肥", "金属镁", "纯碱", "氢氧化锂", "硼酸", "氯化镁", "工业氯化钠", "盐湖提锂", "精制工业盐", "湖盐"},
		suffixes: []string{"生产技术规范", "检验方法", "产品质量要求", "资源动态监测技术规程", "综合能耗限额", "安全生产规范", "化学分析方法", "取样与制样方法", "尾矿综合利用技术规范", "清洁生产评价指标体系"},
		ics:      []string{"71.060.50", "71.060.10", "65.080"}, ccs: []string{"G12", "G11", "G21"}, tag: "盐湖", tc: "青海省盐湖化工标准化技术委员会", dept: "青海省工业和信息化厅"},
	{words: []string{"光伏", "风电", "光热发电", "储能电站", "水电站", "氢能", "充电桩", "特高压输电", "光伏治沙", "分布式光伏", "电化学储能"},
		suffixes: []string{"运行维护规程", "并网技术要求", "检测方法", "建设技术规范", "能效评价方法", "安全运行规范", "验收规范", "监控系统技术规范", "性能评估导则", "碳排放核算方法"},
		ics:      []string{"27.160", "27.180", "27.140"}, ccs: []string{"F12", "F11", "F19"}, tag: "清洁能源", tc: "青海省能源标准化技术委员会", dept: "青海省能源局"},
	{words: []string{"生态旅游", "民宿", "自驾车营地", "旅游景区", "森林康养", "研学旅行", "高原徒步", "乡村旅游", "旅游厕所", "星空营地"},
		suffixes: []string{"服务质量规范", "等级划分与评定", "建设与服务规范", "安全管理规范", "解说服务规范", "评价指南", "管理规范", "游客满意度测评方法"},
		ics:      []string{"03.200", "03.080.30"}, ccs: []string{"A12", "A16"}, tag: "生态旅游", tc: "青海省旅游标准化技术委员会", dept: "青海省文化和旅游厅"},
	{words: []string{"三江源", "草原", "湿地", "祁连山", "青海湖", "国家公园", "沙化土地", "退化草地", "高寒草甸", "黑土滩", "盐碱地", "盐渍化草地"},
		suffixes: []string{"生态监测技术规范", "修复技术规程", "生态保护红线管理规范", "碳汇计量与监测技术规程", "健康评价技术规范", "调查技术规程"},
		ics:      []string{"13.020.40", "13.080"}, ccs: []string{"Z10", "B10"}, tag: "", tc: "青海省生态环境标准化技术委员会", dept: "青海省生态环境厅"},
	{words: []string{"锅炉", "电梯", "压力容器", "压力管道", "起重机械", "客运索道", "大型游乐设施", "气瓶", "场（厂）内专用机动车辆", "燃气锅炉"},
		suffixes: []string{"定期检验规则", "安装验收规范", "使用管理规范", "安全技术规范", "维护保养规程", "能效测试方法", "安全评估导则", "应急处置规范"},
		ics:      []string{"27.060.30", "91.140.90", "23.020.30"}, ccs: []string{"J98", "Q78", "J74"}, tag: "", tc: "青海省特种设备标准化技术委员会", dept: "青海省市场监督管理局"},
	{words: []string{"装配式建筑", "建筑节能", "城镇供水", "污水处理", "清洁取暖", "公路养护", "高原隧道", "农村住房", "绿色建筑", "城市燃气"},
		suffixes: []string{"设计规范", "施工技术规范", "验收标准", "运行维护规程", "评价标准", "技术导则", "检测技术规程"},
		ics:      []string{"91.120.10", "93.080", "13.060"}, ccs: []string{"P32", "P41", "Z20"}, tag: "", tc: "青海省工程建设标准化技术委员会", dept: "青海省住房和城乡建设厅"},
	{words: []string{"藏毯", "唐卡", "昆仑玉", "政务服务", "养老服务", "物业服务", "家政服务", "热贡艺术", "河湟刺绣"},
		suffixes: []string{"质量分级", "服务规范", "等级评定", "通用技术条件", "术语", "工艺技术规程", "评价规范"},
		ics:      []string{"03.080", "59.080.60", "97.195"}, ccs: []string{"A12", "W56", "Y88"}, tag: "", tc: "青海省服务业标准化技术委员会", dept: "青海省市场监督管理局"},
}

var (
	genModifiers  = []string{"高原", "有机", "绿色食品", "柴达木", "海西", "玉树", "果洛", "海南州", "海北", "黄南", "西宁", "海东", "三江源", "环青海湖", "祁连"}
	genParts      = []string{"术语", "通用要求", "技术要求", "检验方法", "评价方法", "管理要求"}
	genAspects    = []string{"术语和定义", "技术要求", "试验方法", "检验规则", "标志、包装、运输和贮存", "质量分级指标", "操作程序", "记录与追溯", "安全要求", "评价方法"}
	genActivities = []string{"生产", "加工", "检验", "管理", "服务", "监测", "评价", "建设", "运行"}
	genPlaces     = []string{"西宁", "海东", "海北", "黄南", "海南", "果洛", "玉树", "海西", "格尔木", "德令哈", "共和", "门源", "互助", "湟中", "大通", "都兰", "乌兰", "贵德", "同仁", "玛沁"}
	genInstitutes = []string{"青海省农林科学院", "青海大学", "青海省畜牧兽医科学院", "青海省标准化研究院", "青海省产品质量检验检测院", "青海省特种设备检验检测院",
		"青海民族大学", "青海师范大学", "中国科学院青海盐湖研究所", "青海省水利水电科学研究院", "青海省环境科学研究设计院", "青海省药品检验检测院",
		"青海省计量检定测试所", "青海省纤维检验局", "青海省地质调查院", "青海省旅游发展研究院"}
	genBusiness = []string{"农牧", "生物科技", "食品", "盐化", "锂业", "新能源", "光伏电力", "电力", "旅游开发", "文化旅游", "牧业", "乳业", "藏药", "建设工程", "特种设备", "水产", "粮油", "枸杞"}
	genBizNames = []string{"昆仑", "祁连", "江河", "雪域", "高原", "青湖", "柴达", "三江", "河湟", "格桑", "卓玛", "金诃", "天峻", "牧歌", "净土", "雪峰", "天佑", "金源", "瑞丰", "恒泰", "汇通", "宏达", "鑫源", "华泰"}
	genSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "马", "韩", "才", "索", "扎西", "周", "吴", "孙", "朱", "郭", "何", "罗", "冶"}
	genGiven    = []string{"明", "华", "军", "芳", "强", "卓玛", "措", "东", "海", "英", "平", "丽", "建国", "秀兰", "才让", "德吉", "文", "新", "青", "宁", "梅", "涛", "斌", "霞"}
	genVariety  = []string{"独一味", "红景天", "藏茵陈", "洪连", "翼首草", "唐古特乌头", "螃蟹甲", "榜嘎", "绿绒蒿", "藏木香", "余甘子", "诃子", "毛诃子", "二十五味松石丸", "七十味珍珠丸", "十味龙胆花颗粒", "仁青芒觉", "坐珠达西", "五味麝香丸", "十五味沉香丸"}
	genGroups   = []string{"QHNX", "QHSPXH", "QHBZH", "QHLYXH", "QHMYXH", "QHNYXH", "QHYHXH", "QHGQXH", "QHTSXH", "QHSCXH", "QHJZXH", "QHWLXH", "QHZYXH", "QHLSXH", "CAS", "CNIA", "CGMA", "CCAA", "CAAA", "CSF"}
	genGroupOrg = map[string]string{"QHNX": "青海省农牧业产业化协会", "QHSPXH": "青海省食品工业协会", "QHBZH": "青海省标准化协会", "QHLYXH": "青海省旅游协会", "QHMYXH": "青海省牦牛产业协会",
		"QHNYXH": "青海省新能源产业协会", "QHYHXH": "青海省盐湖产业协会", "QHGQXH": "青海省枸杞产业协会", "QHTSXH": "青海省特种设备安全协会", "QHSCXH": "青海省水产协会",
		"QHJZXH": "青海省建筑业协会", "QHWLXH": "青海省物流协会", "QHZYXH": "青海省藏医药学会", "QHLSXH": "青海省绿色食品协会", "CAS": "中国标准化协会", "CNIA": "中国有色金属工业协会",
		"CGMA": "中国通用机械工业协会", "CCAA": "中国水泥协会", "CAAA": "中国畜牧业协会", "CSF": "中国服务贸易协会"}
	genSectorDept = map[string]string{"NY/T": "农业农村部", "HG/T": "工业和信息化部", "LY/T": "国家林业和草原局", "SC/T": "农业农村部", "QB/T": "工业和信息化部", "SB/T": "商务部",
		"DZ/T": "自然资源部", "NB/T": "国家能源局", "JB/T": "工业和信息化部", "YS/T": "工业和信息化部", "GA/T": "公安部", "LB/T": "文化和旅游部", "MZ/T": "民政部", "JG/T": "住房和城乡建设部", "WS/T": "国家卫生健康委员会"}
	genProvince = map[string]string{"62": "甘肃省", "54": "西藏自治区", "65": "新疆维吾尔自治区", "64": "宁夏回族自治区", "51": "四川省", "15": "内蒙古自治区", "61": "陕西省", "53": "云南省"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// EnterpriseName is the fictitious enterprise of number n.
func (g *Gen) EnterpriseName(n int) string {
	r := g.rng(7, uint64(n))
	return pick(r, genPlaces) + pick(r, genBizNames) + pick(r, genBusiness) + "有限公司"
}

// entCode is an enterprise's code in its standards' numbers: letters only,
// unique per n.
func entCode(n int) string {
	var b []byte
	for k := 0; k < 4; k++ {
		b = append(b, byte('A'+n%26))
		n /= 26
	}
	return "QH" + string(b)
}

// work is what the editions of one standard share.
type genWork struct {
	topic  genTopic
	title  string
	en     string
	scope  string
	family genFamily
	prefix string
	number string
	years  [2]int
}

func (g *Gen) work(f genFamily, w int) genWork {
	r := g.rng(uint64(f.id+1), uint64(w))
	t := genTopics[r.IntN(len(genTopics))]
	subject := pick(r, t.words)
	suffix := pick(r, t.suffixes)
	title := subject + suffix
	switch x := r.IntN(10); {
	case x < 2:
		title = pick(r, genModifiers) + title
	case x == 2:
		title = "地理标志产品 " + pick(r, genModifiers) + subject
	case x == 3:
		title += " 第" + strconv.Itoa(1+r.IntN(6)) + "部分：" + pick(r, genParts)
	}
	if f.kind == "drug" {
		title = pick(r, []string{"藏药材质量标准 ", "医疗机构制剂质量标准 "}) + pick(r, genVariety)
	}
	scope := fmt.Sprintf("本文件规定了%s%s的%s、%s和%s。本文件适用于%s%s的%s。", subject, strings.TrimSuffix(suffix, "规范"),
		pick(r, genAspects), pick(r, genAspects), pick(r, genAspects), pick(r, genPlaces), subject, pick(r, genActivities))
	wk := genWork{topic: t, title: title, scope: scope, family: f}
	if len(f.prefixes) > 0 {
		wk.prefix = f.prefixes[w%len(f.prefixes)]
		wk.number = strconv.Itoa(f.base + w/len(f.prefixes))
	}
	old := 1990 + r.IntN(24)
	wk.years = [2]int{old, old + 3 + r.IntN(2026-old-2)}
	return wk
}

// Standard returns record i of the generator: an Input as an editor would
// submit it, marked with BenchNote.
func (g *Gen) Standard(i int) Input {
	f, seq := g.family(i)
	r := g.rng(uint64(f.id+1)<<8, uint64(seq))
	var wk genWork
	edition := -1 // 0: the old edition of a work, 1: its current edition, -1: a single edition
	switch {
	case f.editions:
		// Blocks of three: an old (replaced) and a current edition of one
		// work, then a work with a single edition.
		w := 2 * (seq / 3)
		switch seq % 3 {
		case 0, 1:
			edition = seq % 3
		case 2:
			w++
		}
		wk = g.work(f, w)
	default:
		wk = g.work(f, seq)
	}
	in := Input{Title: wk.title, Scope: wk.scope, Status: StatusActive, Note: BenchNote}
	year := wk.years[1]
	if edition == 0 {
		year, in.Status = wk.years[0], StatusReplaced
	} else if !f.editions {
		year = 1998 + r.IntN(29)
		if year < 2010 {
			year = 2010 + r.IntN(17) // group and enterprise standards are mostly recent
		}
	}
	issued := fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28))
	in.Issued = issued
	in.Implemented = addMonths(issued, 1+r.IntN(6))
	if in.Status == StatusActive && r.IntN(100) < 8 {
		in.Status = StatusWithdrawn
	}
	in.ICS = pick(r, wk.topic.ics)
	in.CCS = pick(r, wk.topic.ccs)
	if wk.topic.tag != "" {
		in.Tags = []string{wk.topic.tag}
	}
	units := []string{pick(r, genInstitutes)}
	for k := r.IntN(3); k > 0; k-- {
		units = append(units, g.EnterpriseName(r.IntN(50000)))
	}
	in.DraftingUnits = strings.Join(units, "、")
	var people []string
	for k := 2 + r.IntN(4); k > 0; k-- {
		people = append(people, pick(r, genSurnames)+pick(r, genGiven))
	}
	in.Drafters = strings.Join(people, "、")
	yy := strconv.Itoa(year)
	switch f.kind {
	case "GB", "GB/T":
		in.Code = wk.prefix + " " + wk.number + "—" + yy
		in.Department, in.Publisher = "国家市场监督管理总局", "国家市场监督管理总局 国家标准化管理委员会"
		in.Committee = "全国" + strings.TrimPrefix(wk.topic.tc, "青海省")
	case "sector":
		if year < 2000 && r.IntN(3) == 0 {
			yy = yy[2:] // old two-digit years: LY/T 1172-95
		}
		in.Code = wk.prefix + " " + wk.number + "-" + yy
		in.Department = genSectorDept[wk.prefix]
		in.Publisher = in.Department
		in.Committee = "全国" + strings.TrimPrefix(wk.topic.tc, "青海省")
	case "local", "prefecture":
		in.Code = wk.prefix + " " + wk.number + "—" + yy
		in.Department, in.Publisher, in.Committee = wk.topic.dept, "青海省市场监督管理局", wk.topic.tc
		if f.kind == "prefecture" {
			region := strings.TrimSuffix(strings.TrimPrefix(wk.prefix, "DB"), "/T")
			in.Publisher = Prefectures[region] + "市场监督管理局"
		}
		in.FilingNo = fmt.Sprintf("%d-%04d", year, r.IntN(10000))
		in.FilingDate = addMonths(issued, 1)
	case "province":
		p := genProvince[wk.prefix[2:4]]
		in.Code = wk.prefix + " " + wk.number + "—" + yy
		in.Department, in.Publisher, in.Committee = p+"市场监督管理局", p+"市场监督管理局", strings.Replace(wk.topic.tc, "青海省", p, 1)
	case "group":
		grp := genGroups[seq%len(genGroups)]
		in.Code = "T/" + grp + " " + strconv.Itoa(1+seq/len(genGroups)) + "—" + yy
		in.Publisher = genGroupOrg[grp]
		in.Department = in.Publisher
	case "enterprise":
		// About twenty standards per enterprise; food standards carry an S.
		ent := seq / 20
		num := fmt.Sprintf("%03d", 1+seq%20)
		if wk.topic.ccs[0][0] == 'X' {
			num += "S"
		}
		in.Code = "Q/" + entCode(ent) + " " + num + "—" + yy
		in.Publisher = g.EnterpriseName(ent)
		in.DraftingUnits = in.Publisher
		if in.Status == StatusActive && r.IntN(100) < 7 {
			in.Status = StatusWithdrawn // enterprise standards lapse more often
		}
	case "project":
		in.Status, in.Issued, in.Implemented, in.Scope = StatusProject, "", "", wk.scope
		in.ProjectDate = fmt.Sprintf("%04d-%02d-%02d", 2022+r.IntN(4), 1+r.IntN(12), 1+r.IntN(28))
		in.Department, in.Committee = wk.topic.dept, wk.topic.tc
	case "drug":
		in.Kind = KindDrug
		in.DrugCategory = DrugCategories[0]
		if strings.HasPrefix(wk.title, "医疗机构") {
			in.DrugCategory = DrugCategories[1]
		}
		in.Variety = strings.TrimSpace(wk.title[strings.Index(wk.title, " "):])
		in.Department, in.Publisher = "青海省药品监督管理局", "青海省药品监督管理局"
		in.ICS, in.CCS, in.Tags = "11.120.10", "C23", nil
	}
	if edition == 1 {
		in.Replaces = []string{wk.prefix + " " + wk.number + "—" + strconv.Itoa(wk.years[0])}
		if f.kind == "sector" && wk.years[0] < 2000 {
			// the old edition's code as the generator wrote it
			in.Replaces = []string{g.Standard(f.index(seq - 1)).Code}
		}
	}
	return in
}

// addMonths adds n months to an ISO date, keeping the day (days ≤ 28).
func addMonths(iso string, n int) string {
	y, _ := strconv.Atoi(iso[:4])
	m, _ := strconv.Atoi(iso[5:7])
	m += n
	y += (m - 1) / 12
	m = (m-1)%12 + 1
	return fmt.Sprintf("%04d-%02d-%s", y, m, iso[8:])
}
