#include "models/mlp.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(Activate, ReluZeroesNegatives) {
  torch::Tensor x = torch::tensor({-2.0f, -0.0f, 0.0f, 0.5f, 3.0f});
  torch::Tensor y = Activate(x, MlpOptions(1, 5));
  EXPECT_TRUE(torch::equal(y, torch::tensor({0.0f, 0.0f, 0.0f, 0.5f, 3.0f})));
}

TEST(Activate, TopKKeepsTheKLargestPerToken) {
  torch::Tensor x = torch::tensor(
      {{3.0f, -1.0f, 5.0f, 1.0f, 4.0f}, {-1.0f, -2.0f, 0.5f, -3.0f, -4.0f}});
  const MlpOptions o =
      MlpOptions(1, 5).activation(Activation::kTopKRelu).topk(2);
  torch::Tensor y = Activate(x, o);
  // Row 0 keeps 5 and 4; row 1 has one positive value: keeps it, the second
  // "largest" is a ReLU zero and stays zero.
  EXPECT_TRUE(torch::equal(y, torch::tensor({{0.0f, 0.0f, 5.0f, 0.0f, 4.0f},
                                             {0.0f, 0.0f, 0.5f, 0.0f, 0.0f}})));
  EXPECT_EQ((y > 0).sum(-1).max().item<int64_t>(), 2);
}

TEST(Activate, TopKWithTiesKeepsExactlyK) {
  torch::Tensor x = torch::full({1, 6}, 2.0f);
  const MlpOptions o =
      MlpOptions(1, 6).activation(Activation::kTopKRelu).topk(3);
  // The lower indices win the tie (models/topk_relu_op.h).
  EXPECT_TRUE(torch::equal(
      Activate(x, o), torch::tensor({{2.0f, 2.0f, 2.0f, 0.0f, 0.0f, 0.0f}})));
}

TEST(Activate, JSquaredRelu) {
  torch::Tensor x = torch::tensor({-1.0f, 0.0f, 1.0f, 2.0f});
  torch::Tensor y =
      Activate(x, MlpOptions(1, 4).activation(Activation::kJsRelu));
  EXPECT_TRUE(torch::allclose(y, torch::tensor({0.0f, 0.0f, 1.5f, 4.0f})));
  // Derivative x + 1 on x >= 0, 0 below.
  torch::Tensor g = torch::tensor({-1.0f, 0.5f}, torch::requires_grad());
  Activate(g, MlpOptions(1, 2).activation(Activation::kJsRelu))
      .sum()
      .backward();
  EXPECT_TRUE(torch::allclose(g.grad(), torch::tensor({0.0f, 1.5f})));
}

TEST(Mlp, ObserverSeesInputPreAndPost) {
  struct Obs : ActivationObserver {
    void OnMlp(const MlpEvent& e) override {
      layer = e.layer;
      input_sizes = e.input.sizes().vec();
      ok = torch::equal(e.post, torch::relu(e.pre));
    }
    int layer = -1;
    std::vector<int64_t> input_sizes;
    bool ok = false;
  } obs;
  Mlp mlp(MlpOptions(8, 16));
  mlp->forward(torch::randn({2, 3, 8}), /*layer=*/4, &obs);
  EXPECT_EQ(obs.layer, 4);
  EXPECT_EQ(obs.input_sizes, (std::vector<int64_t>{2, 3, 8}));
  EXPECT_TRUE(obs.ok);
}

}  // namespace
}  // namespace sparsity
