// Report of the layerwise_sparsity ablation (a results file whose sweep has
// several variants, e.g. --preset=ablation): which factor, if any, moves
// layer 0 toward collapse. It renders the findings of
// reports/layerwise_sparsity_ablation_findings.h: per variant, layer 0's and
// the last layer's measures at the end, the paired verdicts against the
// reference (the variant of role "reference"), plots over training and the
// final per-layer profiles. An error when no variant is the reference.
//
//   Report r = LayerwiseSparsityAblationReport(results,
//       "layerwise_sparsity_ablation.pb");
#ifndef SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_
#define SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

absl::StatusOr<Report> LayerwiseSparsityAblationReport(
    const Results& results, const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_REPORT_H_
