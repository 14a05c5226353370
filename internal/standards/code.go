// Package standards is the standards information platform: the code parser,
// the registry of standards with the local-standard lifecycle, release
// announcements, drug-standard varieties, the public search over them, the
// spreadsheet import and the live metrics registered with the indicator
// engine.
package standards

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Families of standard codes.
const (
	FamilyNational   = "national"
	FamilySector     = "sector"
	FamilyLocal      = "local"
	FamilyGroup      = "group"
	FamilyEnterprise = "enterprise"
	FamilyUnknown    = "unknown"
)

// FamilyLabels are the Chinese names of the families.
var FamilyLabels = map[string]string{
	FamilyNational: "国家标准", FamilySector: "行业标准", FamilyLocal: "地方标准",
	FamilyGroup: "团体标准", FamilyEnterprise: "企业标准", FamilyUnknown: "其他",
}

// Code is a parsed standard code. Normalized is the stable key (NFKC, every
// dash as "-", no spaces, upper case); Display is the form printed on the
// standard's cover (a space after the prefix, an em dash before the year).
type Code struct {
	Input      string `json:"input"`
	Normalized string `json:"normalized"`
	Display    string `json:"display"`
	Family     string `json:"family"`
	Prefix     string `json:"prefix"`
	Region     string `json:"region"`
	Number     string `json:"number"`
	Year       int    `json:"year"`
	Amendment  string `json:"amendment"`
	Adopted    string `json:"adopted"`
	Valid      bool   `json:"valid"`
	Error      string `json:"error"`
	// Suggestion is the code the input probably meant when it is damaged in
	// a recognisable way (DB63/T 9242019 → DB63/T 924—2019).
	Suggestion string `json:"suggestion,omitempty"`
}

// clean folds width (NFKC), maps dashes to "-", drops every space and
// upper-cases; the result is what the grammar below reads.
func clean(s string) string {
	if plainASCII(s) {
		return cleanASCII(s)
	}
	s = fold(s)
	if strings.Contains(s, "一") { // most text has none: skip the regexp
		s = reOneDash.ReplaceAllString(s, "$1-$2")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	// "--" from a doubled em dash ("——") counts as one dash.
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return s
}

// plainASCII reports whether s is ASCII without "~": NFKC leaves such a
// string as it is and replaceDashes has nothing in it to replace (its
// other runes are not ASCII), so the fast paths below may skip both — an
// import reads a code, dates and classifiers in every row, and those two
// were most of the row's parsing.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == '~' {
			return false
		}
	}
	return true
}

