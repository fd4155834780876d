#include "kernels/saturated_attention_cuda.h"

#include <array>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/saturated_attention.h"
#include "kernels/saturated_attention_test_util.h"

namespace sparsity {
namespace {

TEST(SaturatedAttentionCuda, EqualsTheCpuImplementationExactly) {
  std::string why;
  if (CudaDeviceCount(&why) == 0) {
    std::cout << "SKIPPED: no CUDA device here (" << why
              << "); the CUDA kernel was not run\n";
    GTEST_SKIP() << "no CUDA device: " << why;
  }
  std::mt19937 rng(11);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (bool causal : {false, true}) {
    for (auto [n, tq, tk, dv] :
         std::vector<std::array<int64_t, 4>>{{1, 1, 1, 1},
                                             {3, 7, 7, 5},
                                             {2, 4, 9, 33},
                                             {5, 130, 130, 64},
                                             {2, 3, 1000, 7}}) {
      std::vector<float> s = TiedScores(n * tq * tk, rng);
      s[0] = nan;  // NaN never wins
      const std::vector<float> v = RandomValues(n * tk * dv, rng);
      for (float tolerance : {0.0f, 0.3f}) {
        std::vector<float> p_cpu(n * tq * tk), o_cpu(n * tq * dv);
        std::vector<float> p_gpu(n * tq * tk, -1), o_gpu(n * tq * dv, -1);
        SaturatedAttentionCpu(s.data(), v.data(), n, tq, tk, dv, causal,
                              tolerance, p_cpu.data(), o_cpu.data());
        std::string error;
        ASSERT_TRUE(SaturatedAttentionCudaFromHost(
            s.data(), v.data(), n, tq, tk, dv, causal, tolerance, p_gpu.data(),
            o_gpu.data(), &error))
            << error;
        EXPECT_EQ(p_gpu, p_cpu) << n << "x" << tq << "x" << tk;
        EXPECT_EQ(o_gpu, o_cpu) << n << "x" << tq << "x" << tk;
      }
    }
  }
}

TEST(SaturatedAttentionCuda, SaysWhyWhenItCannotRun) {
  std::string why;
  if (CudaDeviceCount(&why) > 0) GTEST_SKIP() << "a GPU is present";
  const float s = 1.0f;
  float p = -1.0f;
  std::string error;
  EXPECT_FALSE(SaturatedAttentionCudaFromHost(&s, nullptr, 1, 1, 1, 0, false, 0,
                                              &p, nullptr, &error));
  EXPECT_NE(error.find("no CUDA device"), std::string::npos) << error;
  EXPECT_EQ(p, -1.0f);  // untouched: no silent CPU fallback
}

}  // namespace
}  // namespace sparsity
