// TopkRelu on tensors: forward against torch::topk, gradients against
// autograd through the LibTorch expression and against central differences
// in double (a gradcheck), shapes, layouts and bad input.
#include "models/topk_relu_op.h"

#include "gtest/gtest.h"
#include "kernels/topk_relu_torch_reference.h"
#include "models/gradcheck_test_util.h"
#include "models/mlp.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

// Rows of distinct values (a random permutation per row, scaled): no ties,
// nothing within 1e-3 of 0 or of another value.
torch::Tensor Distinct(std::vector<int64_t> sizes, torch::ScalarType type) {
  const int64_t d = sizes.back();
  const int64_t rows = torch::ones(sizes).numel() / d;
  std::vector<torch::Tensor> perms;
  for (int64_t r = 0; r < rows; ++r) perms.push_back(torch::randperm(d));
  return ((torch::stack(perms).to(type) - d / 2 + 0.5) / 8).reshape(sizes);
}

TEST(TopkRelu, ForwardAndGradientEqualTheTorchExpression) {
  torch::manual_seed(1);
  for (torch::ScalarType type : {torch::kFloat, torch::kDouble}) {
    for (int64_t k : {1, 4, 16, 64, 256, 300}) {
      const torch::Tensor x0 = Distinct({8, 17, 256}, type);
      const torch::Tensor g = torch::randn({8, 17, 256}, type);
      torch::Tensor a = x0.clone().requires_grad_(true);
      torch::Tensor b = x0.clone().requires_grad_(true);
      const torch::Tensor ya = TopkRelu(a, k);
      const torch::Tensor yb = TorchTopkRelu(b, k);
      EXPECT_TRUE(torch::equal(ya, yb)) << "k " << k;
      ya.backward(g);
      yb.backward(g);
      EXPECT_TRUE(torch::equal(a.grad(), b.grad())) << "k " << k;
      EXPECT_LE((ya > 0).sum(-1).max().item<int64_t>(), k);
    }
  }
}

// gradcheck in double (distinct values: no ties at the k-th place).
TEST(TopkRelu, GradcheckInDouble) {
  torch::manual_seed(2);
  for (int64_t k : {1, 3, 12}) {
    const torch::Tensor x0 = Distinct({3, 12}, torch::kDouble);
    const torch::Tensor v = torch::randn({3, 12}, torch::kDouble);
    ExpectGradientMatchesCentralDifferences(
        [&](const torch::Tensor& x) { return TopkRelu(x, k); }, x0, v,
        "k " + std::to_string(k));
  }
}

TEST(TopkRelu, NonContiguousInputAndOneDimension) {
  torch::manual_seed(3);
  // [6, 32] with column-major strides.
  const torch::Tensor x = Distinct({6, 32}, torch::kFloat).t().contiguous().t();
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(torch::equal(TopkRelu(x, 5), TorchTopkRelu(x, 5)));
  const torch::Tensor v = torch::tensor({1.0f, 3.0f, -2.0f, 3.0f});
  EXPECT_TRUE(
      torch::equal(TopkRelu(v, 1), torch::tensor({0.0f, 3.0f, 0.0f, 0.0f})));
  EXPECT_EQ(TopkRelu(torch::zeros({0, 8}), 2).sizes(),
            torch::IntArrayRef({0, 8}));
}

TEST(TopkRelu, BadInputIsAnError) {
  EXPECT_THROW(TopkRelu(torch::ones({2, 3}), 0), c10::Error);
  EXPECT_THROW(TopkRelu(torch::ones({2, 3}, torch::kInt), 1), c10::Error);
  EXPECT_THROW(TopkRelu(torch::tensor(1.0f), 1), c10::Error);
}

TEST(TopkRelu, TheMlpUsesIt) {
  torch::manual_seed(4);
  Mlp mlp(MlpOptions(8, 32).activation(Activation::kTopKRelu).topk(3));
  struct Obs : ActivationObserver {
    void OnMlp(const MlpEvent& e) override { post = e.post, pre = e.pre; }
    torch::Tensor pre, post;
  } obs;
  torch::Tensor x = torch::randn({2, 5, 8}, torch::requires_grad());
  mlp->forward(x, 0, &obs).sum().backward();
  EXPECT_TRUE(torch::equal(obs.post, TopkRelu(obs.pre, 3)));
  EXPECT_LE((obs.post > 0).sum(-1).max().item<int64_t>(), 3);
  // fc1 rows of units never kept on any token get no gradient.
  const torch::Tensor never = (obs.post > 0).reshape({-1, 32}).sum(0) == 0;
  EXPECT_TRUE(torch::equal(mlp->fc1->weight.grad().index({never}).abs().sum(),
                           torch::tensor(0.0f)));
}

}  // namespace
}  // namespace sparsity
