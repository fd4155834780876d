// Test helpers for the saturated-attention kernels: inputs with frequent
// exact ties, and the reference they are checked against: softmax(c *
// scores) over the visible keys at a large c, in double precision.
#ifndef SPARSITY_KERNELS_SATURATED_ATTENTION_TEST_UTIL_H_
#define SPARSITY_KERNELS_SATURATED_ATTENTION_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/saturated_attention.h"

namespace sparsity {

// Scores on a grid of 0.25 in [0, 2]: ties are frequent and distinct values
// differ by at least 0.25, so softmax(c * s) at c = 200 is the saturated
// limit within exp(-50).
inline std::vector<float> TiedScores(int64_t count, std::mt19937& rng) {
  std::uniform_int_distribution<int> level(0, 8);
  std::vector<float> s(count);
  for (float& x : s) x = 0.25f * level(rng);
  return s;
}

inline std::vector<float> RandomValues(int64_t count, std::mt19937& rng) {
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = g(rng);
  return v;
}

// softmax(c * scores) over each row's visible keys (0 elsewhere), and its
// product with the values, in double.
inline void SoftmaxReference(const std::vector<float>& scores,
                             const std::vector<float>& values, int64_t n,
                             int64_t tq, int64_t tk, int64_t dv, bool causal,
                             double c, std::vector<double>* probs,
                             std::vector<double>* out) {
  probs->assign(n * tq * tk, 0.0);
  out->assign(n * tq * dv, 0.0);
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < tq; ++i) {
      const int64_t row = b * tq + i;
      const int64_t visible = VisibleKeys(i, tq, tk, causal);
      double m = -INFINITY;
      for (int64_t j = 0; j < visible; ++j) {
        m = std::max(m, c * scores[row * tk + j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < visible; ++j) {
        sum += std::exp(c * scores[row * tk + j] - m);
      }
      for (int64_t j = 0; j < visible; ++j) {
        const double p = std::exp(c * scores[row * tk + j] - m) / sum;
        (*probs)[row * tk + j] = p;
        for (int64_t d = 0; d < dv; ++d) {
          (*out)[row * dv + d] += p * values[(b * tk + j) * dv + d];
        }
      }
    }
  }
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_SATURATED_ATTENTION_TEST_UTIL_H_
