// The report of experiment 5's plain-ReLU part (docs/method.md, "Lazy
// neurons"; Li et al. 2023): (a) token density per layer of the reference
// ViT and LM on held-out and training data, (b) against width and depth,
// (c) with random labels, random inputs and an endless stream, (d) per-unit
// firing histograms (dead units against units that fire rarely), (f) MLP
// FLOPs per token from the measured densities, each density beside the
// model's accuracy (ViT) or held-out loss (LM), and a comparison with the
// paper's claims computed from the measurements.
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

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_TOPK_THRESHOLDING_REPORT_H_
