package evalmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// DemoCode is the code of the demo model.
const DemoCode = "DEMO-YHHG"

// DemoTree is a plausible salt-lake chemical indicator tree (资源利用,
// 安全环保, 质量, 标准化, 创新) for the demo; it is not an official system.
const DemoTree = `R,资源利用,,,
R1,钾资源综合回收率,R,正向,%
R2,锂资源综合回收率,R,正向,%
R3,单位产品综合能耗,R,负向,kgce/t
R4,工业用水重复利用率,R,正向,%
S,安全环保,,,
S1,生产安全事故起数,S,负向,起
S2,老卤综合利用率,S,正向,%
S3,环保行政处罚次数,S,负向,次
Q,质量,,,
Q1,产品监督抽查合格率,Q,正向,%
Q2,质量投诉件数,Q,负向,件
Q3,质量管理体系有效认证数,Q,正向,项
B,标准化,,,
B1,主导或参与制修订标准数,B,正向,项
B2,企业标准自我声明公开数,B,正向,项
I,创新,,,
I1,研发投入强度,I,正向,%
I2,有效发明专利数,I,正向,件
`

// demoJudgements are the demo's pairwise comparisons (all consistent).
var demoJudgements = []struct {
	group string
	m     [][]float64
}{
	{"", [][]float64{{1, 0.5, 2, 3, 2}, {2, 1, 2, 4, 3}, {0.5, 0.5, 1, 2, 1}, {1.0 / 3, 0.25, 0.5, 1, 0.5}, {0.5, 1.0 / 3, 1, 2, 1}}},
	{"R", [][]float64{{1, 1, 3, 2}, {1, 1, 3, 2}, {1.0 / 3, 1.0 / 3, 1, 0.5}, {0.5, 0.5, 2, 1}}},
	{"S", [][]float64{{1, 3, 2}, {1.0 / 3, 1, 0.5}, {0.5, 2, 1}}},
	{"Q", [][]float64{{1, 3, 2}, {1.0 / 3, 1, 0.5}, {0.5, 2, 1}}},
	{"B", [][]float64{{1, 2}, {0.5, 1}}},
	{"I", [][]float64{{1, 1}, {1, 1}}},
}

// demoRanges are each indicator's plausible range (low, high) in the demo.
var demoRanges = map[string][2]float64{
	"R1": {55, 85}, "R2": {30, 80}, "R3": {180, 420}, "R4": {60, 95},
	"S1": {0, 3}, "S2": {20, 75}, "S3": {0, 4},
	"Q1": {85, 100}, "Q2": {0, 12}, "Q3": {0, 4},
	"B1": {0, 9}, "B2": {0, 20}, "I1": {0.5, 4.5}, "I2": {0, 40},
}

var demoIndicatorOrder = []string{"R1", "R2", "R3", "R4", "S1", "S2", "S3", "Q1", "Q2", "Q3", "B1", "B2", "I1", "I2"}

var demoNames = []string{"察尔汗钾肥", "格尔木盐湖锂业", "大柴旦镁盐", "德令哈纯碱", "茫崖硼锂", "冷湖钠盐", "乌兰芒硝", "都兰溴素", "格尔木氯碱", "一里坪锂业", "西台吉乃尔锂盐", "马海钾盐"}

// demoCode is the credit code of demo enterprise i (Haixi, 632801).
func demoCode(i int) string {
	first := fmt.Sprintf("91632801MA7YK%02d2A", i+10)
	return first + string(creditcode.Check(first))
}

// demoValue is a deterministic value of indicator ind for enterprise i.
func demoValue(i, j int, ind string) string {
	r := demoRanges[ind]
	x := uint32(i*7919+j*104729) * 2654435761
	f := float64(x%1000) / 999
	v := r[0] + f*(r[1]-r[0])
	if strings.HasPrefix(ind, "S1") || strings.HasPrefix(ind, "S3") || strings.HasPrefix(ind, "Q2") || strings.HasPrefix(ind, "Q3") || strings.HasPrefix(ind, "B") || ind == "I2" {
		return strconv.Itoa(int(v + 0.5))
	}
	return strconv.FormatFloat(float64(int(v*10+0.5))/10, 'f', -1, 64)
}

// SeedDemo adds the labelled demo model (version 1 by AHP, published;
// version 2 by the entropy-weight method, a draft) and the demo
// enterprises' values of last year, once; it reports how many records it
// added. The enterprise the demo enterprise account acts for, if any, is
// evaluated too, so that account can read its own explanation.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM eval_models WHERE code = $1`, DemoCode).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	var dept int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = 'qh-samr'`).Scan(&dept)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // no department directory
	}
	if err != nil {
		return 0, err
	}
	period := strconv.Itoa(s.now().In(kit.CST).Year() - 1)
	type ent struct{ code, name string }
	var ents []ent
	for i, name := range demoNames {
		ents = append(ents, ent{demoCode(i), DemoLabel + name + "有限公司"})
	}
	// The enterprise the demo enterprise account acts for, or (before
	// `sidi demo` links it, to the first demo enterprise of the directory)
	// the one it will act for.
	var code, name string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT e.credit_code, e.name FROM user_enterprise ue JOIN users u ON u.id = ue.user_id JOIN enterprises e ON e.id = ue.enterprise_id
		WHERE u.login = 'demo-enterprise' ORDER BY e.id LIMIT 1`).Scan(&code, &name)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.Reader().QueryRowContext(ctx, `SELECT credit_code, name FROM enterprises WHERE demo = 1 ORDER BY id LIMIT 1`).Scan(&code, &name)
	}
	if err == nil {
		ents = append(ents, ent{code, name})
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(ValueColumns), ",") + "\n")
	for i, e := range ents {
		for j, ind := range demoIndicatorOrder {
			if i == 3 && ind == "B2" {
				continue // one enterprise reported no 自我声明 figure: it shows as missing
			}
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", e.code, e.name, period, ind, demoValue(i, j, ind))
		}
	}
	m, err := s.CreateModel(ctx, p, NewModel{Code: DemoCode, Name: DemoLabel + "盐湖化工生产企业分类评价模型", Period: period, DeptID: dept, Tree: DemoTree,
		Note: "演示用指标体系，非正式发布的评价标准。", Demo: true})
	if err != nil {
		return 0, fmt.Errorf("evalmodel: demo model: %w", err)
	}
	rep, err := s.ImportValues(ctx, p, kit.BytesSource("demo-eval-values.csv", []byte(b.String())), kit.ImportOptions{})
	if err != nil {
		return 1, fmt.Errorf("evalmodel: demo values: %w", err)
	}
	for _, j := range demoJudgements {
		if _, _, err := s.SetAHP(ctx, p, m.ID, j.group, j.m); err != nil {
			return 1 + rep.Created, fmt.Errorf("evalmodel: demo judgement %q: %w", j.group, err)
		}
	}
	if _, err := s.Publish(ctx, p, m.ID); err != nil {
		return 1 + rep.Created, fmt.Errorf("evalmodel: demo publish: %w", err)
	}
	v2, err := s.NewVersion(ctx, p, m.ID)
	if err != nil {
		return 1 + rep.Created, err
	}
	if _, _, err := s.SetEntropy(ctx, p, v2.ID); err != nil {
		return 2 + rep.Created, fmt.Errorf("evalmodel: demo entropy: %w", err)
	}
	return 2 + rep.Created, nil
}
