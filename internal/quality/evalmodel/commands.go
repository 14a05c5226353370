package evalmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sidi/internal/cli"
)

// Commands are the register's commands of the sidi binary (through its
// module): quality ahp, which needs no database.
func Commands() []*cli.Command {
	return []*cli.Command{cmdQualityAHP()}
}

func cmdQualityAHP() *cli.Command {
	return &cli.Command{
		Name:  "quality ahp",
		Usage: "MATRIX.json（- 为标准输入）",
		Short: "层次分析法：判断矩阵的权重、λmax、CI、CR AHP weights and consistency of a pairwise comparison matrix (JSON)",
		Long: "MATRIX.json 为按行排列的 JSON 数组，元素为数或分数字符串，如 [[1,3,\"5\"],[\"1/3\",1,2],[0.2,0.5,1]]。\n" +
			"输出 {\"weights\":[…],\"lambda_max\":…,\"ci\":…,\"cr\":…,\"consistent\":true|false}（主特征向量归一化，Saaty 随机一致性指标，CR < 0.1 为通过）。\n" +
			"非正、非互反（允许 5% 舍入误差）、超出 1–9 标度或非方阵的矩阵被拒绝，并指出行列。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("quality ahp", e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			pos := fs.Args()
			if len(pos) != 1 {
				return cli.UsageError{Msg: "须给出一个判断矩阵文件 expected one MATRIX.json"}
			}
			var r io.Reader = e.Stdin
			if pos[0] != "-" {
				f, err := os.Open(pos[0])
				if err != nil {
					return fmt.Errorf("无法打开 %s：%w", pos[0], err)
				}
				defer f.Close()
				r = f
			}
			data, err := io.ReadAll(io.LimitReader(r, 1<<20))
			if err != nil {
				return fmt.Errorf("无法读取 %s：%w", pos[0], err)
			}
			m, err := ParseMatrix(data)
			if err != nil {
				return err
			}
			res, err := AHP(m)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.Stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(res.Rounded())
		},
	}
}
