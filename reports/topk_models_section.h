// Part (e) of experiment 5's report (docs/method.md, "Top-k models"; Li et
// al. 2023): Top-k ViTs and LMs against their plain-ReLU references — token
// density, clean accuracy, calibration (ECE, NLL, reliability diagrams),
// accuracy under four corruptions at severities 1-5, and test accuracy after
// training on flipped labels — as tables and plots; the verdicts on the
// paper's three claims are the findings'
// (reports/topk_thresholding_findings.h).
//
//   TopkModelsSection s = MakeTopkModelsSection(results.topk_thresholding(),
//                                               report);
//   s.section;   // "## (e) Top-k models ..." with tables and plot links
#ifndef SPARSITY_REPORTS_TOPK_MODELS_SECTION_H_
#define SPARSITY_REPORTS_TOPK_MODELS_SECTION_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

struct TopkModelsSection {
  std::string section;
};

// Empty when the results hold no Top-k run. Adds its plots to `report`.
TopkModelsSection MakeTopkModelsSection(const TopkThresholdingResults& r,
                                        Report& report);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_TOPK_MODELS_SECTION_H_
