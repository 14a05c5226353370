package trademark

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
)

// Gen makes fictitious but valid trademark rows for load tests: the same
// seed gives the same rows.
type Gen struct{ seed uint64 }

// NewGen returns a generator.
func NewGen(seed uint64) *Gen { return &Gen{seed: seed} }

var (
	genWords  = []string{"雪域", "高原", "昆仑", "祁连", "青湖", "柴达木", "三江源", "河湟", "牦牛", "藏羊", "青稞", "枸杞", "冷水", "格桑", "唐蕃", "金银滩", "可可西里", "湟水", "黄河", "日月"}
	genTails  = []string{"", "坊", "源", "谷", "乡", "牧场", "人家", "之星", "红", "宝"}
	genOwners = []string{"食品有限公司", "农牧专业合作社", "生物科技有限公司", "商贸有限公司", "乳业有限公司", "酒业有限公司"}
	genOther  = []string{"110105", "310115", "440305", "510104", "620102", "640104", "650102"}
)

// counties are Qinghai county codes from the directory.
func genRegions() []string {
	var out []string
	for _, p := range org.Prefectures() {
		out = append(out, p.Code)
	}
	for _, c := range []string{"630102", "630121", "632221", "632301", "632521", "632621", "632701", "632801", "632802", "632822"} {
		if _, ok := org.LookupRegion(c); ok {
			out = append(out, c)
		}
	}
	return out
}

// creditCode is a valid code for owner k in region.
func creditCode(k int, region string) string {
	body := fmt.Sprintf("91%s%09d", region, k)
	b := []byte(body)
	for i := 8; i < 17; i++ {
		b[i] = creditcode.Alphabet[int(b[i]-'0')*3%len(creditcode.Alphabet)]
	}
	s := string(b)
	return s + string(creditcode.Check(s))
}

// WriteCSV writes the header and n rows (registration numbers from 1e7).
// About 70 % of the owners are in Qinghai, 1 in 2000 marks has a Madrid
// number, 1 in 50 is cancelled and 1 in 400 is a GI certification mark.
func (g *Gen) WriteCSV(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(kit.Header(ImportColumns)); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(g.seed, 0x7ade))
	qh := genRegions()
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]string, len(ImportColumns))
	for i := range n {
		owner := rng.IntN(5000)
		region := qh[owner%len(qh)]
		if owner%10 >= 7 {
			region = genOther[owner%len(genOther)]
		}
		reg := base.AddDate(0, 0, rng.IntN(9400))
		app := reg.AddDate(0, 0, -90-rng.IntN(400))
		regS := reg.Format(dayLayout)
		term := TermEnd(regS)
		if rng.IntN(4) == 0 {
			term = kit.AddYears(term, 10) // renewed
		}
		c1 := 1 + rng.IntN(45)
		classes := strconv.Itoa(c1)
		if rng.IntN(3) == 0 && c1 < 45 {
			classes += ";" + strconv.Itoa(c1+1)
		}
		kind, gi := "普通", "否"
		if rng.IntN(400) == 0 {
			kind, gi = "证明", "是"
		}
		madrid, status := "", "有效"
		if rng.IntN(2000) == 0 {
			madrid = strconv.Itoa(1200000 + i%800000)
		}
		if rng.IntN(50) == 0 {
			status = "注销（" + kit.AddDays(regS, 365+rng.IntN(2000)) + "）"
		}
		code, name := "", fmt.Sprintf("张%d", owner)
		if owner%5 != 0 {
			code = creditCode(owner, region)
			name = genWords[owner%len(genWords)] + genWords[(owner/20)%len(genWords)] + genOwners[owner%len(genOwners)]
		}
		row[0] = strconv.Itoa(10000000 + i)
		row[1] = genWords[rng.IntN(len(genWords))] + genTails[rng.IntN(len(genTails))]
		row[2] = classes
		row[3] = name
		row[4] = code
		row[5] = region
		row[6] = app.Format(dayLayout)
		row[7] = regS
		row[8] = term
		row[9] = kind
		row[10] = madrid
		row[11] = status
		row[12] = gi
		row[13] = "否"
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