// cleanASCII is clean of a plainASCII string: ASCII spaces (those
// unicode.IsSpace knows) dropped, letters upper-cased, "--" made "-".
func cleanASCII(s string) string {
	change := false
	for i := 0; i < len(s) && !change; i++ {
		c := s[i]
		change = asciiSpace(c) || 'a' <= c && c <= 'z' || c == '-' && i+1 < len(s) && s[i+1] == '-'
	}
	if !change {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case asciiSpace(c):
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c == '-' && len(b) > 0 && b[len(b)-1] == '-':
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// asciiSpace is unicode.IsSpace of an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// reSpaceRE2 are the bytes of RE2's \s.
const reSpaceRE2 = "\t\n\f\r "

var (
	reNumber = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)*)(?:-([0-9]{4}|[0-9]{2}))?`)
	// An enterprise code ends in a letter and may have hyphenated parts
	// (Q/370300 TSMJ-BZ 202—2020, as published lists print it).
	reEntNum = regexp.MustCompile(`^([A-Z0-9]*[A-Z](?:-[A-Z0-9]*[A-Z])*)([0-9][0-9.]*[A-Z]?)(?:-([0-9]{4}|[0-9]{2}))?$`)
	// reEntDashed: a hyphen between the enterprise code and the number,
	// read as the space it stands for, when the year follows
	// (Q/370300 TSMJ-BZ-202-2020).
	reEntDashed  = regexp.MustCompile(`^([A-Z0-9]*[A-Z](?:-[A-Z0-9]*[A-Z])*)-([0-9][0-9.]*[A-Z]?)-([0-9]{4}|[0-9]{2})$`)
	reEntTail    = regexp.MustCompile(`^([0-9][0-9.]*[A-Z]?)(?:-([0-9]{4}|[0-9]{2}))?$`)
	reEntCode    = regexp.MustCompile(`^[A-Z0-9]*[A-Z](?:-[A-Z0-9]*[A-Z])*$`)
	reSpacedDash = regexp.MustCompile(`\s*-+\s*`)
	reAmend      = regexp.MustCompile(`^XG([0-9]+)(?:-([0-9]{4}|[0-9]{2}))?`)
	reAdopted    = regexp.MustCompile(`^([A-Z]+(?:/[A-Z]+)*)([0-9][0-9.\-]*(?::[0-9]{4})?(?:\+A[0-9]+(?::[0-9]{4})?)*)$`)
	reLocal      = regexp.MustCompile(`^DB([0-9]{2}(?:[0-9]{2})?)(/T|/Z|T|/)?`)
	reSector     = regexp.MustCompile(`^[A-Z]{2,}`)
	reSpaceYear  = regexp.MustCompile(`^([^-]*?[0-9])\s+((?:19|20)[0-9]{2}|[0-9]{2})(\s*/.*)?$`)
	// 一 (the ideograph "one") typed or extracted from a PDF for the dash
	// between number and year: GB/T 39389一2020.
	reOneDash     = regexp.MustCompile(`([0-9])\s*一\s*([0-9])`)
	reDashYear    = regexp.MustCompile(`^-([0-9]{4}|[0-9]{2})`)
	reRunYear     = regexp.MustCompile(`^([0-9]{2,5})((?:19|20)[0-9]{2})$`)
	reRunYearPart = regexp.MustCompile(`^([0-9]{1,3})((?:19|20)[0-9]{2})$`)
	reGroup       = regexp.MustCompile(`^T/([A-Z][A-Z0-9]*?)([0-9])`)
	reICS         = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{3}(\.[0-9]{2})?)?$`)
	reCCS         = regexp.MustCompile(`^[A-HJ-NP-Z][0-9]{2}$`)
	provinceOK    = map[string]bool{}
)

func init() {
	for _, p := range []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"} {
		provinceOK[p] = true
	}
}

// Prefectures are Qinghai's prefecture-level region codes for DB63xx codes.
var Prefectures = map[string]string{
	"6301": "西宁市", "6302": "海东市", "6322": "海北藏族自治州", "6323": "黄南藏族自治州",
	"6325": "海南藏族自治州", "6326": "果洛藏族自治州", "6327": "玉树藏族自治州", "6328": "海西蒙古族藏族自治州",
}

