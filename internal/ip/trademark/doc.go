// Package trademark is the register of trademarks (task 8 of the plan):
// one record per registration number with its Nice classes, owner (linked
// to the enterprise directory by 统一社会信用代码 when it has one), GB/T
// 2260 region, dates, type, Madrid number, GI and 驰名 flags, and status
// with the day it took effect. Imports are bulk (`sidi import trademarks`),
// and the counts the plan's targets need are kept as day deltas in the
// same transactions, so a count as of any day is one indexed sum.
package trademark
