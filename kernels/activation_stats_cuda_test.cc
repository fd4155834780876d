#include "kernels/activation_stats_cuda.h"

#include <iostream>
#include <random>

#include "gtest/gtest.h"
#include "kernels/activation_stats.h"
#include "kernels/activation_stats_test_util.h"

namespace sparsity {
namespace {

TEST(ActivationStatsCuda, MatchesCpuOnRandomInputs) {
  std::string why;
  if (CudaDeviceCount(&why) == 0) {
    std::cout << "SKIPPED: no CUDA device here (" << why
              << "); the CUDA kernel was not run\n";
    GTEST_SKIP() << "no CUDA device: " << why;
  }
  std::mt19937 rng(7);
  for (int64_t d_ff : {1, 31, 32, 33, 64, 100, 512, 2048}) {
    for (int64_t seq_len : {1, 7, 128}) {
      const int64_t tokens = seq_len * (d_ff > 1000 ? 9 : 5);
      const std::vector<float> h = RandomSparseMatrix(tokens, d_ff, 0.2, rng);
      ActivationStatsOutputs cpu(tokens, d_ff, seq_len);
      ActivationStatsOutputs gpu(tokens, d_ff, seq_len);
      ActivationStatsCpu(h.data(), tokens, d_ff, seq_len, cpu.nnz.data(),
                         cpu.counts.data(), cpu.unions.data());
      std::string error;
      ASSERT_TRUE(ActivationStatsCudaFromHost(h.data(), tokens, d_ff, seq_len,
                                              gpu.nnz.data(), gpu.counts.data(),
                                              gpu.unions.data(), &error))
          << error;
      EXPECT_EQ(gpu.nnz, cpu.nnz) << "d_ff=" << d_ff << " seq=" << seq_len;
      EXPECT_EQ(gpu.counts, cpu.counts) << "d_ff=" << d_ff;
      EXPECT_EQ(gpu.unions, cpu.unions) << "d_ff=" << d_ff;
    }
  }
}

TEST(ActivationStatsCuda, SaysWhyWhenItCannotRun) {
  std::string why;
  if (CudaDeviceCount(&why) > 0) GTEST_SKIP() << "a GPU is present";
  float h = 1.0f;
  int32_t nnz = -1;
  int64_t count = 0;
  uint64_t bits = 0;
  std::string error;
  EXPECT_FALSE(
      ActivationStatsCudaFromHost(&h, 1, 1, 1, &nnz, &count, &bits, &error));
  EXPECT_NE(error.find("no CUDA device"), std::string::npos) << error;
  EXPECT_EQ(nnz, -1);  // outputs untouched: no silent CPU fallback
}

}  // namespace
}  // namespace sparsity
