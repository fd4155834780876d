// The CPU Top-k ReLU kernel against torch::topk (relu, topk, scatter), the
// tie rule written out, and autograd through the LibTorch expression.
#include "kernels/topk_relu.h"

#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/topk_relu_test_util.h"
#include "kernels/topk_relu_torch_reference.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

template <typename T>
torch::Tensor AsTensor(std::vector<T>& x, int64_t rows, int64_t d) {
  return torch::from_blob(x.data(), {rows, d},
                          torch::CppTypeToScalarType<T>::value);
}

template <typename T>
std::vector<T> Kernel(const std::vector<T>& x, int64_t rows, int64_t d,
                      int64_t k) {
  std::vector<T> y(x.size(), T(-7));
  EXPECT_TRUE(TopkReluCpu(x.data(), rows, d, k, y.data()));
  return y;
}

struct Shape {
  int64_t rows, d;
};
const Shape kShapes[] = {{1, 1}, {3, 7}, {5, 64}, {2176, 256}, {4, 1000}};

TEST(TopkReluCpu, EqualsTorchTopkOnDistinctValues) {
  std::mt19937 rng(3);
  for (const Shape& s : kShapes) {
    std::vector<float> x = DistinctRows<float>(s.rows, s.d, rng);
    const torch::Tensor tx = AsTensor(x, s.rows, s.d);
    for (int64_t k :
         {int64_t{1}, int64_t{4}, int64_t{16}, int64_t{64}, s.d, s.d + 5}) {
      std::vector<float> y = Kernel(x, s.rows, s.d, k);
      EXPECT_TRUE(torch::equal(AsTensor(y, s.rows, s.d), TorchTopkRelu(tx, k)))
          << s.rows << "x" << s.d << " k " << k;
    }
  }
}

TEST(TopkReluCpu, TiesKeepTheLowestIndicesAndTheSameValuesAsTorch) {
  std::mt19937 rng(5);
  for (const Shape& s : kShapes) {
    std::vector<float> x = TiedRows<float>(s.rows, s.d, rng);
    const torch::Tensor tx = AsTensor(x, s.rows, s.d);
    for (int64_t k : {int64_t{1}, int64_t{3}, int64_t{16}, s.d}) {
      std::vector<float> y = Kernel(x, s.rows, s.d, k);
      EXPECT_EQ(y, TopkReluReference(x, s.rows, s.d, k))
          << s.rows << "x" << s.d << " k " << k;
      // torch::topk may keep other indices among ties, but the same values:
      // per row, the same sorted outputs and the same number of nonzeros.
      const torch::Tensor ours = AsTensor(y, s.rows, s.d);
      const torch::Tensor theirs = TorchTopkRelu(tx, k);
      EXPECT_TRUE(torch::equal(std::get<0>(ours.sort(-1)),
                               std::get<0>(theirs.sort(-1))))
          << s.rows << "x" << s.d << " k " << k;
      const torch::Tensor kept = (ours > 0).sum(-1);
      const torch::Tensor positive = (tx > 0).sum(-1);
      EXPECT_TRUE(torch::equal(kept, torch::clamp_max(positive, k)));
    }
  }
}

TEST(TopkReluCpu, HandBuiltRows) {
  // Ties at the k-th value: the lower indices are kept.
  const std::vector<float> x = {2, -1, 1, 3, 1, 1, 0, 3};
  EXPECT_EQ(Kernel(x, 1, 8, 1), (std::vector<float>{0, 0, 0, 3, 0, 0, 0, 0}));
  EXPECT_EQ(Kernel(x, 1, 8, 2), (std::vector<float>{0, 0, 0, 3, 0, 0, 0, 3}));
  EXPECT_EQ(Kernel(x, 1, 8, 4), (std::vector<float>{2, 0, 1, 3, 0, 0, 0, 3}));
  EXPECT_EQ(Kernel(x, 1, 8, 5), (std::vector<float>{2, 0, 1, 3, 1, 0, 0, 3}));
  // Fewer positive values than k: plain ReLU; k >= d too.
  EXPECT_EQ(Kernel(x, 1, 8, 7), (std::vector<float>{2, 0, 1, 3, 1, 1, 0, 3}));
  EXPECT_EQ(Kernel(x, 1, 8, 100), Kernel(x, 1, 8, 6));
  // Rows are independent.
  const std::vector<float> two = {1, 2, 3, 3, 2, 1};
  EXPECT_EQ(Kernel(two, 2, 3, 1), (std::vector<float>{0, 0, 3, 3, 0, 0}));
}

TEST(TopkReluCpu, NanPropagatesAndIsNeverOneOfTheK) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {nan, 1, 2, -1};
  std::vector<float> y = Kernel(x, 1, 4, 1);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 0);
  EXPECT_EQ(y[2], 2);
  EXPECT_EQ(y[3], 0);
  y = Kernel(x, 1, 4, 3);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 1);
}

TEST(TopkReluCpu, RefusesKBelowOne) {
  const float x = 1;
  float y = -7;
  EXPECT_FALSE(TopkReluCpu(&x, 1, 1, 0, &y));
  EXPECT_FALSE(TopkReluCpu(&x, 1, 1, -3, &y));
  EXPECT_EQ(y, -7);
}

TEST(TopkReluCpu, DoubleEqualsTheReference) {
  std::mt19937 rng(9);
  std::vector<double> x = TiedRows<double>(40, 33, rng);
  EXPECT_EQ(Kernel(x, 40, 33, 5), TopkReluReference(x, 40, 33, 5));
}

TEST(TopkReluBackwardCpu, EqualsAutogradThroughTheTorchExpression) {
  std::mt19937 rng(13);
  for (const Shape& s : kShapes) {
    std::vector<float> x = DistinctRows<float>(s.rows, s.d, rng);
    for (int64_t k : {int64_t{1}, int64_t{16}, s.d}) {
      const torch::Tensor tx =
          AsTensor(x, s.rows, s.d).clone().requires_grad_(true);
      const torch::Tensor grad_y = torch::randn({s.rows, s.d});
      TorchTopkRelu(tx, k).backward(grad_y);
      std::vector<float> y = Kernel(x, s.rows, s.d, k);
      std::vector<float> grad_x(x.size(), -7);
      TopkReluBackwardCpu(y.data(), grad_y.data_ptr<float>(), s.rows * s.d,
                          grad_x.data());
      EXPECT_TRUE(torch::equal(AsTensor(grad_x, s.rows, s.d), tx.grad()))
          << s.rows << "x" << s.d << " k " << k;
    }
  }
}

TEST(TopkReluBackwardCpu, OnlyKeptPositiveEntriesPassTheGradient) {
  const std::vector<double> y = {0, 2.5, 0, 1e-9, -0.0};
  const std::vector<double> g = {1, 2, 3, 4, 5};
  std::vector<double> grad_x(5, -7);
  TopkReluBackwardCpu(y.data(), g.data(), 5, grad_x.data());
  EXPECT_EQ(grad_x, (std::vector<double>{0, 2, 0, 4, 0}));
}

}  // namespace
}  // namespace sparsity
