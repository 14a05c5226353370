package equipment

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/kit"
	"sidi/internal/telemetry"
)

// The equipment code (设备代码) is 18 characters: the catalogue code of the
// equipment's 品种 (or, for equipment the catalogue does not break down,
// its 类别 or 种类) in 4, the maker's code in 5, the year of manufacture in
// 4 and the maker's serial number in 5 (DOMAIN §6; TSG 08-2017 附件).

// CodeLen is the length of an equipment code.
const CodeLen = 18

//go:embed testdata/catalogue-2014-114.tsv
var catalogueTSV string

// Catalogue maps the codes of the 特种设备目录 (2014年第114号公告) to their
// names; it is read from the checked-in list with its source address.
var Catalogue = func() map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(catalogueTSV, "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 4 {
			panic("equipment: catalogue line " + strconv.Quote(line))
		}
		out[code] = name
	}
	return out
}()

// TypeOfCatalogue is the register's type of a catalogue code's 种类 (its
// first character). Gas cylinders and oxygen chambers are pressure vessels.
var TypeOfCatalogue = map[byte]string{
	'1': telemetry.TypeBoiler, '2': telemetry.TypePressureVessel, '3': telemetry.TypeElevator, '4': telemetry.TypeCrane,
	'5': telemetry.TypeVehicle, '6': telemetry.TypeRide, '8': telemetry.TypePressurePiping, '9': telemetry.TypeRopeway,
}

// Code is a checked equipment code and its parts.
type Code struct {
	Full      string
	Catalogue string // 4: 设备品种代码
	Maker     string // 5: 制造单位代码
	Year      int    // 制造年份
	Serial    string // 5: 制造顺序号
}

// ParseCode checks an equipment code: 18 characters after trimming and
// upper-casing (full-width letters and digits are folded), the first four a
// code of the catalogue, the maker's code five letters or digits, the year
// of manufacture between 1950 and maxYear, the serial five digits, not all
// zero. The error is in Chinese and names the part that is wrong.
func ParseCode(s string, maxYear int) (Code, error) {
	s = foldWidth(strings.TrimSpace(s))
	s = strings.ToUpper(s)
	n := len([]rune(s))
	if n != CodeLen || len(s) != CodeLen {
		if n == 20 {
			return Code{}, fmt.Errorf("设备代码应为 18 位，“%s”为 20 位（像是旧的注册代码，请填写设备代码）", kit.ClipRunes(s, 30))
		}
		return Code{}, fmt.Errorf("设备代码应为 18 位（品种代码 4 位 + 制造单位代码 5 位 + 制造年份 4 位 + 顺序号 5 位），“%s”为 %d 位", kit.ClipRunes(s, 30), n)
	}
	c := Code{Full: s, Catalogue: s[:4], Maker: s[4:9], Serial: s[13:]}
	if _, ok := Catalogue[c.Catalogue]; !ok {
		return Code{}, fmt.Errorf("设备代码前 4 位“%s”不是《特种设备目录》中的设备代码", c.Catalogue)
	}
	for i := 0; i < len(c.Maker); i++ {
		if !isDigit(c.Maker[i]) && (c.Maker[i] < 'A' || c.Maker[i] > 'Z') {
			return Code{}, fmt.Errorf("设备代码第 5—9 位（制造单位代码）“%s”只能是字母或数字", c.Maker)
		}
	}
	for i := 9; i < 18; i++ {
		if !isDigit(s[i]) {
			return Code{}, fmt.Errorf("设备代码第 10—18 位（制造年份和顺序号）“%s”只能是数字", s[9:])
		}
	}
	c.Year, _ = strconv.Atoi(s[9:13])
	if c.Year < 1950 || c.Year > maxYear {
		return Code{}, fmt.Errorf("设备代码第 10—13 位（制造年份）%d 不在 1950—%d 之间", c.Year, maxYear)
	}
	if c.Serial == "00000" {
		return Code{}, fmt.Errorf("设备代码最后 5 位（顺序号）不能为 00000")
	}
	return c, nil
}

// Type is the register's equipment type of the code.
func (c Code) Type() string { return TypeOfCatalogue[c.Catalogue[0]] }

// CatalogueName is the catalogue's name of the code's 品种.
func (c Code) CatalogueName() string { return Catalogue[c.Catalogue] }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// foldWidth folds full-width ASCII (Ａ, １) to ASCII, as codes are often
// typed with a Chinese input method.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		return r
	}, s)
}
