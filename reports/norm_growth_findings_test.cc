#include "reports/norm_growth_findings.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

// A hand-built run: 5 points at steps 0, 100, .., 400 (trajectory steps
// 0, 200, 400), groups "block 0" and "final".
struct RunSpec {
  std::string variant = "adamw", role = "reference";
  int seed = 1;
  double body_alpha = 1.0, all_alpha = 1.0, r2 = 0.99;  // beta of rho^2
  double late = 0.02, loss = 2.0;
  std::vector<double> sat_init = {0.2, 0.3}, sat_end = {0.5, 0.1};
  double early_change = 4e-3, late_change = 1e-3;
  int between_heads = 0;  // of 4
};

void AddFits(NormGrowthRecord& r, const std::string& group,
             const std::string& clock, double alpha, double r2) {
  GroupFits& g = *r.add_group_fits();
  g.set_group(group);
  g.set_clock(clock);
  for (int i = 0; i < 3; ++i) g.add_fits()->set_r2(r2);
  g.mutable_fits(2)->set_alpha(alpha);
}

TrainingRecord MakeRun(const RunSpec& s) {
  TrainingRecord t;
  t.set_variant(s.variant);
  t.set_role(s.role);
  t.set_name(absl::StrCat(s.variant, "/i", s.seed));
  t.set_init_seed(s.seed);
  t.set_data_seed(s.seed);
  NormGrowthRecord& r = *t.mutable_norm_growth();
  r.add_groups("block 0");
  r.add_groups("final");
  for (int i = 0; i < 5; ++i) {
    NormPoint& p = *r.add_points();
    p.set_step(100 * i);
    const double block = 3 + i, fin = 4 + 2 * i;
    p.add_group_rho(block);
    p.add_group_rho(fin);
    p.set_rho(std::sqrt(block * block + fin * fin));
    p.set_probe_loss(static_cast<float>(s.loss));
    if (i % 2 == 0) {
      for (size_t l = 0; l < s.sat_init.size(); ++l) {
        p.add_saturation(static_cast<float>(
            s.sat_init[l] + (s.sat_end[l] - s.sat_init[l]) * i / 4));
      }
    }
  }
  for (int i = 0; i < 3; ++i) r.add_fits()->set_r2(s.r2);
  r.mutable_fits(2)->set_alpha(s.all_alpha);
  for (const char* clock : {"steps", "cumulative_lr"}) {
    AddFits(r, "all", clock, s.all_alpha, s.r2);
    AddFits(r, "body", clock, s.body_alpha, s.r2);
  }
  r.set_late_growth_fraction(s.late);
  // Direction at steps 0, 100, .., 400: 1 - cos(200, 300) = early,
  // 1 - cos(300, 400) = late.
  DirectionMatrix& d = *r.mutable_direction();
  for (int64_t step : {0, 100, 200, 300, 400}) d.add_steps(step);
  const double e = 1 - s.early_change, l = 1 - s.late_change;
  const double c[5][5] = {{1, 0.95, 0.9, 0.9, 0.9},
                          {0.95, 1, 0.95, 0.95, 0.95},
                          {0.9, 0.95, 1, e, 0.99},
                          {0.9, 0.95, e, 1, l},
                          {0.9, 0.95, 0.99, l, 1}};
  for (const auto& row : c) {
    for (double v : row) d.add_cos(v);
  }
  r.set_mean_visible_keys(64.5f);
  for (int h = 0; h < 4; ++h) {
    HeadPositions& p = *r.add_heads();
    p.set_layer(0);
    p.set_head(h);
    p.set_mean(1.0f);
    const bool between = h < s.between_heads;
    p.set_c1_effective_keys(between ? 4.0f : (h % 2 ? 1.1f : 50.0f));
    p.set_c1_spread(between ? 0.1f : (h % 2 ? 0.02f : 0.8f));
  }
  ParameterNorm& ln = *r.add_parameter_norms();
  ln.set_name("blocks.0.ln1.weight");
  ln.set_init(8);
  ln.set_final(8);
  ParameterNorm& head = *r.add_parameter_norms();
  head.set_name("head.weight");
  head.set_init(6);
  head.set_final(10);
  return t;
}

NormGrowthResults MakeResults(int seeds, const RunSpec& ref,
                              const RunSpec& constant, const RunSpec& sgd) {
  NormGrowthResults r;
  r.mutable_config()->set_saturation_scale(1000);
  r.mutable_config()->set_tie_tolerance(0);
  for (const RunSpec* spec : {&ref, &constant, &sgd}) {
    for (int i = 1; i <= seeds; ++i) {
      RunSpec s = *spec;
      s.seed = i;
      s.body_alpha += 0.01 * i;  // a little spread over seeds
      s.all_alpha += 0.01 * i;
      s.late += 0.001 * i;
      *r.add_runs() = MakeRun(s);
    }
  }
  return r;
}

RunSpec Constant() {
  RunSpec s;
  s.variant = "constant";
  s.role = "constant_lr";
  return s;
}

RunSpec Sgd(double loss) {
  RunSpec s;
  s.variant = "sgd";
  s.role = "optimizer";
  s.loss = loss;
  return s;
}

