#include "kernels/activation_stats.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/activation_stats_test_util.h"

namespace sparsity {
namespace {

TEST(ActivationStatsCpu, HandBuiltMatrix) {
  // 4 tokens in 2 sequences of 2, d_ff = 3.
  const std::vector<float> h = {
      1.0f, 0.0f, -2.0f,  // seq 0: unit 0
      0.0f, 0.5f, 0.0f,   // seq 0: unit 1
      0.0f, 0.0f, 0.0f,   // seq 1: nothing
      3.0f, 0.0f, 4.0f,   // seq 1: units 0 and 2
  };
  std::vector<int32_t> nnz(4, -1);
  std::vector<int64_t> counts(3, 10);  // accumulates onto existing values
  std::vector<uint64_t> unions(2, 0);
  ActivationStatsCpu(h.data(), 4, 3, 2, nnz.data(), counts.data(),
                     unions.data());
  EXPECT_EQ(nnz, (std::vector<int32_t>{1, 1, 0, 2}));
  EXPECT_EQ(counts, (std::vector<int64_t>{12, 11, 11}));
  EXPECT_EQ(unions, (std::vector<uint64_t>{0b011, 0b101}));
}

TEST(ActivationStatsCpu, NanAndNegativeZeroDoNotFire) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> h = {nan, -0.0f, 1e-30f, -1e-30f};
  std::vector<int32_t> nnz(1);
  std::vector<int64_t> counts(4, 0);
  std::vector<uint64_t> unions(1, 0);
  ActivationStatsCpu(h.data(), 1, 4, 1, nnz.data(), counts.data(),
                     unions.data());
  EXPECT_EQ(nnz[0], 1);
  EXPECT_EQ(unions[0], 0b100u);
}

// Matches the naive loop at sizes that hit every code path: d_ff below one
// AVX2 register, exact multiples of 64, and ragged tails.
TEST(ActivationStatsCpu, MatchesNaiveLoopOnRandomInputs) {
  std::mt19937 rng(42);
  for (int64_t d_ff : {1, 7, 8, 63, 64, 65, 130, 512, 1000}) {
    for (int64_t seq_len : {1, 3, 16}) {
      const int64_t tokens = seq_len * 5;
      const std::vector<float> h = RandomSparseMatrix(tokens, d_ff, 0.3, rng);
      ActivationStatsOutputs got(tokens, d_ff, seq_len);
      ActivationStatsOutputs want(tokens, d_ff, seq_len);
      ActivationStatsCpu(h.data(), tokens, d_ff, seq_len, got.nnz.data(),
                         got.counts.data(), got.unions.data());
      NaiveActivationStats(h.data(), tokens, d_ff, seq_len, &want);
      EXPECT_EQ(got.nnz, want.nnz) << "d_ff=" << d_ff << " seq=" << seq_len;
      EXPECT_EQ(got.counts, want.counts) << "d_ff=" << d_ff;
      EXPECT_EQ(got.unions, want.unions) << "d_ff=" << d_ff;
    }
  }
}

TEST(ActivationStatsCpu, ReportsItsCodePath) {
  const std::string path = ActivationStatsCpuPath();
  EXPECT_TRUE(path == "avx2" || path == "portable") << path;
  std::cout << "CPU code path: " << path << "\n";
}

}  // namespace
}  // namespace sparsity
