#include "train/gradient_probe.h"

#include "gtest/gtest.h"
#include "models/mlp.h"
#include "train/flatness.h"

namespace sparsity {
namespace {

// One MLP (d_model 1, d_ff 3) whose loss is the sum of its output, so that
// g = dL/d(post) is fc2's weight: [1e-4, 2, 1e-10]. On input x = 1,
// fc1 (weights 1, -1, 2; biases 0, 0, -1) gives pre = [1, -1, 1].
class OneMlp : public Model {
 public:
  explicit OneMlp(const MlpOptions& o) : mlp_(register_module("mlp", Mlp(o))) {
    torch::NoGradGuard no_grad;
    mlp_->fc1->weight.copy_(torch::tensor({{1.0f}, {-1.0f}, {2.0f}}));
    mlp_->fc1->bias.copy_(torch::tensor({0.0f, 0.0f, -1.0f}));
    mlp_->fc2->weight.copy_(torch::tensor({{1e-4f, 2.0f, 1e-10f}}));
    mlp_->fc2->bias.zero_();
  }
  torch::Tensor Logits(const torch::Tensor& inputs,
                       ActivationObserver* observer) override {
    return mlp_->forward(inputs, 0, observer);
  }
  torch::Tensor Loss(const Batch& batch,
                     ActivationObserver* observer) override {
    return Logits(batch.inputs, observer).sum();
  }
  int64_t num_layers() const override { return 1; }
  int64_t d_ff() const override { return 3; }
  MlpImpl& mlp(int64_t) override { return *mlp_; }

 private:
  Mlp mlp_;
};

const Batch kOne{torch::ones({1, 1, 1}), torch::zeros({1, 1})};

TEST(GradientProbe, ReluNetworkWithKnownGradients) {
  OneMlp model{MlpOptions(1, 3)};
  const GradientProbe p = MeasureGradients(model, kOne, /*step=*/7);
  EXPECT_EQ(p.step(), 7);
  // Output 1e-4 * 1 + 2 * 0 + 1e-10 * 1.
  EXPECT_NEAR(p.loss(), 1e-4 + 1e-10, 1e-9);
  EXPECT_EQ(p.mix(), 1.0);
  ASSERT_EQ(p.layers_size(), 1);
  const LayerGradient& l = p.layers(0);
  // eta = g * 1[pre > 0] = [1e-4, 0, 1e-10].
  ASSERT_EQ(l.eta_below_size(), 3);
  EXPECT_DOUBLE_EQ(l.eta_below(0), 2.0 / 3);  // 0 and 1e-10 < 1e-9
  EXPECT_DOUBLE_EQ(l.eta_below(1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(l.eta_below(2), 1.0);
  EXPECT_NEAR(l.eta_l1(), 1e-4 + 1e-10, 1e-11);
  EXPECT_EQ(l.entries(), 3);
  EXPECT_DOUBLE_EQ(l.density(), 2.0 / 3);
  // fc1 = [1, -1, 2]^T: K K^T has eigenvalues 6, 0, 0 (mean 2).
  ASSERT_EQ(l.spectral_size(), 2);
  EXPECT_DOUBLE_EQ(l.spectral(0).r(), 0.1);
  EXPECT_EQ(l.spectral(0).nonzero(), 1);
  EXPECT_NEAR(l.spectral(0).ratio(), 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(l.spectral(1).r(), 10.0);
  EXPECT_EQ(l.spectral(1).nonzero(), 0);
  EXPECT_NEAR(l.eigenvalue_max(), 6.0, 1e-5);
  EXPECT_NEAR(l.eigenvalue_mean(), 2.0, 1e-5);
  // Beyond the activation zeros: the one token reaches the loss; its
  // active entries (pre = 1, 1) carry eta 1e-4 and 1e-10.
  EXPECT_DOUBLE_EQ(l.loss_token_fraction(), 1.0);
  EXPECT_DOUBLE_EQ(l.loss_token_density(), 2.0 / 3);
  EXPECT_EQ(l.active_entries(), 2);
  ASSERT_EQ(l.active_eta_below_size(), 2);
  EXPECT_DOUBLE_EQ(l.active_eta_below(0), 0.5);
  EXPECT_DOUBLE_EQ(l.active_eta_below(1), 0.5);
  // Parameter gradients are left alone.
  EXPECT_FALSE(model.mlp(0).fc1->weight.grad().defined());
}

TEST(Flatness, NoNoiseNoChangeAndTheWeightsComeBack) {
  OneMlp model{MlpOptions(1, 3)};
  const torch::Tensor before = model.mlp(0).fc1->weight.clone();
  const FlatnessRecord zero = LossUnderWeightNoise(model, kOne, 0, 4, 1);
  EXPECT_EQ(zero.increase(), 0);
  EXPECT_EQ(zero.increase_sd(), 0);
  EXPECT_NEAR(zero.loss(), 1e-4 + 1e-10, 1e-9);
  const FlatnessRecord a = LossUnderWeightNoise(model, kOne, 0.5, 16, 7);
  const FlatnessRecord b = LossUnderWeightNoise(model, kOne, 0.5, 16, 7);
  EXPECT_EQ(a.increase(), b.increase());  // seeded
  EXPECT_GT(a.increase_sd(), 0);          // the noise moved the loss
  EXPECT_EQ(a.draws(), 16);
  EXPECT_TRUE(torch::equal(model.mlp(0).fc1->weight, before));
}

TEST(GradientProbe, JSquaredReluDoublesTheKeptGradients) {
  // f'(pre) = pre + 1 = 2 where pre = 1: eta = [2e-4, 0, 2e-10].
  OneMlp model{MlpOptions(1, 3).activation(Activation::kJsRelu)};
  const LayerGradient l = MeasureGradients(model, kOne, 0).layers(0);
  EXPECT_NEAR(l.eta_l1(), 2e-4 + 2e-10, 1e-11);
  EXPECT_NEAR(l.eta_l2(), std::sqrt(4e-8 + 4e-20), 1e-11);
  EXPECT_DOUBLE_EQ(l.eta_below(0), 2.0 / 3);  // 0 and 2e-10
  EXPECT_DOUBLE_EQ(l.eta_below(2), 1.0);
}

}  // namespace
}  // namespace sparsity
