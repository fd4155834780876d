#include "kernels/jsrelu_cuda.h"

#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cuda_test_util.h"
#include "kernels/jsrelu.h"
#include "kernels/jsrelu_test_util.h"

namespace sparsity {
namespace {

// Bit-for-bit equality, NaN included.
template <typename T>
void ExpectSameValues(const std::vector<T>& gpu, const std::vector<T>& cpu,
                      const char* what, double mix) {
  ASSERT_EQ(gpu.size(), cpu.size());
  for (size_t i = 0; i < cpu.size(); ++i) {
    if (cpu[i] != cpu[i]) {
      EXPECT_NE(gpu[i], gpu[i]) << what << " at " << i;
    } else {
      ASSERT_EQ(gpu[i], cpu[i]) << what << " mix " << mix << " at " << i;
    }
  }
}

template <typename T>
void ExpectEqualsCpu(int64_t n, double mix, std::mt19937& rng) {
  std::vector<T> x = JsReluInputs<T>(n, rng);
  if (n > 3) x[3] = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> g(n);
  std::normal_distribution<double> normal;
  for (T& v : g) v = static_cast<T>(normal(rng));
  std::vector<T> y_cpu(n), y_gpu(n, T(-7)), gx_cpu(n), gx_gpu(n, T(-7));
  JsReluCpu(x.data(), n, mix, y_cpu.data());
  JsReluBackwardCpu(x.data(), g.data(), n, mix, gx_cpu.data());
  std::string error;
  ASSERT_TRUE(JsReluCudaFromHost(x.data(), n, mix, y_gpu.data(), &error))
      << error;
  ASSERT_TRUE(JsReluBackwardCudaFromHost(x.data(), g.data(), n, mix,
                                         gx_gpu.data(), &error))
      << error;
  ExpectSameValues(y_gpu, y_cpu, "forward", mix);
  ExpectSameValues(gx_gpu, gx_cpu, "backward", mix);
}

TEST(JsReluCuda, EqualsTheCpuImplementationExactly) {
  if (NoCudaDevice()) GTEST_SKIP() << "no CUDA device";
  std::mt19937 rng(17);
  for (int64_t n : {0, 1, 5, 1000, 2176 * 256, 40000000}) {
    for (double mix : kJsReluMixes) {
      ExpectEqualsCpu<float>(n, mix, rng);
      if (n < 10000000) ExpectEqualsCpu<double>(n, mix, rng);
    }
  }
}

TEST(JsReluCuda, SaysWhyWhenItCannotRun) {
  std::string why;
  if (CudaDeviceCount(&why) > 0) GTEST_SKIP() << "a GPU is present";
  const float x = 1.0f;
  float y = -1.0f;
  std::string error;
  EXPECT_FALSE(JsReluCudaFromHost(&x, 1, 1.0, &y, &error));
  EXPECT_NE(error.find("no CUDA device"), std::string::npos) << error;
  EXPECT_EQ(y, -1.0f);
}

}  // namespace
}  // namespace sparsity