// ParseCode parses and normalises a standard code. It never panics; a code
// it cannot read comes back with Valid false and a Chinese Error.
func ParseCode(input string) Code {
	c := Code{Input: input, Family: FamilyUnknown}
	s := clean(spaceYear(input))
	if s == "" {
		c.Error = "标准号为空"
		return c
	}
	// The national platform writes the adopted international standard after
	// a slash: GB/T 19001-2016/ISO 9001:2015. Amendments: …/XG1-2006.
	var rest string
	switch {
	case strings.HasPrefix(s, "GB/T"), strings.HasPrefix(s, "GB/Z"):
		c.Family, c.Prefix, rest = FamilyNational, s[:4], s[4:]
	case strings.HasPrefix(s, "GBT") && len(s) > 3 && s[3] >= '0' && s[3] <= '9':
		// "GBT 7714-2005" and "GB T 7714 2005" (the slash left out).
		c.Family, c.Prefix, rest = FamilyNational, "GB/T", s[3:]
	case strings.HasPrefix(s, "GBZ/T"):
		// GBZ is the occupational-health series, not GB/Z guidance.
		c.Family, c.Prefix, rest = FamilyNational, "GBZ/T", s[5:]
	case strings.HasPrefix(s, "GBZ"):
		c.Family, c.Prefix, rest = FamilyNational, "GBZ", s[3:]
	case strings.HasPrefix(s, "GB") && len(s) > 2 && s[2] >= '0' && s[2] <= '9':
		c.Family, c.Prefix, rest = FamilyNational, "GB", s[2:]
	case strings.HasPrefix(s, "GB/") && len(s) > 3 && s[3] >= '0' && s[3] <= '9':
		c.Family, c.Prefix, rest = FamilyNational, "GB", s[3:]
	case strings.HasPrefix(s, "T/"):
		m := reGroup.FindStringSubmatch(s)
		if m == nil {
			c.Error = "团体标准号应为 T/团体代号 顺序号—年号，如 T/QHNX 59—2024"
			return c
		}
		c.Family, c.Prefix, rest = FamilyGroup, "T/"+m[1], s[len("T/")+len(m[1]):]
	case strings.HasPrefix(s, "Q/"):
		return parseEnterprise(c, input, s)
	case reLocal.MatchString(s):
		m := reLocal.FindStringSubmatch(s)
		c.Family, c.Region = FamilyLocal, m[1]
		kind := m[2]
		switch kind {
		case "T", "/T":
			c.Prefix = "DB" + m[1] + "/T"
		case "/Z":
			c.Prefix = "DB" + m[1] + "/Z"
		case "/":
			c.Prefix = "DB" + m[1] + "/"
		default:
			c.Error = "地方标准号在行政区划代码后缺少“/”，应为 DB63/T 或 DB63/"
			return finishInvalid(c)
		}
		rest = s[len(m[0]):]
		if !provinceOK[c.Region[:2]] {
			c.Error = "地方标准代号中的行政区划代码“" + c.Region + "”无效"
			return finishInvalid(c)
		}
	case reSector.MatchString(s):
		var ok bool
		if c, rest, ok = sectorPrefix(c, s); !ok {
			return finishInvalid(c)
		}
	default:
		c.Error = "无法识别的标准代号（应为 GB、GB/T、行业代号、DB63/T、T/、Q/ 等）"
		return c
	}
	if strings.HasPrefix(rest, "/") && c.Family == FamilyNational {
		rest = rest[1:]
	}
	letter := ""
	if letterNumbers[c.Prefix] && rest != "" && rest[0] >= 'A' && rest[0] <= 'H' {
		// Highway codes put a class letter before the number: JTG D60-2015.
		letter, rest = rest[:1], rest[1:]
	}
	m := reNumber.FindStringSubmatch(rest)
	if m == nil {
		c.Error = "标准代号后缺少顺序号"
		return finishInvalid(c)
	}
	c.Number = letter + m[1]
	yearText := m[2]
	rest = rest[len(m[0]):]
	if letterNumbers[c.Prefix] && len(yearText) == 2 {
		// JTG/T D31-02-2013, JTG/T 3381-02-2020: "-02" is part of the
		// number when a year follows.
		if y := reDashYear.FindStringSubmatch(rest); y != nil {
			c.Number += "-" + yearText
			yearText, rest = y[1], rest[len(y[0]):]
		}
	}
	if yearText != "" {
		c.Year = fullYear(yearText)
	} else if fixed, ok := runTogether(c, rest); ok {
		c.Error = "编号与年代号连在一起，是否为 " + fixed + "？"
		c.Suggestion = fixed
		return finishInvalid(c)
	}
	if !parseTail(&c, rest) {
		return finishInvalid(c)
	}
	c.Valid = true
	c.Normalized = c.Prefix + c.Number
	c.Display = c.Prefix + " " + c.Number
	if c.Family == FamilyLocal && strings.HasSuffix(c.Prefix, "/") {
		c.Display = c.Prefix + c.Number
	}
	if yearText != "" {
		c.Normalized += "-" + yearText
		c.Display += "—" + yearText
	}
	if c.Amendment != "" {
		c.Normalized += "/" + c.Amendment
		c.Display += "/" + c.Amendment
	}
	if c.Adopted != "" {
		c.Normalized += "/" + strings.ReplaceAll(c.Adopted, " ", "")
		c.Display += "/" + c.Adopted
	}
	return c
}

// spaceYear turns a space between number and year into a dash when the last
// group is a plausible year (DB63/T858 2009, GB T 8151.1 2000, GBJ 16 87).
// Enterprise codes keep their spaces: they have their own reading.
func spaceYear(input string) string {
	s := strings.TrimSpace(fold(input))
	if !strings.ContainsAny(s, reSpaceRE2) || strings.HasPrefix(strings.ToUpper(s), "Q/") {
		return input
	}
	m := reSpaceYear.FindStringSubmatch(s)
	if m == nil {
		return input
	}
	return m[1] + "-" + m[2] + m[3]
}

