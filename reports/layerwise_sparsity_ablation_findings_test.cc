#include "reports/layerwise_sparsity_ablation_findings.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

// One run of `variant` (role `role`): two layers, probes at 0 and 100;
// layer 0 ends with window union `w0`, batch union `b0`, rare units `rare0`;
// the last layer with window union 0.8 and batch union 0.95.
TrainingRecord MakeRun(const std::string& variant, const std::string& role,
                       int seed, double w0, double b0, double rare0,
                       double heldout = 2.0) {
  TrainingRecord r;
  r.set_name(absl::StrCat(variant, "/i", seed, "-d", seed));
  r.set_variant(variant);
  r.set_role(role);
  r.set_init_seed(seed);
  r.set_data_seed(seed);
  r.mutable_config()->mutable_train()->set_steps(100);
  for (int step : {0, 100}) {
    Probe* p = r.add_probes();
    p->set_step(step);
    p->set_probe_loss(heldout);
    LayerSparsity* l0 = p->add_layers();
    l0->set_window_union_density(w0);
    l0->set_window_tokens(512);
    l0->set_batch_union_density(b0);
    l0->set_rare_unit_fraction(rare0);
    l0->set_token_density_mean(w0 / 4);
    LayerSparsity* l1 = p->add_layers();
    l1->set_layer(1);
    l1->set_window_union_density(0.8);
    l1->set_batch_union_density(0.95);
    l1->set_token_density_mean(0.1);
  }
  return r;
}

// Five seeds: the reference's layer 0 at window union ~0.9 and batch union
// 100%; `post` lowers the window union to ~0.5 and the batch union to ~0.7;
// `wide` changes nothing but noise and stays at 100%.
LayerwiseSparsityResults Sweep() {
  LayerwiseSparsityResults r;
  const double noise[] = {0.01, -0.02, 0.015, -0.005, 0.0};
  for (int s = 1; s <= 5; ++s) {
    const double e = noise[s - 1];
    *r.add_runs() = MakeRun("ref", "reference", s, 0.9 + e, 1, 0.01);
  }
  for (int s = 1; s <= 5; ++s) {
    const double e = noise[s - 1];
    *r.add_runs() = MakeRun("post", "normalisation", s, 0.5 - e, 0.7 + e, 0.4);
  }
  const double other[] = {-0.01, 0.02, 0.005, -0.015, 0.01};
  for (int s = 1; s <= 5; ++s) {
    *r.add_runs() = MakeRun("wide", "width", s, 0.9 + other[s - 1], 1, 0.01);
  }
  return r;
}

TEST(AnalyzeAblation, KnownAnswers) {
  absl::StatusOr<AblationFindings> f = AnalyzeAblation(Sweep());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->reference, 0);
  ASSERT_EQ(f->variants.size(), 3u);
  auto verdict = [&](const std::string& v, const char* m) {
    return FindResult(f->verdicts, AblationId(v, m)).verdict;
  };
  EXPECT_EQ(verdict("post", kAblWindow), Verdict::kSupports);
  EXPECT_NEAR(
      FindResult(f->verdicts, AblationId("post", kAblWindow)).stats.mean, -0.4,
      1e-6);
  EXPECT_EQ(verdict("post", kAblBatch), Verdict::kSupports);
  EXPECT_EQ(verdict("post", kAblRare), Verdict::kSupports);
  EXPECT_EQ(verdict("wide", kAblWindow), Verdict::kInconclusive);
  // `wide`'s batch union is 100% in every seed: it cannot fall below the
  // reference's, so the measure cannot show the claim.
  EXPECT_EQ(verdict("wide", kAblBatch), Verdict::kNotTestable);
  // [W]'s ordering: only `post` has layer 0 below the last layer (0.5 < 0.8);
  // the reference's 0.9 is above it: the opposite, significant.
  EXPECT_EQ(verdict("post", kAblOrdering), Verdict::kSupports);
  EXPECT_EQ(verdict("ref", kAblOrdering), Verdict::kContradicts);
  EXPECT_EQ(f->longest, -1);  // no longer variant
  // One W2 scorecard row per variant, favourable or not.
  ASSERT_EQ(f->claims.size(), 3u);
  EXPECT_EQ(f->claims[0].id, "W2");
  EXPECT_EQ(f->claims[0].result.verdict, Verdict::kContradicts);  // ref
  EXPECT_EQ(f->claims[1].result.verdict, Verdict::kSupports);     // post
}

TEST(AnalyzeAblation, TheReferenceIsDeclaredNotGuessed) {
  LayerwiseSparsityResults r = Sweep();
  // Move the reference role to the last variant: comparisons follow it.
  for (TrainingRecord& run : *r.mutable_runs()) {
    run.set_role(run.variant() == "wide" ? "reference" : "other");
  }
  absl::StatusOr<AblationFindings> f = AnalyzeAblation(r);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->variants[f->reference].name, "wide");
  EXPECT_NO_FATAL_FAILURE(
      FindResult(f->verdicts, AblationId("ref", kAblWindow)));
  for (TrainingRecord& run : *r.mutable_runs()) run.set_role("reference");
  EXPECT_FALSE(AnalyzeAblation(r).ok());  // two references
}

}  // namespace
}  // namespace sparsity
