// The norm-growth report (docs/method.md, "Norm growth and saturation"):
// rho(t) with its fits drawn and tabulated, per-group norms, direction and
// alignment of the updates, when growth stops per optimiser, per-layer
// saturation of the trained and the initialised model, similarity-vs-c
// curves per architecture, the saturated heads' histogram, and a summary
// computed from the measurements.
//
//   Report r = NormGrowthReport(results, "norm_growth.pb");
#ifndef SPARSITY_REPORTS_NORM_GROWTH_REPORT_H_
#define SPARSITY_REPORTS_NORM_GROWTH_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report NormGrowthReport(const Results& results,
                        const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_NORM_GROWTH_REPORT_H_
