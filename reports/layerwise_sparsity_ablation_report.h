// Report of the layerwise_sparsity ablation (a results file whose sweep has
// several variants, e.g. --preset=ablation): which factor, if any, makes
// layer 0 collapse. Per variant: layer 0's and the last layer's batch union
// and token density at the end with their spread over seeds, the change
// against the reference (the first variant), layer 0's batch union over
// training, the final per-layer profiles, and a computed answer.
//
//   Report r = LayerwiseSparsityAblationReport(results,
//       "layerwise_sparsity_ablation.pb");
#ifndef SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_
#define SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report LayerwiseSparsityAblationReport(const Results& results,
                                       const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_