// runTogether reports whether a number without a year is a number and a
// year typed without the dash (DB63/T 9242019), and returns the code it
// probably meant in display form. Numbers of standards have at most five
// digits before any dot, so six or more digits ending in 19xx/20xx
// (SL 232019, DB63/T 9242019) are read as damaged rather than accepted.
func runTogether(c Code, rest string) (string, bool) {
	head, last, re := "", c.Number, reRunYear
	if i := strings.LastIndex(c.Number, "."); i >= 0 {
		head, last, re = c.Number[:i+1], c.Number[i+1:], reRunYearPart
	}
	m := re.FindStringSubmatch(last)
	if m == nil {
		return "", false
	}
	d := ParseCode(c.Prefix + " " + head + m[1] + "-" + m[2] + rest)
	if !d.Valid {
		return "", false
	}
	return d.Display, true
}

// sectorCodes are the registered sector-standard codes (行业标准代号) with
// the engineering-construction codes of three letters and the old national
// engineering code GBJ; the value is the family. A code is read by its
// longest registered prefix, so JGJ is not JG and CJJ is not CJ.
var sectorCodes = func() map[string]string {
	m := map[string]string{}
	for _, c := range strings.Fields(`AQ BB CB CH CJ CY DA DB DL DZ EJ FZ GA GH GM GY HB HG HJ HS HY JB JC JG JR JT JY
		LB LD LS LY MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD TY WB WH WJ WM WS WW XB XF YB YC YD
		YJ YS YY YZ ZY CJJ JGJ JTG JTJ SDJ DLJ YSJ`) {
		m[c] = FamilySector
	}
	// GBJ: national engineering standards before 1990s (GBJ 16-87);
	// JJG/JJF: national metrological verification regulations and specifications.
	for _, c := range []string{"GBJ", "JJG", "JJF"} {
		m[c] = FamilyNational
	}
	return m
}()

// letterNumbers are the prefixes whose numbers may begin with a class letter.
var letterNumbers = map[string]bool{"JTG": true, "JTG/T": true}

// sectorPrefix reads a sector code: the longest registered code at the start
// of s, then /T or /Z (also typed without the slash: DLT 5190, JGJ T 130).
func sectorPrefix(c Code, s string) (Code, string, bool) {
	run := reSector.FindString(s)
	code := ""
	for n := min(len(run), 4); n >= 2; n-- {
		if _, ok := sectorCodes[run[:n]]; ok {
			code = run[:n]
			break
		}
	}
	if code == "" {
		c.Family = FamilySector
		switch {
		case strings.HasPrefix(run, "GB"):
			c.Error = "国家标准代号应为 GB、GB/T 或 GB/Z"
		default:
			c.Error = "“" + run + "”不是已登记的行业标准代号"
		}
		return c, "", false
	}
	c.Family, c.Prefix = sectorCodes[code], code
	rest := s[len(code):]
	switch {
	case strings.HasPrefix(rest, "/T"), strings.HasPrefix(rest, "/Z"):
		c.Prefix, rest = code+rest[:2], rest[2:]
	case strings.HasPrefix(rest, "T") && len(run) > len(code):
		c.Prefix, rest = code+"/T", rest[1:]
	case strings.HasPrefix(rest, "/"):
		rest = rest[1:]
	}
	if code == "DB" && c.Prefix == "DB" {
		c.Error = "DB 之后应为行政区划代码（地方标准，如 DB63/T）或 /T（地震行业标准 DB/T）"
		return c, "", false
	}
	return c, rest, true
}

// parseTail reads the optional amendment and adoption after the year.
func parseTail(c *Code, rest string) bool {
	for rest != "" {
		if !strings.HasPrefix(rest, "/") {
			c.Error = "标准号末尾有无法识别的内容“" + rest + "”"
			return false
		}
		rest = rest[1:]
		if m := reAmend.FindStringSubmatch(rest); m != nil && c.Amendment == "" && c.Adopted == "" {
			c.Amendment = m[0]
			rest = rest[len(m[0]):]
			continue
		}
		if c.Adopted != "" {
			c.Error = "标准号末尾有无法识别的内容“/" + rest + "”"
			return false
		}
		m := reAdopted.FindStringSubmatch(rest)
		if m == nil {
			c.Error = "采用的国际标准号“" + rest + "”无法识别"
			return false
		}
		c.Adopted = m[1] + " " + m[2]
		rest = ""
	}
	return true
}

