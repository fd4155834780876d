// Percentiles of a sample, as numpy.percentile's default (linear
// interpolation between order statistics), shared by the metrics and the
// reports (docs/method.md, "Activation sparsity": percentiles).
//
//   Percentile({4, 1, 3, 2}, 50);   // 2.5
#ifndef SPARSITY_METRICS_PERCENTILE_H_
#define SPARSITY_METRICS_PERCENTILE_H_

#include <vector>

namespace sparsity {

// q-th percentile, q in [0, 100]. Throws std::invalid_argument for no
// values or q outside [0, 100].
double Percentile(std::vector<double> values, double q);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_PERCENTILE_H_
