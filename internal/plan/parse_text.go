package plan

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// ErrEncoding is returned by DecodeText for bytes that are neither UTF-8,
// UTF-16 with a BOM, nor GB18030.
var ErrEncoding = errors.New("text is not UTF-8, UTF-16 or GB18030 (无法识别的文本编码)")

// DecodeText returns the source as UTF-8 text, as Parse reads it: a UTF-8
// BOM is dropped, UTF-16 with a BOM and GB18030 (hence GBK and GB2312, which
// government sites still serve) are converted. Bytes that cannot be decoded
// become U+FFFD and the error is ErrEncoding (wrapped); the text is still
// returned, because a few bad bytes should not lose a whole plan.
func DecodeText(src []byte) (string, error) {
	switch {
	case bytes.HasPrefix(src, []byte{0xEF, 0xBB, 0xBF}):
		src = src[3:]
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}):
		return decodeWith(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), src)
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}):
		return decodeWith(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), src)
	}
	if utf8.Valid(src) {
		return string(src), nil
	}
	if mostlyUTF8(src) {
		// A UTF-8 file cut mid-character or with a few stray bytes: reading
		// it as GB18030 would garble every character, not just the bad ones.
		return strings.ToValidUTF8(string(src), "\uFFFD"), fmt.Errorf("plan: decode: %w", ErrEncoding)
	}
	// GB18030 is a superset of GBK and GB2312, so one decoder covers all three.
	return decodeWith(simplifiedchinese.GB18030, src)
}

// mostlyUTF8 tells UTF-8 with a few broken bytes (a download cut in the
// middle of a character, a stray byte) from another encoding: in GB18030
// Chinese text nearly every character is an invalid UTF-8 sequence, so
// valid multi-byte characters are rare there.
func mostlyUTF8(src []byte) bool {
	valid, runs, lastBad := 0, 0, -1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			if lastBad != i-1 {
				runs++
			}
			lastBad = i
		case size > 1:
			valid++
		}
		i += size
	}
	truncated := runs == 1 && lastBad == len(src)-1 && len(src)-lastBad <= 3
	return valid > 0 && (truncated || runs*20 <= valid)
}

var replacement = []byte("\uFFFD")

