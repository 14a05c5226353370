// Package awards keeps the quality-incentive registers of pillar 4
// (issue 15 items 3 and 4; tasks 20, 21 and 22 of the plan):
//
//   - 青海省质量奖 applications by year, scored on the GB/T 19580 scheme
//     (the seven category maxima are data, Categories) by several
//     reviewers, aggregated to a mean and a trimmed mean with outlier
//     flags (Aggregate), and the winners by year and whether they serve
//     “四地” 建设;
//   - quality improvement demonstration zones (质量提升示范区), 创建 →
//     验收 with dates;
//   - QC-circle results and mass quality activities with the plan's
//     special awards for the 盐湖化工, 清洁能源 and 绿色有机农畜产品 groups;
//   - public-service quality monitoring (公共服务质量监测) by field and
//     prefecture with the change on the year before.
//
// Everything is written through bulk imports on the kit (kit.RunImport:
// every row checked first, errors by row and column, one audit entry per
// batch); the metrics count awards and zones as of any date.
//
// It imports the kit, auth, the enterprise directory, org and store; it
// never imports web or another register.
package awards
