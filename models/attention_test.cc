#include "models/attention.h"

#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// Asks for the probabilities: the explicit path.
class WantsProbs : public ActivationObserver {
 public:
  void OnAttention(const AttentionEvent& e) override { probs = e.probs.cpu(); }
  torch::Tensor probs;
};

// Observes MLPs only: the fused path.
class MlpOnly : public ActivationObserver {
 public:
  bool WantsAttention() const override { return false; }
  void OnAttention(const AttentionEvent& e) override { called = true; }
  bool called = false;
};

struct Outputs {
  torch::Tensor y;
  std::vector<torch::Tensor> grads;  // parameters' and the input's
};

Outputs ForwardBackward(SelfAttention& attn, const torch::Tensor& x_in,
                        const torch::Tensor& weights,
                        ActivationObserver* observer) {
  attn->zero_grad();
  torch::Tensor x = x_in.clone().requires_grad_(true);
  torch::Tensor y = attn->forward(x, 0, observer);
  (y * weights).sum().backward();
  Outputs out{y.detach()};
  for (const torch::Tensor& p : attn->parameters())
    out.grads.push_back(p.grad());
  out.grads.push_back(x.grad());
  return out;
}

void ExpectSame(const Outputs& fused_on_device,
                const Outputs& plain_on_device) {
  const auto cpu = [](const Outputs& o) {
    Outputs out{o.y.cpu()};
    for (const torch::Tensor& g : o.grads) out.grads.push_back(g.cpu());
    return out;
  };
  const Outputs fused = cpu(fused_on_device), plain = cpu(plain_on_device);
  EXPECT_TRUE(torch::allclose(fused.y, plain.y, 1e-5, 1e-6))
      << (fused.y - plain.y).abs().max();
  ASSERT_EQ(fused.grads.size(), plain.grads.size());
  for (size_t i = 0; i < fused.grads.size(); ++i) {
    EXPECT_TRUE(torch::allclose(fused.grads[i], plain.grads[i], 1e-4, 1e-5))
        << "gradient " << i << ": "
        << (fused.grads[i] - plain.grads[i]).abs().max();
  }
}

// The tests of the fused path take it on every device.
class SelfAttentionTest : public ::testing::Test {
 protected:
  void SetUp() override { SetFusedAttention(FusedAttention::kAlways); }
  void TearDown() override { SetFusedAttention(FusedAttention::kAuto); }
};

// On the CPU, and on CUDA (LibTorch's CUDA kernels) when there is a GPU.
std::vector<torch::Device> Devices() {
  std::vector<torch::Device> devices = {torch::kCPU};
  if (torch::cuda::is_available()) devices.push_back(torch::kCUDA);
  return devices;
}

TEST_F(SelfAttentionTest, FusedEqualsExplicitForwardAndBackward) {
  for (const auto& [causal, device] :
       {std::pair{true, Devices()[0]}, std::pair{false, Devices()[0]},
        std::pair{true, Devices().back()},
        std::pair{false, Devices().back()}}) {
    SCOPED_TRACE(device.str() + (causal ? " causal" : " not causal"));
    torch::manual_seed(7);
    SelfAttention attn(AttentionOptions(32, 4, 24).causal(causal));
    attn->to(device);
    const torch::Tensor x = torch::randn({3, 17, 32}).to(device);
    const torch::Tensor w = torch::randn({3, 17, 32}).to(device);
    WantsProbs wants;
    const Outputs plain = ForwardBackward(attn, x, w, &wants);
    ASSERT_TRUE(wants.probs.defined());
    MlpOnly mlp_only;
    const Outputs fused = ForwardBackward(attn, x, w, &mlp_only);
    EXPECT_FALSE(mlp_only.called);  // no probabilities were formed
    ExpectSame(fused, plain);
    ExpectSame(ForwardBackward(attn, x, w, nullptr), plain);
  }
}

// Identical tokens give tied scores: uniform attention over the allowed
// keys, in both paths.
TEST_F(SelfAttentionTest, TiedScoresAgree) {
  torch::manual_seed(3);
  SelfAttention attn(AttentionOptions(16, 2, 8));
  const torch::Tensor x = torch::randn({2, 1, 16}).expand({2, 8, 16});
  const torch::Tensor w = torch::randn({2, 8, 16});
  WantsProbs wants;
  const Outputs plain = ForwardBackward(attn, x, w, &wants);
  // Causal, tied: query i spreads 1/(i+1) over keys 0..i.
  EXPECT_NEAR(wants.probs[0][0][3][0].item<float>(), 0.25f, 1e-6);
  ExpectSame(ForwardBackward(attn, x, w, nullptr), plain);
}

// The fused causal path never looks ahead: changing later tokens leaves
// earlier outputs exactly as they were.
TEST_F(SelfAttentionTest, FusedCausalMaskHidesLaterTokens) {
  for (const torch::Device& device : Devices()) {
    torch::manual_seed(5);
    SelfAttention attn(AttentionOptions(32, 4, 16));
    attn->to(device);
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::randn({2, 12, 32}).to(device);
    torch::Tensor changed = x.clone();
    changed.slice(1, 7, 12).normal_();
    const torch::Tensor a = attn->forward(x, 0), b = attn->forward(changed, 0);
    EXPECT_TRUE(torch::equal(a.slice(1, 0, 7), b.slice(1, 0, 7)));
    EXPECT_FALSE(torch::allclose(a.slice(1, 7, 12), b.slice(1, 7, 12)));
  }
}

// The policy: auto is explicit on the CPU (the observer that does not want
// the probabilities still sees them formed), fused on CUDA; never and
// always hold on any device.
TEST(SelfAttention, PolicyPicksThePath) {
  SelfAttention attn(AttentionOptions(16, 2, 8));
  const torch::Tensor x = torch::randn({2, 8, 16});
  const auto explicit_path = [&](FusedAttention policy, torch::Device d) {
    SetFusedAttention(policy);
    attn->to(d);
    MlpOnly observer;
    attn->forward(x.to(d), 0, &observer);
    SetFusedAttention(FusedAttention::kAuto);
    return observer.called;
  };
  EXPECT_TRUE(explicit_path(FusedAttention::kAuto, torch::kCPU));
  EXPECT_FALSE(explicit_path(FusedAttention::kAlways, torch::kCPU));
  EXPECT_TRUE(explicit_path(FusedAttention::kNever, torch::kCPU));
  if (torch::cuda::is_available()) {
    EXPECT_FALSE(explicit_path(FusedAttention::kAuto, torch::kCUDA));
    EXPECT_TRUE(explicit_path(FusedAttention::kNever, torch::kCUDA));
  }
}

}  // namespace
}  // namespace sparsity
