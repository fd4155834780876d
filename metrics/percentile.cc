#include "metrics/percentile.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsity {

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("Percentile of no values");
  if (!(q >= 0 && q <= 100)) {
    throw std::invalid_argument("percentile " + std::to_string(q) +
                                " outside [0, 100]");
  }
  const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  const double v_lo = values[lo];
  const double v_hi =
      hi == lo ? v_lo
               : *std::min_element(values.begin() + lo + 1, values.end());
  return v_lo + (rank - static_cast<double>(lo)) * (v_hi - v_lo);
}

}  // namespace sparsity
