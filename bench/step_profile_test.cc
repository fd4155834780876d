#include "bench/step_profile.h"

#include "gtest/gtest.h"
#include "models/attention.h"
#include "models/transformer_lm.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

constexpr int kAttention = 0, kMlp = 1, kNorms = 2, kOptimizer = 3, kOther = 4;

// A step with one product of known shape in an "mlp" scope, a LayerNorm
// outside any scope, and an update in an "optimizer" scope.
void Step(torch::Tensor& x, torch::Tensor& w, torch::Tensor& b) {
  torch::Tensor y;
  {
    RECORD_USER_SCOPE("mlp");
    y = torch::relu(torch::linear(x, w, b));  // [8,16] x [16,32]: addmm
  }
  torch::Tensor loss = torch::layer_norm(y, {32}).square().sum();
  loss.backward();  // AddmmBackward0: two mm, x's and w's gradients
  {
    RECORD_USER_SCOPE("optimizer");
    torch::NoGradGuard no_grad;
    w.sub_(0.1 * w.grad());
  }
}

struct Tensors {
  torch::Tensor x = torch::randn({8, 16}).requires_grad_();
  torch::Tensor w = torch::randn({32, 16}).requires_grad_();
  torch::Tensor b = torch::randn({32}).requires_grad_();
};

TEST(StepProfiler, AttributesForwardAndBackwardToTheForwardScope) {
  Tensors t;
  StepBreakdown b;
  {
    StepProfiler profiler;
    Step(t.x, t.w, t.b);
    b = profiler.Breakdown();
  }
  // The forward addmm and both backward products belong to the MLP.
  EXPECT_EQ(b.gemms[kMlp], 3);
  EXPECT_EQ(b.gemms[kOther] + b.gemms[kNorms] + b.gemms[kOptimizer], 0);
  EXPECT_GT(b.gemm_seconds[kMlp], 0);
  EXPECT_GE(b.seconds[kMlp], b.gemm_seconds[kMlp]);
  EXPECT_GT(b.seconds[kNorms], 0);      // layer_norm and its backward
  EXPECT_GT(b.seconds[kOptimizer], 0);  // the update
  EXPECT_GT(b.seconds[kOther], 0);      // square, sum, the seed gradient
  EXPECT_EQ(b.seconds[kAttention], 0);
  EXPECT_GT(b.ops, 8);
}

TEST(StepProfiler, StopsObservingWhenDestroyed) {
  Tensors t;
  { StepProfiler profiler; }
  Step(t.x, t.w, t.b);  // unobserved (a callback left behind would crash)
  StepProfiler again;   // a second one may start, and starts from zero
  EXPECT_EQ(again.Breakdown().ops, 0);
  torch::relu(t.x);
  EXPECT_EQ(again.Breakdown().ops, 1);
}

// A real training step of a 2-layer LM with explicit attention: per layer,
// attention runs 4 products forward (qkv, scores, context, projection) and
// 8 backward, the MLP 2 and 4; the untied head 1 and 2.
TEST(StepProfiler, SplitsALanguageModelsStep) {
  SetFusedAttention(FusedAttention::kNever);
  torch::manual_seed(1);
  TransformerLM lm(TransformerLMOptions(64, 32, 2, 4, 64, 16));
  const torch::Tensor tokens = torch::randint(64, {3, 16});
  const auto step = [&] {
    torch::Tensor logits = lm->forward(tokens);
    torch::nn::functional::cross_entropy(logits.view({-1, 64}),
                                         tokens.view({-1}))
        .backward();
  };
  StepBreakdown b;
  {
    StepProfiler profiler;
    step();
    b = profiler.Breakdown();
  }
  EXPECT_EQ(b.gemms[kAttention], 24);
  EXPECT_EQ(b.gemms[kMlp], 12);
  EXPECT_EQ(b.gemms[kOther], 3);
  EXPECT_EQ(b.gemms[kNorms] + b.gemms[kOptimizer], 0);
  EXPECT_GT(b.seconds[kNorms], 0);
  EXPECT_EQ(CaptureGemms(step).size(), 39u);
  SetFusedAttention(FusedAttention::kAuto);
}

TEST(CaptureGemms, RecordsEveryProductWithItsShapesAndFlops) {
  Tensors t;
  const std::vector<GemmCall> gemms =
      CaptureGemms([&] { Step(t.x, t.w, t.b); });
  ASSERT_EQ(gemms.size(), 3u);
  EXPECT_EQ(gemms[0].name, "aten::addmm");
  // Each is 8 x 16 x 32 multiply-adds, whatever the transposition.
  for (const GemmCall& g : gemms) EXPECT_EQ(g.flops, 2.0 * 8 * 16 * 32);
  EXPECT_EQ(gemms[0].args[0].sizes, std::vector<int64_t>{32});  // the bias
  EXPECT_GT(TimeGemms(gemms, 3), 0);
}

TEST(TimeGemms, ReplaysBroadcastAndTransposedOperands) {
  torch::Tensor bias = torch::randn({32}).expand({8, 32});  // stride 0
  torch::Tensor x = torch::randn({8, 16}), w = torch::randn({32, 16});
  const std::vector<GemmCall> gemms =
      CaptureGemms([&] { torch::addmm(bias, x, w.t()); });
  ASSERT_EQ(gemms.size(), 1u);
  EXPECT_EQ(gemms[0].args[0].strides, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(gemms[0].args[2].strides, (std::vector<int64_t>{1, 16}));
  EXPECT_GT(TimeGemms(gemms, 3), 0);
}

TEST(CaptureGemms, SeesBatchedProducts) {
  torch::Tensor a = torch::randn({4, 8, 16}), c = torch::randn({4, 16, 2});
  const std::vector<GemmCall> gemms = CaptureGemms([&] { torch::bmm(a, c); });
  ASSERT_EQ(gemms.size(), 1u);
  EXPECT_EQ(gemms[0].name, "aten::bmm");
  EXPECT_EQ(gemms[0].flops, 2.0 * 4 * 8 * 16 * 2);
}

}  // namespace
}  // namespace sparsity
