// Report of experiment 1 (layerwise_sparsity): final per-layer table, plots
// over training of token, batch-union and sequence-union density per layer,
// the loss curve, and findings computed from the measurements.
//
//   Report r = LayerwiseSparsityReport(results,
//   "results/layerwise_sparsity.pb");
#ifndef SPARSITY_REPORTS_LAYERWISE_SPARSITY_REPORT_H_
#define SPARSITY_REPORTS_LAYERWISE_SPARSITY_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report LayerwiseSparsityReport(const Results& results,
                               const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYERWISE_SPARSITY_REPORT_H_
