#include "reports/gradient_sparsity_findings.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

struct Arm {
  std::string name, role;
  double density = 0.3, quality = 0.8;  // held-out density, accuracy
  double active6 = 0.2;                 // |eta| < 1e-6 among active entries
  double flat = 0.01;                   // loss rise under 5% weight noise
  bool flatness = true;
  int top = 3;  // fc1 eigenvalues above 10 x mean at the end
};

void AddGradient(TrainingRecord& t, int64_t step, double top, double active6) {
  GradientProbe& g = *t.add_gradient_probes();
  g.set_step(step);
  for (int l = 0; l < 2; ++l) {
    LayerGradient& layer = *g.add_layers();
    layer.set_layer(l);
    for (double v : {0.5, 0.7, 1.0}) layer.add_eta_below(v);
    layer.set_density(0.4);
    layer.set_loss_token_fraction(l == 1 ? 0.1 : 1.0);
    layer.add_active_eta_below(active6 / 2);
    layer.add_active_eta_below(active6);
    SpectralRecord& r01 = *layer.add_spectral();
    r01.set_r(0.1);
    r01.set_nonzero(64);
    SpectralRecord& r10 = *layer.add_spectral();
    r10.set_r(10);
    r10.set_nonzero(static_cast<int>(top));
  }
}

TrainingRecord MakeRun(const Arm& a, int seed) {
  TrainingRecord t;
  t.set_variant(a.name);
  t.set_role(a.role);
  t.set_name(absl::StrCat(a.name, "/i", seed));
  t.set_init_seed(seed);
  t.set_data_seed(seed);
  t.mutable_config()->mutable_model()->set_family(ModelConfig::VIT);
  t.mutable_timings()->set_tokens_per_second(1000);
  const double wobble = 1 + 0.01 * seed;  // a little spread over seeds
  Probe& p = *t.add_probes();
  p.set_step(100);
  for (int l = 0; l < 2; ++l) {
    p.add_layers()->set_token_density_mean(
        static_cast<float>(a.density * wobble));
  }
  p.set_probe_accuracy(static_cast<float>(a.quality + 0.0005 * seed));
  AddGradient(t, 0, 0, a.active6);
  AddGradient(t, 100, a.top + seed % 2, a.active6 * wobble);
  if (a.flatness) {
    FlatnessRecord& f = *t.add_flatness();
    f.set_sigma(0.05);
    f.set_increase(a.flat * wobble);
  }
  return t;
}

GradientSparsityResults MakeResults(const std::vector<Arm>& arms, int seeds) {
  GradientSparsityResults r;
  for (const Arm& a : arms) {
    for (int s = 1; s <= seeds; ++s) *r.add_runs() = MakeRun(a, s);
  }
  return r;
}

std::vector<Arm> Arms() {
  return {{"vit", "baseline", 0.30, 0.80, 0.20, 0.020},
          {"vit_jsrelu", "jsrelu", 0.24, 0.80, 0.20, 0.015},
          {"vit_zb_out", "zeroth_bias", 0.36, 0.79, 0.20, 0.030},
          {"vit_both_out", "both", 0.27, 0.8001, 0.20, 0.018},
          {"vit_ft_control", "finetune_control", 0.30, 0.82, 0.20, 0.020},
          {"vit_ft", "finetune", 0.30, 0.82, 0.20, 0.020}};
}

