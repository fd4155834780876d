// Test helpers for the activation-statistics kernels: random inputs and the
// naive reference loop that both implementations are checked against.
#ifndef SPARSITY_KERNELS_ACTIVATION_STATS_TEST_UTIL_H_
#define SPARSITY_KERNELS_ACTIVATION_STATS_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/activation_stats.h"

namespace sparsity {

struct ActivationStatsOutputs {
  ActivationStatsOutputs(int64_t tokens, int64_t d_ff, int64_t seq_len)
      : nnz(tokens, 0),
        counts(d_ff, 0),
        unions(tokens / seq_len * UnionWords(d_ff), 0) {}
  std::vector<int32_t> nnz;
  std::vector<int64_t> counts;
  std::vector<uint64_t> unions;
};

// ReLU-like matrix: each entry positive with probability `density`, else 0
// or negative.
inline std::vector<float> RandomSparseMatrix(int64_t rows, int64_t cols,
                                             double density,
                                             std::mt19937& rng) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> h(rows * cols);
  for (float& x : h) {
    const float r = u(rng);
    x = r < density ? r + 1e-3f : (r < 0.5 + density / 2 ? 0.0f : -r);
  }
  return h;
}

inline void NaiveActivationStats(const float* h, int64_t tokens, int64_t d_ff,
                                 int64_t seq_len, ActivationStatsOutputs* out) {
  const int64_t words = UnionWords(d_ff);
  for (int64_t t = 0; t < tokens; ++t) {
    int32_t n = 0;
    for (int64_t j = 0; j < d_ff; ++j) {
      if (h[t * d_ff + j] > 0.0f) {
        ++n;
        ++out->counts[j];
        out->unions[(t / seq_len) * words + j / 64] |= uint64_t{1} << (j % 64);
      }
    }
    out->nnz[t] = n;
  }
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_ACTIVATION_STATS_TEST_UTIL_H_
