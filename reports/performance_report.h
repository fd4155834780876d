// Report of the performance benchmark (//bench:trainer_vs_python): the C++
// trainer against PyTorch in Python over a size sweep, the cost of probing,
// and the activation-statistics kernel against LibTorch expressions, each
// against its target.
#ifndef SPARSITY_REPORTS_PERFORMANCE_REPORT_H_
#define SPARSITY_REPORTS_PERFORMANCE_REPORT_H_

#include <string>

#include "proto/results.pb.h"
#include "reports/report.h"

namespace sparsity {

Report PerformanceReport(const Results& results,
                         const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_PERFORMANCE_REPORT_H_