TEST(GradientSparsityFindings, EveryVariantIsTestedAgainstItsReference) {
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(Arms(), 5));
  ASSERT_EQ(g.families.size(), 1u);
  const FamilyFindings& f = g.families[0];
  ASSERT_EQ(f.scratch.size(), 4u);
  ASSERT_EQ(f.finetune.size(), 2u);
  EXPECT_NEAR(f.scratch[1].change.mean, -0.2, 1e-6);
  EXPECT_EQ(FindResult(g.verdicts, "P1.vit_jsrelu").verdict,
            Verdict::kSupports);
  // Denser beyond doubt: contradicts, and counted as such in the tally.
  EXPECT_EQ(FindResult(g.verdicts, "P2.vit_zb_out").verdict,
            Verdict::kContradicts);
  EXPECT_EQ(FindResult(g.verdicts, "P2.vit_both_out").verdict,
            Verdict::kSupports);
  // Accuracy 0.8001 against 0.80: equal within half a point.
  EXPECT_EQ(FindResult(g.verdicts, "P6.vit_both_out").verdict,
            Verdict::kSupports);
  // The finetuned model is as dense as its control: no effect shown.
  EXPECT_EQ(FindResult(g.verdicts, "P3.vit_ft").verdict,
            Verdict::kInconclusive);
  EXPECT_EQ(g.compared, 4);
  EXPECT_EQ(g.sparser, 2);
  EXPECT_EQ(g.denser, 1);
  EXPECT_EQ(g.half_of_paper, 0);  // -20% is not -25%
  // The same count of large eigenvalues in every variant: no correlation.
  EXPECT_EQ(FindResult(g.verdicts, "P5.vit").verdict, Verdict::kInconclusive);
  // An absolute threshold: no valid test, with the reason.
  const ComparisonResult& p4 = FindResult(g.verdicts, "P4.vit");
  EXPECT_EQ(p4.verdict, Verdict::kInconclusive);
  EXPECT_NE(p4.reason.find("absolute"), std::string::npos);
  // P6 needs both: sparser and equal (vit_both_out), or not (vit_ft).
  EXPECT_EQ(f.scratch[3].joint.verdict, Verdict::kSupports);
  EXPECT_EQ(f.finetune[1].joint.verdict, Verdict::kInconclusive);
  // Density and the loss rise go together over the variants of each seed.
  EXPECT_GT(f.p7_correlation.mean, 0.9);
  EXPECT_EQ(FindResult(g.verdicts, "P7.vit").verdict, Verdict::kSupports);
  // Every variant has a scorecard row, and P4, P5, P7 one per family.
  EXPECT_EQ(g.claims.size(), 4u + 2u + 3u);
}

TEST(GradientSparsityFindings, MoreConcentratedSparserVariantsSupportP5) {
  std::vector<Arm> arms = Arms();
  // Eigenvalue counts fall as density rises (0.24 -> 6, 0.36 -> 1).
  for (Arm& a : arms)
    a.top = static_cast<int>(std::lround(16 - 42 * a.density));
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(arms, 5));
  EXPECT_LT(g.families[0].p5_correlation.mean, -0.8);
  EXPECT_EQ(FindResult(g.verdicts, "P5.vit").verdict, Verdict::kSupports);
}

TEST(GradientSparsityFindings, WhatTheFullFractionIsMadeOf) {
  std::vector<Arm> arms = Arms();
  arms[0].active6 = 0.01;  // 1% of active entries: the rest are the zeros
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(arms, 5));
  // Full fraction 70% against activation zeros 60%: reported, not tested.
  EXPECT_NEAR(g.families[0].scratch[0].eta_full.mean, 0.7, 1e-9);
  EXPECT_NEAR(g.families[0].scratch[0].zeros.mean, 0.6, 1e-9);
  EXPECT_NEAR(g.families[0].layers[1].loss_tokens.mean, 0.1, 1e-9);
}

TEST(GradientSparsityFindings, NoFlatnessIsNotTestable) {
  std::vector<Arm> arms = Arms();
  for (Arm& a : arms) a.flatness = false;
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(arms, 5));
  EXPECT_EQ(FindResult(g.verdicts, "P7.vit").verdict, Verdict::kNotTestable);
}

TEST(GradientSparsityFindings, FourSeedsAreInconclusive) {
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(Arms(), 4));
  for (const ComparisonResult& r : g.verdicts) {
    EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.comparison.id;
  }
  EXPECT_EQ(g.sparser, 0);
}

TEST(GradientSparsityFindings, ConstantColumnsAreFound) {
  const GradientSparsityFindings g =
      AnalyzeGradientSparsity(MakeResults(Arms(), 5));
  EXPECT_EQ(g.eta3.min, 1.0);
  EXPECT_EQ(g.count01.min, 64);
  EXPECT_EQ(g.count01.max, 64);
}

}  // namespace
}  // namespace sparsity
