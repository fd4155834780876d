#include "metrics/norm_growth.h"

#include <cmath>

#include "gtest/gtest.h"
#include "models/transformer_lm.h"

namespace sparsity {
namespace {

std::vector<double> Steps() {
  std::vector<double> t;
  for (int i = 0; i <= 40; ++i) t.push_back(25.0 * i);
  return t;
}

TEST(FitNormGrowth, SqrtGrowthIsFittedExactlyBySqrtAndPower) {
  const std::vector<double> t = Steps();
  std::vector<double> rho;
  for (double x : t) rho.push_back(3 + 2 * std::sqrt(x));
  const std::vector<NormFit> fits = FitNormGrowth(t, rho);
  ASSERT_EQ(fits.size(), 3u);
  EXPECT_EQ(fits[0].form(), "t");
  EXPECT_EQ(fits[1].form(), "sqrt_t");
  EXPECT_EQ(fits[2].form(), "power");
  EXPECT_NEAR(fits[1].a(), 3, 1e-9);
  EXPECT_NEAR(fits[1].b(), 2, 1e-9);
  EXPECT_NEAR(fits[1].r2(), 1, 1e-12);
  EXPECT_LT(fits[0].r2(), 0.99);  // a line does not fit sqrt(t)
  EXPECT_NEAR(fits[2].alpha(), 0.5, 1e-4);
  EXPECT_NEAR(fits[2].r2(), 1, 1e-9);
}

TEST(FitNormGrowth, PowerFitRecoversAlpha) {
  const std::vector<double> t = Steps();
  for (double alpha : {0.3, 0.7, 1.0, 1.6}) {
    std::vector<double> rho;
    for (double x : t) rho.push_back(10 + 0.5 * std::pow(x, alpha));
    const NormFit power = FitNormGrowth(t, rho)[2];
    EXPECT_NEAR(power.alpha(), alpha, 1e-3) << alpha;
    EXPECT_NEAR(power.a(), 10, 1e-2) << alpha;
    EXPECT_NEAR(power.b(), 0.5, 1e-2) << alpha;
  }
}

TEST(FitNormGrowth, RSquaredOfAKnownFit) {
  // rho = (1, 3, 2) at t = (0, 1, 2): the line 1.5 + 0.5 t leaves residuals
  // (-0.5, 1, -0.5), SS_res 1.5 against SS_tot 2: R^2 = 0.25.
  const NormFit fit = FitAtAlpha({0, 1, 2}, {1, 3, 2}, 1.0);
  EXPECT_NEAR(fit.a(), 1.5, 1e-12);
  EXPECT_NEAR(fit.b(), 0.5, 1e-12);
  EXPECT_NEAR(fit.r2(), 0.25, 1e-12);
}

TEST(FindGrowthStop, PlateauAndLateGrowth) {
  const std::vector<int64_t> steps = {0, 10, 20, 30, 40, 50, 60, 70, 80};
  // Rises by 3 until step 30, then flat: 95% of the rise at step 30, none in
  // the last quarter (steps 60..80).
  GrowthStop s = FindGrowthStop(steps, {1, 2, 3, 4, 4, 4, 4, 4, 4});
  EXPECT_EQ(s.growth_95_step, 30);
  EXPECT_DOUBLE_EQ(s.late_growth_fraction, 0);
  // Linear growth: 95% at the end; the last quarter holds a quarter of it.
  s = FindGrowthStop(steps, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(s.growth_95_step, 80);
  EXPECT_DOUBLE_EQ(s.late_growth_fraction, 0.25);
  // Never above the start: no growth to stop.
  s = FindGrowthStop(steps, {5, 4, 3, 3, 3, 3, 3, 3, 3});
  EXPECT_EQ(s.growth_95_step, 0);
  EXPECT_DOUBLE_EQ(s.late_growth_fraction, 0);
}

TEST(ParameterGroup, NamesByPrefix) {
  EXPECT_EQ(ParameterGroup("tok_emb.weight"), "embeddings");
  EXPECT_EQ(ParameterGroup("pos_emb.weight"), "embeddings");
  EXPECT_EQ(ParameterGroup("blocks.0.attn.qkv.weight"), "block 0");
  EXPECT_EQ(ParameterGroup("blocks.11.ln2.bias"), "block 11");
  EXPECT_EQ(ParameterGroup("ln_f.weight"), "final");
  EXPECT_EQ(ParameterGroup("head.weight"), "final");
}

TEST(MeasureNorms, KnownValuesAndOnlyTrainableTensors) {
  torch::nn::Module m;
  auto emb =
      m.register_module("tok_emb", std::make_shared<torch::nn::Module>());
  auto blocks =
      m.register_module("blocks", std::make_shared<torch::nn::Module>());
  auto block0 =
      blocks->register_module("0", std::make_shared<torch::nn::Module>());
  emb->register_parameter("w", torch::full({3, 4}, 2.0));  // 12 * 4
  block0->register_parameter("w", torch::full({9}, 1.0));  // 9 * 1
  m.register_parameter("scalar", torch::tensor(100.0));    // ndim 0
  m.register_parameter("frozen", torch::full({5}, 7.0),
                       /*requires_grad=*/false);
  const std::vector<std::string> groups = ParameterGroups(m);
  ASSERT_EQ(groups, (std::vector<std::string>{"embeddings", "block 0"}));
  const ParameterNorms n = MeasureNorms(m, groups);
  EXPECT_DOUBLE_EQ(n.rho, std::sqrt(48.0 + 9.0));
  EXPECT_DOUBLE_EQ(n.group_rho[0], std::sqrt(48.0));
  EXPECT_DOUBLE_EQ(n.group_rho[1], 3.0);
  EXPECT_EQ(FlatParameters(m).numel(), 21);
}

TEST(MeasureNorms, GroupsOfTheLanguageModel) {
  TransformerLM lm(TransformerLMOptions(50, 16, 3, 2, 32, 8));
  EXPECT_EQ(ParameterGroups(*lm),
            (std::vector<std::string>{"embeddings", "block 0", "block 1",
                                      "block 2", "final"}));
  const ParameterNorms n = MeasureNorms(*lm, ParameterGroups(*lm));
  double sum = 0;
  for (double g : n.group_rho) sum += g * g;
  EXPECT_NEAR(n.rho, std::sqrt(sum), 1e-9);
  EXPECT_NEAR(n.rho, FlatParameters(*lm).norm().item<double>(), 1e-9);
}

TEST(Cosine, KnownVectors) {
  const auto t = [](std::vector<double> v) {
    return torch::tensor(v, torch::kDouble);
  };
  EXPECT_NEAR(Cosine(t({1, 0}), t({1, 1})), 1 / std::sqrt(2.0), 1e-15);
  EXPECT_DOUBLE_EQ(Cosine(t({1, 2}), t({-2, -4})), -1);
  EXPECT_DOUBLE_EQ(Cosine(t({0, 0}), t({1, 1})), 0);
  NormPoint p;
  SetStepGeometry(t({3, 4}), t({3, 5}), &p);
  EXPECT_TRUE(p.has_next());
  EXPECT_NEAR(p.direction_cos(), 29 / (5 * std::sqrt(34.0)), 1e-15);
  EXPECT_NEAR(p.alignment_cos(), 0.8, 1e-15);
  EXPECT_NEAR(p.step_size(), 1, 1e-15);
}

TEST(MeanTokenCosine, MeanOverTokens) {
  // Tokens: identical (1), opposite (-1), orthogonal (0), zero (0).
  const torch::Tensor a =
      torch::tensor({1.f, 0.f, 2.f, 2.f, 1.f, 0.f, 0.f, 0.f}).view({2, 2, 2});
  const torch::Tensor b =
      torch::tensor({3.f, 0.f, -1.f, -1.f, 0.f, 5.f, 1.f, 1.f}).view({2, 2, 2});
  EXPECT_NEAR(MeanTokenCosine(a, b), 0.0, 1e-12);
  EXPECT_NEAR(MeanTokenCosine(a.slice(0, 0, 1), b.slice(0, 0, 1)), 0.0, 1e-12);
  EXPECT_NEAR(MeanTokenCosine(a.slice(1, 0, 1), b.slice(1, 0, 1)), 0.5, 1e-12);
}

TEST(AttendedPositions, CountsPerHead) {
  // One sequence, two heads, three queries (causal rows).
  const torch::Tensor probs =
      torch::tensor({// head 0: argmax everywhere
                     1.f, 0.f, 0.f, 0.f, 1.f, 0.f, 1e-6f, 0.f, 1.f,
                     // head 1: uniform over the visible prefix
                     1.f, 0.f, 0.f, .5f, .5f, 0.f, 1 / 3.f, 1 / 3.f, 1 / 3.f})
          .view({1, 2, 3, 3});
  const std::vector<HeadPositions> h = AttendedPositions(probs, 1e-5f, 4);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].layer(), 4);
  EXPECT_EQ(h[1].head(), 1);
  EXPECT_FLOAT_EQ(h[0].mean(), 1);
  EXPECT_FLOAT_EQ(h[0].std(), 0);
  EXPECT_FLOAT_EQ(h[0].p_more_than_one(), 0);
  EXPECT_FLOAT_EQ(h[1].mean(), 2);
  EXPECT_FLOAT_EQ(h[1].std(), std::sqrt(2.0 / 3.0));
  EXPECT_FLOAT_EQ(h[1].p_more_than_one(), 2.0 / 3.0);
}

}  // namespace
}  // namespace sparsity
