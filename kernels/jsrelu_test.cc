// The CPU JSReLU kernel against the LibTorch expression (values bit for bit,
// gradients against autograd through it), hand values at and around 0, NaN.
#include "kernels/jsrelu.h"

#include <cmath>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/jsrelu_test_util.h"
#include "kernels/jsrelu_torch_reference.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

template <typename T>
torch::Tensor AsTensor(std::vector<T>& x) {
  return torch::from_blob(x.data(), {static_cast<int64_t>(x.size())},
                          torch::CppTypeToScalarType<T>::value);
}

template <typename T>
void ExpectEqualsTorch(int64_t n, double mix, std::mt19937& rng) {
  std::vector<T> x = JsReluInputs<T>(n, rng);
  std::vector<T> y(n, T(-7)), g(n), gx(n, T(-7));
  std::normal_distribution<double> normal;
  for (T& v : g) v = static_cast<T>(normal(rng));
  JsReluCpu(x.data(), n, mix, y.data());
  JsReluBackwardCpu(x.data(), g.data(), n, mix, gx.data());

  torch::Tensor tx = AsTensor(x).clone().requires_grad_(true);
  const torch::Tensor ty = TorchJsRelu(tx, mix);
  ty.backward(AsTensor(g));
  // The forward: the same operations in the same order, so the same bits.
  EXPECT_TRUE(torch::equal(AsTensor(y), ty.detach()))
      << "n " << n << " mix " << mix;
  // The backward: g (x + 1) against autograd's sum of g/2 x + g/2 x + g, a
  // rounding apart; exact where the derivative is 0.
  const double tol = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  EXPECT_TRUE(torch::allclose(AsTensor(gx), tx.grad(), tol, 0))
      << "n " << n << " mix " << mix << " max diff "
      << (AsTensor(gx) - tx.grad()).abs().max().template item<double>();
  EXPECT_TRUE(torch::equal(AsTensor(gx) == 0, tx.grad() == 0));
}

TEST(JsReluCpu, EqualsTheTorchExpressionForEveryMix) {
  std::mt19937 rng(3);
  for (int64_t n : {0, 1, 7, 64, 1000, 2176 * 256}) {
    for (double mix : kJsReluMixes) {
      ExpectEqualsTorch<float>(n, mix, rng);
      ExpectEqualsTorch<double>(n, mix, rng);
    }
  }
}

TEST(JsReluCpu, HandValuesAtAndAroundZero) {
  // JSReLU: x^2/2 + x on x >= 0; derivative x + 1 there, jumping from 0 to 1.
  const std::vector<double> x = {-1.0, -1e-12, -0.0, 0.0, 1e-12, 1.0, 2.0};
  std::vector<double> y(x.size()), gx(x.size());
  const std::vector<double> ones(x.size(), 1.0);
  JsReluCpu(x.data(), x.size(), 1.0, y.data());
  JsReluBackwardCpu(x.data(), ones.data(), x.size(), 1.0, gx.data());
  EXPECT_EQ(y, (std::vector<double>{0, 0, 0, 0, 1e-12 + 0.5e-24, 1.5, 4.0}));
  EXPECT_EQ(gx, (std::vector<double>{0, 0, 1, 1, 1 + 1e-12, 2, 3}));
  // The mix at k = 0.25: 0.75 relu + 0.25 js; derivative at 0 is k.
  JsReluCpu(x.data(), x.size(), 0.25, y.data());
  JsReluBackwardCpu(x.data(), ones.data(), x.size(), 0.25, gx.data());
  EXPECT_DOUBLE_EQ(y[5], 0.75 * 1.0 + 0.25 * 1.5);
  EXPECT_DOUBLE_EQ(gx[5], 0.75 * 1.0 + 0.25 * 2.0);
  EXPECT_EQ(gx[3], 0.25);
  EXPECT_EQ(gx[0], 0.0);
  // k = 0 is ReLU: derivative 0 at 0 (as torch::relu), 1 above.
  JsReluCpu(x.data(), x.size(), 0.0, y.data());
  JsReluBackwardCpu(x.data(), ones.data(), x.size(), 0.0, gx.data());
  EXPECT_EQ(y, (std::vector<double>{0, 0, 0, 0, 1e-12, 1, 2}));
  EXPECT_EQ(gx, (std::vector<double>{0, 0, 0, 0, 1, 1, 1}));
}

TEST(JsReluCpu, NanPropagatesWithAZeroGradient) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (double mix : kJsReluMixes) {
    const std::vector<float> x = {nan, 1.0f};
    const std::vector<float> g = {1.0f, 1.0f};
    std::vector<float> y(2), gx(2);
    JsReluCpu(x.data(), 2, mix, y.data());
    JsReluBackwardCpu(x.data(), g.data(), 2, mix, gx.data());
    EXPECT_TRUE(std::isnan(y[0])) << mix;
    EXPECT_EQ(gx[0], 0.0f) << mix;
    EXPECT_GT(y[1], 0.0f) << mix;
  }
}

TEST(JsReluCpu, WorksInPlace) {
  std::mt19937 rng(4);
  std::vector<float> x = JsReluInputs<float>(333, rng), y(333);
  JsReluCpu(x.data(), 333, 0.5, y.data());
  JsReluCpu(x.data(), 333, 0.5, x.data());
  EXPECT_EQ(x, y);
}

}  // namespace
}  // namespace sparsity
