// The report of experiment 4 (docs/method.md, "gradient_sparsity"; Peng et
// al. 2023, [P]): per family (ViT, LM), each from-scratch variant's final
// held-out activation density against the ReLU baseline's, beside its
// accuracy or held-out loss, with its gradient sparsity and the spectral
// concentration of fc1; the finetuned model against its unchanged control;
// curves over training; and the comparison with [P]'s claim, computed from
// the measurements.
//
//   Report r = GradientSparsityReport(results, "gradient_sparsity.pb");
#ifndef SPARSITY_REPORTS_GRADIENT_SPARSITY_REPORT_H_
#define SPARSITY_REPORTS_GRADIENT_SPARSITY_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report GradientSparsityReport(const Results& results,
                              const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_GRADIENT_SPARSITY_REPORT_H_