func parseEnterprise(c Code, input, s string) Code {
	c.Family = FamilyEnterprise
	// With spaces, the enterprise code is everything before the last field;
	// it must end in a letter so that the key (which has no spaces) reads
	// back the same way.
	orig := enterpriseText(input)
	if i := strings.Index(orig, "/"); i >= 0 {
		fields := strings.Fields(orig[i+1:])
		if n := len(fields); n >= 2 {
			code := strings.ToUpper(strings.Join(fields[:n-1], ""))
			if m := reEntTail.FindStringSubmatch(strings.ToUpper(fields[n-1])); m != nil && reEntCode.MatchString(code) {
				return finishEnterprise(c, code, m[1], m[2])
			}
		}
	}
	m := reEntNum.FindStringSubmatch(s[2:])
	if m == nil {
		m = reEntDashed.FindStringSubmatch(s[2:])
	}
	if m == nil {
		c.Error = "企业标准号应为 Q/企业代号 顺序号—年号"
		return finishInvalid(c)
	}
	return finishEnterprise(c, m[1], m[2], m[3])
}

// enterpriseText is an enterprise code as typed, width folded, every
// dash "-" and the spaces around dashes dropped: its spaces elsewhere
// separate the enterprise code from the number.
func enterpriseText(input string) string {
	return spacedDash(fold(input))
}

// fold folds width (NFKC) and maps dash-like runes (replaceDashes); a
// plainASCII string is already folded.
func fold(s string) string {
	if plainASCII(s) {
		return s
	}
	return replaceDashes(norm.NFKC.String(s))
}

// spacedDash is reSpacedDash.ReplaceAllString(s, "-") by hand: each match,
// the RE2 spaces before a run of dashes, the run and the spaces after it,
// becomes one "-".
func spacedDash(s string) string {
	if !strings.Contains(s, "-") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if j := i + len(s[i:]) - len(strings.TrimLeft(s[i:], reSpaceRE2)); j < len(s) && s[j] == '-' {
			b = append(b, '-')
			for j < len(s) && s[j] == '-' {
				j++
			}
			i = j + len(s[j:]) - len(strings.TrimLeft(s[j:], reSpaceRE2))
			continue
		}
		b = append(b, s[i])
		i++
	}
	return string(b)
}

// replaceDashes maps every dash-like rune people type between number and
// year to "-" and the full-width ／：．and 。to / : . — a rune at a time,
// and s itself when none is in it (a strings.Replacer of these was the
// larger part of cleaning a code).
func replaceDashes(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var to byte
		switch r {
		case '—', '–', '‐', '‑', '‒', '―', '−', '﹣', '－', '～', '〜', '~':
			to = '-'
		case '／':
			to = '/'
		case '：':
			to = ':'
		case '．', '。':
			to = '.'
		default:
			if b != nil {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)), s[:i]...)
		}
		b = append(b, to)
		i += size
	}
	if b == nil {
		return s
	}
	return string(b)
}

func finishEnterprise(c Code, code, number, year string) Code {
	c.Prefix, c.Number = "Q/"+code, number
	c.Normalized, c.Display = c.Prefix+c.Number, c.Prefix+" "+c.Number
	if year != "" {
		c.Year = fullYear(year)
		c.Normalized += "-" + year
		c.Display += "—" + year
	}
	c.Valid = true
	return c
}

func finishInvalid(c Code) Code {
	c.Valid = false
	c.Normalized, c.Display = "", ""
	return c
}

// fullYear reads a two-digit year of an old code (LY/T 1172-95 → 1995).
func fullYear(y string) int {
	n, _ := strconv.Atoi(y)
	if len(y) == 2 {
		if n >= 50 {
			return 1900 + n
		}
		return 2000 + n
	}
	return n
}

// NormalizeCode returns the normalised key of a valid code, or "".
func NormalizeCode(s string) string { return ParseCode(s).Normalized }

// ValidICS reports whether s is an ICS code (NN, NN.NNN or NN.NNN.NN).
func ValidICS(s string) bool { return reICS.MatchString(s) }

// ValidCCS reports whether s is a CCS code: one letter other than I and O,
// then two digits (B43).
func ValidCCS(s string) bool { return reCCS.MatchString(s) }

// CleanClassifier folds width and case of an ICS or CCS code as typed.
func CleanClassifier(s string) string { return clean(s) }
