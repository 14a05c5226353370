package inspect

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"sidi/internal/creditcode"
)

// genRegions are county codes of Qinghai the generated libraries use.
var genRegions = []string{"630102", "630103", "630104", "630105", "630121", "630202", "630203", "632221", "632301", "632521", "632621", "632723", "632801", "632802"}

// GenCode is the k-th generated credit code (valid check character) in region.
func GenCode(k int, region string) string {
	const alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	var org strings.Builder
	for i, n := 0, k; i < 9; i++ {
		org.WriteByte(alpha[n%31])
		n /= 31
	}
	first := "91" + region + org.String()
	return first + string(creditcode.Check(first))
}

// genRisk spreads the classes roughly as a province's register: most A/B.
func genRisk(k int) string {
	switch h := (k * 2654435761) % 100; {
	case h < 40:
		return "A"
	case h < 80:
		return "B"
	case h < 95:
		return "C"
	default:
		return "D"
	}
}

// WriteEntities writes n generated entities (fictitious, 【演示数据】 when
// demo) as an entity-library CSV.
func WriteEntities(w io.Writer, n int, demo bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, strings.Join([]string{ColCreditCode, ColEntityName, ColRegion, ColType, ColRisk}, ","))
	label := ""
	if demo {
		label = "【演示数据】"
	}
	types := []string{"有限责任公司", "个体工商户", "农民专业合作社", "股份有限公司"}
	for k := 0; k < n; k++ {
		region := genRegions[k%len(genRegions)]
		fmt.Fprintf(bw, "%s,%s测试主体%07d,%s,%s,%s\n", GenCode(k, region), label, k, region, types[k%len(types)], genRisk(k))
	}
	return bw.Flush()
}

// WriteInspectors writes m generated inspectors; every 50th declares a
// conflict with two generated entities (of the n), every 100th has the
// first entity's name as its unit.
func WriteInspectors(w io.Writer, m, n int, demo bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintln(bw, strings.Join([]string{ColCertNo, ColPerson, ColUnit, ColDomain, ColAvoid}, ","))
	label := ""
	if demo {
		label = "【演示数据】"
	}
	for i := 0; i < m; i++ {
		unit := fmt.Sprintf("%s测试市场监管局%02d", label, i%40)
		if i%100 == 99 {
			unit = fmt.Sprintf("%s测试主体%07d", label, 0)
		}
		avoid := ""
		if i%50 == 0 && n > 2 {
			a, b := (i*7919)%n, (i*104729+1)%n
			avoid = GenCode(a, genRegions[a%len(genRegions)]) + ";" + GenCode(b, genRegions[b%len(genRegions)])
		}
		fmt.Fprintf(bw, "QH%06d,%s检查员%04d,%s,市场监管综合执法,%s\n", i+1, label, i+1, unit, avoid)
	}
	return bw.Flush()
}