TEST(NormGrowthFindings, KnownAnswers) {
  RunSpec ref;
  ref.all_alpha = 1.8;  // the whole vector grows faster than sqrt(t)
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(5, ref, Constant(), Sgd(2.01)));
  EXPECT_EQ(f.reference, "adamw");
  EXPECT_EQ(f.reference_runs, 5);
  ASSERT_EQ(f.variants.size(), 3u);
  EXPECT_NEAR(f.variants[0].body_steps.alpha.mean, 1.03, 1e-9);
  EXPECT_EQ(FindResult(f.verdicts, kM1BodyConstant).verdict,
            Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, kM1BodySchedule).verdict,
            Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, kM1AllReference).verdict,
            Verdict::kContradicts);
  // ln(4e-3 / 1e-3) in every run: the direction converges.
  EXPECT_NEAR(FindResult(f.verdicts, kM2Constant).stats.mean, std::log(4.0),
              1e-9);
  EXPECT_EQ(FindResult(f.verdicts, kM2Constant).verdict, Verdict::kSupports);
  // Layer 0 rises from 0.2 to 0.5, layer 1 falls from 0.3 to 0.1.
  ASSERT_EQ(f.saturation.steps.size(), 3u);
  EXPECT_NEAR(f.saturation.end[0].mean, 0.5, 1e-6);
  EXPECT_EQ(FindResult(f.verdicts, "M3.layer0").verdict, Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, "M3.layer1").verdict, Verdict::kContradicts);
  // Every head is argmax- or mean-like at c = 1.
  EXPECT_EQ(f.heads.at_one.argmax, 10);
  EXPECT_EQ(f.heads.at_one.mean, 10);
  EXPECT_EQ(FindResult(f.verdicts, kM4AtOne).verdict, Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, "stop.adamw").verdict, Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, "stop.sgd").verdict, Verdict::kSupports);
}

TEST(NormGrowthFindings, ExactTiesCannotMakeAMeanHead) {
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(5, RunSpec(), Constant(), Sgd(2.0)));
  EXPECT_EQ(FindResult(f.verdicts, kM4Saturated).verdict,
            Verdict::kNotTestable);
  EXPECT_EQ(f.heads.saturated.argmax, 20);
}

TEST(NormGrowthFindings, NearTiesMakeTheSaturatedHeadsTestable) {
  NormGrowthResults r = MakeResults(5, RunSpec(), Constant(), Sgd(2.0));
  r.mutable_config()->set_tie_tolerance(0.1f);
  const NormGrowthFindings f = AnalyzeNormGrowth(r);
  const ComparisonResult& m4 = FindResult(f.verdicts, kM4Saturated);
  EXPECT_EQ(m4.stats.n, 5);
  EXPECT_EQ(m4.stats.mean, 0);  // every saturated head is an argmax head
}

TEST(NormGrowthFindings, HeadsBetweenKindsContradict) {
  RunSpec ref;
  ref.between_heads = 3;  // 75% of heads neither argmax- nor mean-like
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(5, ref, Constant(), Sgd(2.0)));
  EXPECT_EQ(f.heads.at_one.between, 15);
  EXPECT_EQ(FindResult(f.verdicts, kM4AtOne).verdict, Verdict::kContradicts);
}

TEST(NormGrowthFindings, PoorFitOrPoorTrainingGivesNoValidTest) {
  RunSpec constant = Constant();
  constant.r2 = 0.95;  // no power law fits
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(5, RunSpec(), constant, Sgd(2.3)));
  const ComparisonResult& m1 = FindResult(f.verdicts, kM1BodyConstant);
  EXPECT_EQ(m1.verdict, Verdict::kInconclusive);
  EXPECT_NE(m1.comparison.no_valid_test.find("R^2"), std::string::npos);
  const ComparisonResult& sgd = FindResult(f.verdicts, "stop.sgd");
  EXPECT_EQ(sgd.verdict, Verdict::kInconclusive);
  EXPECT_NE(sgd.comparison.no_valid_test.find("+0.300"), std::string::npos);
  EXPECT_FALSE(f.variants[2].comparable);
}

TEST(NormGrowthFindings, FourSeedsAreInconclusive) {
  RunSpec ref;
  ref.all_alpha = 1.8;
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(4, ref, Constant(), Sgd(2.0)));
  for (const ComparisonResult& r : f.verdicts) {
    EXPECT_TRUE(r.verdict == Verdict::kInconclusive ||
                r.verdict == Verdict::kNotTestable)
        << r.comparison.id;
  }
}

TEST(NormGrowthFindings, WhatRhoIsMadeOf) {
  const NormGrowthFindings f =
      AnalyzeNormGrowth(MakeResults(5, RunSpec(), Constant(), Sgd(2.0)));
  ASSERT_EQ(f.kinds.size(), 2u);
  EXPECT_EQ(f.kinds[0].kind, "LayerNorm gains");
  EXPECT_NEAR(f.kinds[0].init_share.mean, 64.0 / 100, 1e-12);
  EXPECT_NEAR(f.kinds[1].rise_share.mean, 1.0, 1e-12);  // only the head rose
  // Groups: all, body, block 0, final; "final" 4 -> 12 of rho^2 25 -> 193.
  ASSERT_EQ(f.groups.size(), 4u);
  EXPECT_EQ(f.groups[1].group, "body");
  EXPECT_NEAR(f.groups[1].init.mean, 3, 1e-12);
  EXPECT_NEAR(f.groups[3].share.mean, (144.0 - 16) / (193 - 25), 1e-12);
}

TEST(NormGrowthFindings, ParameterKinds) {
  EXPECT_EQ(ParameterKind("ln_f.weight"), "LayerNorm gains");
  EXPECT_EQ(ParameterKind("blocks.1.ln2.bias"), "LayerNorm biases");
  EXPECT_EQ(ParameterKind("tok_emb.weight"), "embeddings");
  EXPECT_EQ(ParameterKind("head.weight"), "output head");
  EXPECT_EQ(ParameterKind("blocks.0.attn.qkv.weight"), "attention weights");
  EXPECT_EQ(ParameterKind("blocks.0.mlp.fc1.weight"), "MLP weights");
  EXPECT_EQ(ParameterKind("blocks.0.mlp.fc1.bias"), "other biases");
}

}  // namespace
}  // namespace sparsity
