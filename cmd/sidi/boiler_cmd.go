package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sidi/internal/cli"
	"strings"

	"sidi/internal/boiler"
)

// boilerCommands are the boiler-efficiency commands (task 27).
func boilerCommands() []*Command {
	return []*Command{cmdBoilerEfficiency()}
}

func cmdBoilerEfficiency() *Command {
	tab := boiler.Default()
	return &Command{
		Name:  "boiler efficiency",
		Usage: "--fuel " + strings.Join(tab.FuelKeys(), "|") + " --flue-temp 150 --air-temp 20 --o2 3.5 [--co-ppm 50] [--q4 0 --q5 1.7 --q6 0]",
		Short: "按热损失法计算锅炉热效率 boiler thermal efficiency by the heat-loss method (JSON)",
		Long: "η = 100 − (q2+q3+q4+q5+q6) %，α = 21/(21−O2)，q2 为 Siegert 式，q3 ≈ " + fmt.Sprint(tab.Q3Factor) + "·α·CO(%)。\n" +
			"系数表版本 coefficient table " + tab.Version + "：" + tab.Source + "\n" +
			"燃料也可作为位置参数给出：sidi boiler efficiency natural_gas --flue-temp 150 …",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("boiler efficiency", e)
			fuel := fs.String("fuel", "", "燃料 fuel: "+strings.Join(tab.FuelKeys(), ", "))
			flue := fs.Float64("flue-temp", 0, "排烟温度 °C")
			air := fs.Float64("air-temp", 0, "进风（环境）温度 °C")
			o2 := fs.Float64("o2", 0, "烟气含氧量 % vol")
			co := fs.Float64("co-ppm", 0, "烟气 CO ppm（可选）")
			q4 := fs.Float64("q4", 0, "机械不完全燃烧热损失 %")
			q5 := fs.Float64("q5", 0, "散热损失 %")
			q6 := fs.Float64("q6", 0, "灰渣物理热损失 %")
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			switch pos := fs.Args(); {
			case len(pos) > 1 || (len(pos) == 1 && *fuel != ""):
				return usageError{Msg: fmt.Sprintf("多余的参数 unexpected arguments: %q", pos)}
			case len(pos) == 1:
				*fuel = pos[0]
			}
			set := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
			var missing []string
			for _, name := range []string{"flue-temp", "air-temp", "o2"} {
				if !set[name] {
					missing = append(missing, "--"+name)
				}
			}
			if *fuel == "" {
				missing = append([]string{"--fuel"}, missing...)
			}
			if len(missing) > 0 {
				return usageError{Msg: "缺少 missing " + strings.Join(missing, " ")}
			}
			r, err := tab.Compute(boiler.Input{Fuel: *fuel, FlueTemp: *flue, AirTemp: *air, O2: *o2, COppm: *co, Q4: *q4, Q5: *q5, Q6: *q6})
			var ie *boiler.InputError
			if errors.As(err, &ie) {
				return fmt.Errorf("--%s 不可接受 refused: %s", ie.Field, ie.Reason)
			}
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.Stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(r)
		},
	}
}
