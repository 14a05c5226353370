package patent

import (
	"fmt"
	"strings"
)

// NumberRuleSource is where the check-digit rule of CNIPA application
// numbers was read (kept with the real examples in testdata/numbers.txt):
// the twelve digits (eight before October 2003) are multiplied in turn by
// 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, summed, and the sum taken modulo 11;
// a remainder of 10 is written X. A granted patent is "ZL" + the number.
const NumberRuleSource = "http://dfrtw.com/zhuanlichaxun/31487.html（12 位新号规则与例 201710601862.3）；http://chengju.com/wenhua/33720.html（8 位旧号规则与例 95115608.X）"

var weights = [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}

// CheckDigit returns the check character of the digits of an application
// number (8 or 12 digits).
func CheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum += int(digits[i]-'0') * weights[i]
	}
	if r := sum % 11; r < 10 {
		return byte('0' + r)
	}
	return 'X'
}

// halfWidth maps full-width digits, letters and points (common in files
// typed with a Chinese input method) to ASCII.
func halfWidth(r rune) rune {
	switch {
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
		return r - 0xFEE0
	case r == '．' || r == '。':
		return '.'
	}
	return r
}

// ParseNumber checks an invention patent's application or patent number
// and returns it normalised ("202110123456.7"; old numbers "95115608.X").
// It accepts a leading ZL or CN, spaces, full-width characters and a
// missing point; the type digit must be 1 (invention) or 8 (PCT invention).
func ParseNumber(s string) (string, error) {
	v := strings.ToUpper(strings.Map(halfWidth, strings.Join(strings.Fields(s), "")))
	v = strings.TrimPrefix(strings.TrimPrefix(v, "ZL"), "CN")
	if v == "" {
		return "", fmt.Errorf("专利号不能为空")
	}
	body, check := v, byte(0)
	if i := strings.IndexByte(v, '.'); i >= 0 {
		body = v[:i]
		if len(v) != i+2 {
			return "", fmt.Errorf("专利号“%s”格式无效：小数点后应为一位校验位", s)
		}
		check = v[i+1]
	} else if len(v) == 13 || len(v) == 9 {
		body, check = v[:len(v)-1], v[len(v)-1]
	}
	if len(body) != 12 && len(body) != 8 {
		return "", fmt.Errorf("专利号“%s”格式无效：应为 12 位（2003 年 10 月前为 8 位）数字加一位校验位，如 ZL202110123456.7", s)
	}
	for i := 0; i < len(body); i++ {
		if body[i] < '0' || body[i] > '9' {
			return "", fmt.Errorf("专利号“%s”格式无效：含非数字字符", s)
		}
	}
	if check == 0 {
		return "", fmt.Errorf("专利号“%s”缺少校验位", s)
	}
	typ := body[4]
	if len(body) == 8 {
		typ = body[2]
	}
	if typ != '1' && typ != '8' {
		return "", fmt.Errorf("专利号“%s”不是发明专利：类型位为 %c（发明应为 1，PCT 发明应为 8）", s, typ)
	}
	if len(body) == 12 && (body[:2] != "19" && body[:2] != "20") {
		return "", fmt.Errorf("专利号“%s”的申请年份 %s 无效", s, body[:4])
	}
	if want := CheckDigit(body); check != want {
		return "", fmt.Errorf("专利号“%s”校验位错误：应为 %c", s, want)
	}
	return body + "." + string(check), nil
}
