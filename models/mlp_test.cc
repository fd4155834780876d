#include "models/mlp.h"

#include <utility>

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

TEST(Activate, JSquaredReluAtAndAroundZero) {
  // The value is continuous at 0; the derivative jumps from 0 to 1 there.
  torch::Tensor x =
      torch::tensor({-1e-3, -1e-12, 0.0, 1e-12, 1e-3},
                    torch::dtype(torch::kDouble).requires_grad(true));
  torch::Tensor y =
      Activate(x, MlpOptions(1, 5).activation(Activation::kJsRelu));
  EXPECT_TRUE(torch::allclose(
      y, torch::tensor({0.0, 0.0, 0.0, 1e-12, 1e-3 + 0.5e-6}, torch::kDouble)));
  y.sum().backward();
  EXPECT_TRUE(torch::allclose(
      x.grad(),
      torch::tensor({0.0, 0.0, 1.0, 1.0 + 1e-12, 1.001}, torch::kDouble)));
}

TEST(Activate, MixAtZeroIsReluAndAtOneIsJSquaredRelu) {
  const MlpOptions js = MlpOptions(1, 7).activation(Activation::kJsRelu);
  auto value_and_grad = [&](const MlpOptions& o, double mix) {
    torch::Tensor x =
        torch::tensor({-2.0, -0.5, 0.0, 0.25, 1.0, 3.0, 1e-7},
                      torch::dtype(torch::kDouble).requires_grad(true));
    torch::Tensor y = Activate(x, o, mix);
    y.sum().backward();
    return std::make_pair(y.detach(), x.grad());
  };
  const auto [relu_y, relu_g] = value_and_grad(MlpOptions(1, 7), 1.0);
  const auto [js_y, js_g] = value_and_grad(js, 1.0);
  const auto [mix0_y, mix0_g] = value_and_grad(js, 0.0);
  const auto [mix1_y, mix1_g] = value_and_grad(js, 1.0);
  EXPECT_TRUE(torch::equal(mix0_y, relu_y));
  EXPECT_TRUE(torch::equal(mix0_g, relu_g));  // 0 at 0, as torch::relu
  EXPECT_TRUE(torch::equal(mix1_y, js_y));
  EXPECT_TRUE(torch::equal(mix1_g, js_g));
  // Between: (1 - k) ReLU + k JSReLU, e.g. at x = 1, k = 0.25: 0.75 + 0.375.
  const auto [mid_y, mid_g] = value_and_grad(js, 0.25);
  EXPECT_DOUBLE_EQ(mid_y[4].item<double>(), 0.75 * 1.0 + 0.25 * 1.5);
  EXPECT_DOUBLE_EQ(mid_g[4].item<double>(), 0.75 * 1.0 + 0.25 * 2.0);
  EXPECT_DOUBLE_EQ(mid_g[2].item<double>(), 0.25);  // at 0: k * 1
  EXPECT_DOUBLE_EQ(mid_y[0].item<double>(), 0.0);
}

TEST(Mlp, MixRisesLinearlyWithTheStepsDone) {
  Mlp mlp(MlpOptions(2, 3).activation(Activation::kJsRelu).mix_steps(100));
  EXPECT_DOUBLE_EQ(mlp->mix_value(), 0.0);  // ReLU before the first step
  mlp->SetStepsDone(25);
  EXPECT_DOUBLE_EQ(mlp->mix_value(), 0.25);
  mlp->SetStepsDone(100);
  EXPECT_DOUBLE_EQ(mlp->mix_value(), 1.0);
  mlp->SetStepsDone(250);
  EXPECT_DOUBLE_EQ(mlp->mix_value(), 1.0);
  // The mix is a buffer: a checkpoint (or clone) carries it.
  mlp->SetStepsDone(50);
  auto copy = std::dynamic_pointer_cast<MlpImpl>(mlp->clone());
  EXPECT_DOUBLE_EQ(copy->mix_value(), 0.5);
  // Without a mix there is no buffer and the activation is plain.
  Mlp plain(MlpOptions(2, 3).activation(Activation::kJsRelu));
  EXPECT_FALSE(plain->mix.defined());
  EXPECT_DOUBLE_EQ(plain->mix_value(), 1.0);
  EXPECT_DOUBLE_EQ(RampAfter(3, 0), 1.0);
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
