// Package demo holds what `sidi demo` loads into a fresh data directory:
// the real work plan's official text and clearly labelled demo data.
package demo

import _ "embed"

// PlanText is the official text of 《严标准育品牌优环境提质量服务“四地”建设工作方案》
// (青海省人民政府办公厅, 2021-12-22), as published.
//
//go:embed plan-2021.txt
var PlanText []byte

// PlanSource names PlanText in the version history.
const PlanSource = "严标准育品牌优环境提质量服务“四地”建设工作方案（青海省人民政府办公厅2021年12月22日印发，官方文本）"

// PlanCode is the stable code of the seeded plan.
const PlanCode = "qh-sidi-2021"
