#include "reports/layerwise_sparsity_findings.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

struct LayerValues {
  double token, window, batch, rare;
};

LayerSparsity Layer(int l, const LayerValues& v) {
  LayerSparsity x;
  x.set_layer(l);
  x.set_token_density_mean(v.token);
  x.set_window_union_density(v.window);
  x.set_window_tokens(512);
  x.set_batch_union_density(v.batch);
  x.set_rare_unit_fraction(v.rare);
  // Four units firing on 1% of the tokens each: independent firing would
  // give a 512-token window 1 - 0.99^512 = 0.99416 of the units.
  for (int j = 0; j < 4; ++j) x.add_firing_frequency(0.01f);
  return x;
}

// A two-layer run: `init` at step 0 and `end` at step 100, per layer.
TrainingRecord MakeRun(int seed, const std::vector<LayerValues>& init,
                       const std::vector<LayerValues>& end) {
  TrainingRecord r;
  r.set_name(absl::StrCat("base/i", seed, "-d", seed));
  r.set_variant("base");
  r.set_role("reference");
  r.set_init_seed(seed);
  r.set_data_seed(seed);
  r.mutable_data()->set_probe_tokens(8192);
  for (int p = 0; p < 2; ++p) {
    Probe* probe = r.add_probes();
    probe->set_step(p * 100);
    const std::vector<LayerValues>& v = p == 0 ? init : end;
    for (size_t l = 0; l < v.size(); ++l) *probe->add_layers() = Layer(l, v[l]);
  }
  return r;
}

Runs Pointers(const std::vector<TrainingRecord>& records) {
  Runs runs;
  for (const TrainingRecord& r : records) runs.push_back(&r);
  return runs;
}

// Five seeds where token density falls from 0.5 to ~0.1, layer 0's batch
// union is 100% in every seed (its ceiling) while the last layer's is
// ~0.9, and the window union of layer 0 is below the last layer's by
// ~0.2 with small seed noise; layer 0 has more rare units.
std::vector<TrainingRecord> FiveSeeds() {
  std::vector<TrainingRecord> out;
  for (int s = 1; s <= 5; ++s) {
    const double e = 0.002 * (s - 3);  // seed noise
    out.push_back(MakeRun(
        s, {{0.5, 1, 1, 0}, {0.5, 1, 1, 0}},
        {{0.1 + e, 0.5 + e, 1, 0.3 + e}, {0.12 - e, 0.7 - e, 0.9 + e, 0.05}}));
  }
  return out;
}

TEST(AnalyzeLayerwise, KnownAnswers) {
  const std::vector<TrainingRecord> records = FiveSeeds();
  const LayerwiseFindings f = AnalyzeLayerwise(Pointers(records));
  EXPECT_EQ(f.seeds, 5);
  EXPECT_EQ(f.layers, 2);
  EXPECT_EQ(f.window_tokens, 512);
  EXPECT_EQ(f.final[0].batch_union_at_ceiling, 5);
  EXPECT_NEAR(f.final[0].token_density.mean, 0.1, 1e-6);
  EXPECT_NEAR(f.final[1].window_union.mean, 0.7, 1e-6);
  // W1: mean over layers falls by 0.39.
  const ComparisonResult& w1 = FindResult(f.verdicts, kW1Mean);
  EXPECT_NEAR(w1.stats.mean, -0.39, 1e-6);
  EXPECT_EQ(w1.verdict, Verdict::kSupports);
  // W2 on the batch union: layer 0 at its ceiling, not testable.
  const ComparisonResult& batch = FindResult(f.verdicts, kW2Batch);
  EXPECT_EQ(batch.verdict, Verdict::kNotTestable);
  EXPECT_NE(batch.reason.find("ceiling"), std::string::npos);
  // W2 on the window union and rare units: layer 0 sparser, supported.
  const ComparisonResult& window = FindResult(f.verdicts, kW2Window);
  EXPECT_NEAR(window.stats.mean, -0.2, 1e-6);
  EXPECT_EQ(window.verdict, Verdict::kSupports);
  EXPECT_EQ(FindResult(f.verdicts, kW2Rare).verdict, Verdict::kSupports);
  // W3: windows of 0.5 and 0.7 against 0.99416 under independence.
  const ComparisonResult& w3 = FindResult(f.verdicts, kW3);
  const double independent = 1 - std::pow(1 - 0.01f, 512.0);
  EXPECT_NEAR(f.independent_window_union[0], independent, 1e-6);
  EXPECT_NEAR(w3.stats.mean, 0.5 * (0.5 + 0.7) - independent, 1e-6);
  EXPECT_EQ(w3.verdict, Verdict::kSupports);
  // Every declared comparison is in the family (the ceiling one with p 1).
  EXPECT_EQ(f.counted_tests, 7);
  EXPECT_EQ(f.claims.size(), 5u);
  EXPECT_EQ(f.claims[1].id, "W2");
}

TEST(AnalyzeLayerwise, FewerThanFiveSeedsIsInconclusive) {
  std::vector<TrainingRecord> records = FiveSeeds();
  records.resize(3);
  const LayerwiseFindings f = AnalyzeLayerwise(Pointers(records));
  for (const ComparisonResult& r : f.verdicts) {
    if (r.comparison.id == kW2Batch) {
      EXPECT_EQ(r.verdict, Verdict::kNotTestable);
    } else {
      EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.comparison.id;
    }
  }
  EXPECT_EQ(f.counted_tests, 7);
}

TEST(AnalyzeLayerwise, NoiseGivesInconclusiveAndOppositeGivesContradicts) {
  std::vector<TrainingRecord> records;
  const double noise[] = {0.2, -0.25, 0.15, -0.1, 0.05};
  for (int s = 1; s <= 5; ++s) {
    const double e = noise[s - 1];
    // Window union: layer 0 minus last is pure noise around 0; batch union
    // of layer 0 clearly above the last layer's (both off the ceiling).
    records.push_back(MakeRun(s, {{0.5, 1, 1, 0}, {0.5, 1, 1, 0}},
                              {{0.2, 0.5 + e, 0.95 + 0.001 * s, 0.1},
                               {0.2, 0.5, 0.6 + 0.002 * s, 0.1 + e / 10}}));
  }
  const LayerwiseFindings f = AnalyzeLayerwise(Pointers(records));
  EXPECT_EQ(FindResult(f.verdicts, kW2Window).verdict, Verdict::kInconclusive);
  EXPECT_EQ(FindResult(f.verdicts, kW2Batch).verdict, Verdict::kContradicts);
}

}  // namespace
}  // namespace sparsity
