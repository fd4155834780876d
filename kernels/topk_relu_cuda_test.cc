#include "kernels/topk_relu_cuda.h"

#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cuda_test_util.h"
#include "kernels/topk_relu.h"
#include "kernels/topk_relu_test_util.h"

namespace sparsity {
namespace {

template <typename T>
void ExpectEqualsCpu(const std::vector<T>& x, int64_t rows, int64_t d,
                     int64_t k) {
  std::vector<T> y_cpu(x.size()), y_gpu(x.size(), T(-7));
  ASSERT_TRUE(TopkReluCpu(x.data(), rows, d, k, y_cpu.data()));
  std::string error;
  ASSERT_TRUE(TopkReluCudaFromHost(x.data(), rows, d, k, y_gpu.data(), &error))
      << error;
  // NaN != NaN: compare bit patterns through the reference's NaN positions.
  for (size_t i = 0; i < x.size(); ++i) {
    if (y_cpu[i] != y_cpu[i]) {
      EXPECT_NE(y_gpu[i], y_gpu[i]) << i;
    } else {
      ASSERT_EQ(y_gpu[i], y_cpu[i])
          << rows << "x" << d << " k " << k << " at " << i;
    }
  }
  std::vector<T> g(x.size()), gx_cpu(x.size()), gx_gpu(x.size(), T(-7));
  std::mt19937 rng(1);
  std::normal_distribution<double> normal;
  for (T& v : g) v = static_cast<T>(normal(rng));
  TopkReluBackwardCpu(y_cpu.data(), g.data(), rows * d, gx_cpu.data());
  ASSERT_TRUE(TopkReluBackwardCudaFromHost(y_cpu.data(), g.data(), rows * d,
                                           gx_gpu.data(), &error))
      << error;
  EXPECT_EQ(gx_gpu, gx_cpu);
}

TEST(TopkReluCuda, EqualsTheCpuImplementationExactly) {
  if (NoCudaDevice()) GTEST_SKIP() << "no CUDA device";
  std::mt19937 rng(17);
  for (auto [rows, d] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {3, 7}, {5, 64}, {2176, 256}, {4, 1000}, {2, 3000}}) {
    for (int64_t k : {int64_t{1}, int64_t{4}, int64_t{16}, d / 4 + 1, d}) {
      std::vector<float> tied = TiedRows<float>(rows, d, rng);
      tied[0] = std::numeric_limits<float>::quiet_NaN();
      ExpectEqualsCpu(tied, rows, d, k);
      ExpectEqualsCpu(DistinctRows<float>(rows, d, rng), rows, d, k);
      ExpectEqualsCpu(TiedRows<double>(rows, d, rng), rows, d, k);
    }
  }
}

TEST(TopkReluCuda, RefusesRowsBeyondSharedMemoryAndBadK) {
  if (NoCudaDevice()) GTEST_SKIP() << "no CUDA device";
  std::vector<float> x(20000, 1.0f), y(20000);
  std::string error;
  EXPECT_FALSE(TopkReluCudaFromHost(x.data(), 1, 20000, 4, y.data(), &error));
  EXPECT_NE(error.find("shared memory"), std::string::npos) << error;
  EXPECT_FALSE(TopkReluCudaFromHost(x.data(), 1, 4, 0, y.data(), &error));
  EXPECT_NE(error.find("k >= 1"), std::string::npos) << error;
}

TEST(TopkReluCuda, SaysWhyWhenItCannotRun) {
  std::string why;
  if (CudaDeviceCount(&why) > 0) GTEST_SKIP() << "a GPU is present";
  const float x = 1.0f;
  float y = -1.0f;
  std::string error;
  EXPECT_FALSE(TopkReluCudaFromHost(&x, 1, 1, 1, &y, &error));
  EXPECT_NE(error.find("no CUDA device"), std::string::npos) << error;
  EXPECT_EQ(y, -1.0f);
}

}  // namespace
}  // namespace sparsity
