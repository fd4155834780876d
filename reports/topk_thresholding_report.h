// The report of experiment 5's plain-ReLU part (docs/method.md, "Lazy
// neurons"; Li et al. 2023): (a) token density per layer of the reference
// ViT and LM on held-out and training data, (b) against width and depth,
// (c) with random labels, random inputs and an endless stream, (d) per-unit
// firing histograms (dead units against units that fire rarely), (f) MLP
// FLOPs per token from the measured densities, each density beside the
// model's accuracy (ViT) or held-out loss (LM), and part (e), Top-k models;
// every verdict from reports/topk_thresholding_findings.h.
//
//   Report r = TopkThresholdingReport(results, "topk_thresholding.pb");
#ifndef SPARSITY_REPORTS_TOPK_THRESHOLDING_REPORT_H_
#define SPARSITY_REPORTS_TOPK_THRESHOLDING_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report TopkThresholdingReport(const Results& results,
                              const std::string& results_file);

// The memorise preset's report (results without an LM reference): the
// training accuracy each arm reached on its own labels, and the verdicts on
// label noise (L7), calibration (L9) and random labels (L5) there.
Report TopkMemorisationReport(const Results& results,
                              const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_TOPK_THRESHOLDING_REPORT_H_