func decodeWith(enc encoding.Encoding, src []byte) (string, error) {
	out, err := enc.NewDecoder().Bytes(src)
	if err != nil {
		return strings.ToValidUTF8(string(src), "\uFFFD"), fmt.Errorf("plan: decode: %w", ErrEncoding)
	}
	// The x/text decoders substitute U+FFFD for bytes they cannot map.
	if bytes.Contains(out, replacement) && !bytes.Contains(src, replacement) {
		return strings.ToValidUTF8(string(out), "\uFFFD"), fmt.Errorf("plan: decode: %w", ErrEncoding)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

// normalizeText prepares decoded text for matching while keeping it fit
// for output: line ends become \n, invisible and control characters go,
// every kind of space becomes an ASCII space, full-width digits and Latin
// letters become ASCII (so "２０２５" is a year), and traditional characters
// become simplified. Punctuation is left as written.
func normalizeText(s string) string {
	// NFC folds CJK compatibility ideographs to the unified ones the
	// traditional-to-simplified table and the matchers know.
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\f' || r == '\v':
			b.WriteByte('\n')
		case r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF' || r == '\u00AD':
			// invisible: a BOM in the middle of a file, zero-width joiners
		case r == '\t' || unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.IsControl(r):
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			b.WriteRune(r - '０' + '0')
		default:
			if t, ok := t2s[r]; ok {
				r = t
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// t2s maps traditional characters to simplified ones. It covers the words
// that carry structure in a plan (牵头, 负责, 按职责分工, 到…年, 以上, …),
// department and place names, and the common vocabulary of such documents.
// Only characters that are never themselves standard simplified characters
// are listed, so folding an already simplified text changes nothing.
var t2s = buildT2S(
	// responsibility clauses and the convention sentence
	"牽牵頭头負负責责職职擔担為为單单當当協协參参與与辦办",
	// departments and organisations
	"廳厅發发農农業业財财務务產产標标準准質质監监門门區区縣县級级鄉乡鎮镇團团黨党軍军衛卫藥药醫医療疗"+
		"廣广電电視视聽听傳传網网資资統统計计審审關关國国會会聯联婦妇殘残紅红環环態态應应稅税貿贸"+
		"運运輸输鐵铁園园場场廠厂礦矿鹽盐銀银險险氣气郵邮紀纪檢检營营設设歸归",
	// quantities and targets
	"個个項项萬万億亿兩两達达實实現现餘余過过於于內内幾几雙双數数額额萬万億亿",
	// general vocabulary of work plans
	"將将開开劃划體体係系繫系據据規规範范價价術术權权護护識识誌志認认證证種种華华導导這这們们時时"+
		"對对來来說说後后還还進进動动經经濟济機机構构組组織织勞劳學学調调籌筹驗验測测類类創创優优銷销"+
		"費费購购買买賣卖車车輛辆絡络訊讯庫库線线條条專专層层點点處处災灾廢废棄弃熱热溫温濕湿淨净潔洁"+
		"壩坝橋桥樓楼館馆圖图書书報报紙纸聞闻藝艺遊游觀观覽览歷历曆历遺遗績绩題题問问議议論论評评許许"+
		"執执則则貫贯徹彻總总記记習习強强興兴維维穩稳結结隊队倉仓儲储備备預预訴诉訟讼獎奖勵励補补貼贴"+
		"貸贷錢钱幣币債债決决帳帐賬账戶户號号碼码簽签訂订約约齊齐壓压緊紧細细揮挥續续擴扩張张驅驱針针"+
		"頂顶試试圍围邊边繞绕盤盘歡欢讓让爭争獲获嚴严厲厉擊击懲惩罰罚違违盜盗偽伪漲涨飛飞遞递貨货裝装"+
		"儀仪語语詞词匯汇彙汇稱称簡简並并誰谁麼么嗎吗雖虽卻却從从給给無无沒没別别須须該该隨随間间兒儿"+
		"歲岁齡龄貧贫脫脱漁渔飼饲養养糧粮麥麦穀谷製制飲饮釀酿醬酱麵面葉叶蟲虫魚鱼鳥鸟馬马豬猪雞鸡犛牦"+
		"龍龙鳳凤龜龟蝦虾貝贝蠶蚕絲丝綢绸紡纺鋼钢銅铜鋁铝鋅锌鎂镁鋰锂鉀钾鈉钠鈣钙錳锰鎳镍鈷钴鉛铅錫锡"+
		"風风變变鍋锅爐炉閥阀軌轨閘闸灣湾島岛嶺岭峽峡灘滩澤泽涼凉凍冻雲云霧雾陽阳陰阴東东員员舉举踐践"+
		"驟骤階阶節节綜综幫帮註注冊册隱隐響响塊块鏈链終终軟软頁页領领桿杆講讲話话確确況况溝沟轉转換换"+
		"勢势積积極极韌韧聖圣礎础鞏巩綠绿藍蓝黃黄顏颜僅仅儘尽盡尽雜杂靈灵戰战亞亚滿满攜携鑑鉴鑒鉴檔档"+
		"錄录陸陆陝陕寧宁夠够蘭兰爾尔瑪玛薩萨烏乌裡里裏里臺台颱台隻只衝冲復复複复週周佈布鬥斗"+
		"級级網网優优質质環环區区縣县鎮镇鄉乡"+
		"準准劃划線线圖图書书畫画廣广響响屬属帶带處处範范奮奋鬧闹構构齡龄憑凭緣缘願愿權权歐欧"+
		"勝胜資资讀读談谈請请謝谢課课訓训練练認认識识證证計计設设詳详誤误謀谋諮咨詢询議议論论"+
		"總总樣样標标檢检權权樹树橫横權权殺杀毀毁氫氢淺浅漢汉滅灭災灾燈灯營营獨独獻献環环產产畢毕"+
		"盧卢眾众確确礙碍禮礼禍祸積积穩稳筆笔節节範范築筑簡简糾纠紀纪約约紅红純纯紙纸級级納纳紐纽"+
		"組组細细終终經经綠绿維维綱纲網网緒绪練练縮缩績绩織织繼继續续羅罗義义習习聲声職职膽胆臟脏艦舰"+
		"莊庄華华萬万葉叶藥药蘇苏蟲虫衛卫裝装複复見见規规視视親亲覺觉觀观訂订計计記记訪访設设許许評评"+
		"試试詩诗話话該该語语誠诚誤误說说調调論论諸诸謂谓證证譜谱護护讀读變变貴贵費费資资賽赛趕赶"+
		"趨趋跡迹蹤踪車车軌轨軍军載载輔辅輕轻輪轮輯辑輸输轄辖辦办農农邊边遠远適适遲迟選选遺遗還还邁迈"+
		"鄭郑鄰邻醫医釋释針针鈴铃銳锐錯错鍵键鎖锁鏡镜長长門门閉闭開开閒闲閱阅闆板隊队陰阴陳陈陸陆險险"+
		"隨随隱隐雞鸡離离難难電电靜静響响頁页順顺須须預预領领頻频題题額额顏颜願愿類类顧顾風风飛飞飯饭"+
		"飽饱館馆駐驻騎骑驗验體体髮发鬆松鮮鲜鳥鸟麗丽黨党齊齐齒齿龍龙編编網网遼辽寧宁",
)

// buildT2S reads pairs of runes "繁简繁简…". A pair whose two halves are
// equal (a character with no traditional form that slipped in) is skipped.
func buildT2S(groups ...string) map[rune]rune {
	m := make(map[rune]rune, 1024)
	for _, g := range groups {
		rs := []rune(g)
		for i := 0; i+1 < len(rs); i += 2 {
			if rs[i] != rs[i+1] {
				m[rs[i]] = rs[i+1]
			}
		}
	}
	return m
}
