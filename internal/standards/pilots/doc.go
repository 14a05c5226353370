// Package pilots runs two registries of the plan's standardization pillar:
// the standardization pilots of task 3 (申报 → 批准立项 → 建设 → 验收, dated,
// with milestones, the standards each pilot produces or applies and its
// replicable experience) and the S&T projects of task 2 whose outputs
// include standards, with the rewards granted for leading national,
// sector, local or international standards.
//
// It owns the tables pilots, pilot_*, sci_projects, sci_project_standards
// and standard_rewards. It reads the standards registry's table (to link
// and to tell whether a linked standard is published) but never writes it;
// from package standards it takes only pure functions and values (the code
// grammar, date and credit-code parsing, the "four places" tags), never
// the registry service. It must not import web, progress or plan.
package pilots
