#include "reports/topk_thresholding_findings.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// One hand-built run: its final densities, accuracies and calibration.
struct Spec {
  std::string variant, role;
  int seed = 1;
  bool vit = true;
  int layers = 2, d_ff = 8, k = 0;
  double noise = 0;
  double init = 0.5, held = 0.34, train = 0.34;
  std::vector<double> layer_held;  // per layer; empty: every layer `held`
  std::vector<float> firing;       // per unit of every layer; empty: `held`
  double train_accuracy = 0.9, accuracy = 0.8, ece = 0.015;
  double clean = 0, corrupted = 0;  // corruption accuracies; 0: none
};

void AddLayers(google::protobuf::RepeatedPtrField<LayerSparsity>* layers,
               const Spec& s, double density, bool per_layer) {
  for (int l = 0; l < s.layers; ++l) {
    LayerSparsity& x = *layers->Add();
    x.set_layer(l);
    x.set_token_density_mean(
        per_layer && !s.layer_held.empty() ? s.layer_held[l] : density);
    for (int u = 0; u < s.d_ff; ++u) {
      x.add_firing_frequency(s.firing.empty() ? density : s.firing[u]);
    }
  }
}

TrainingRecord MakeRun(const Spec& s) {
  TrainingRecord r;
  r.set_variant(s.variant);
  r.set_role(s.role);
  r.set_name(s.variant + "/" + std::to_string(s.seed));
  r.set_init_seed(s.seed);
  r.set_data_seed(s.seed);
  ModelConfig& m = *r.mutable_config()->mutable_model();
  m.set_family(s.vit ? ModelConfig::VIT : ModelConfig::LM);
  m.set_n_layers(s.layers);
  m.set_d_ff(s.d_ff);
  m.set_d_model(4);
  m.set_num_classes(10);
  if (s.k > 0) {
    m.mutable_mlp()->set_activation(MlpConfig::TOPK_RELU);
    m.mutable_mlp()->set_topk(s.k);
  }
  r.mutable_config()->mutable_data()->set_label_noise(s.noise);
  r.mutable_config()->mutable_data()->set_batch_size(10);
  r.mutable_config()->mutable_train()->set_steps(100);
  r.mutable_data()->set_train_examples(1000);
  Probe& init = *r.add_probes();
  AddLayers(init.mutable_layers(), s, s.init, false);
  Probe& last = *r.add_probes();
  last.set_step(100);
  AddLayers(last.mutable_layers(), s, s.held, true);
  AddLayers(last.mutable_train_layers(), s, s.train, false);
  last.set_train_accuracy(s.train_accuracy);
  last.set_probe_accuracy(s.accuracy);
  r.mutable_calibration()->set_accuracy(s.accuracy);
  r.mutable_calibration()->set_ece(s.ece);
  if (s.clean > 0) {
    for (int severity = 0; severity <= kSeverities; ++severity) {
      CorruptionAccuracy& c = *r.add_corruptions();
      c.set_corruption("blur");
      c.set_severity(severity);
      c.set_examples(100);
      c.set_accuracy(severity == 0 ? s.clean : s.corrupted);
    }
  }
  return r;
}

TEST(SharesOf, DeadRareAndTheirZeros) {
  Spec s;
  s.layers = 1;
  s.d_ff = 5;
  s.firing = {0, 0, 0.005f, 0.5f, 1};
  const UnitShares u = SharesOf(MakeRun(s));
  const double zeros = 1 + 1 + (1 - 0.005f) + 0.5 + 0;
  EXPECT_NEAR(u.dead, 0.4, 1e-9);
  EXPECT_NEAR(u.rare, 0.2, 1e-9);
  EXPECT_NEAR(u.dead_zeros, 2 / zeros, 1e-6);
  EXPECT_NEAR(u.rare_zeros, (1 - 0.005f) / zeros, 1e-6);
  EXPECT_NEAR(u.live_density, (0.005f + 0.5 + 1) / 3, 1e-6);
}

TEST(CorruptedOverClean, MeanOfSeveritiesOverSeverityZero) {
  Spec s;
  s.clean = 0.8;
  s.corrupted = 0.5;
  const TrainingRecord r = MakeRun(s);
  EXPECT_NEAR(CorruptedAccuracy(r, 1, kSeverities), 0.5, 1e-6);
  EXPECT_NEAR(CorruptedAccuracy(r, 0, 0), 0.8, 1e-6);
  EXPECT_NEAR(CorruptedOverClean(r), 0.625, 1e-6);
  EXPECT_EQ(CorruptedOverClean(MakeRun(Spec{})), 0);  // not measured
}

// Five seeds of every role, with a small seed-dependent jitter.
TopkThresholdingResults DefaultLike(bool with_lm) {
  TopkThresholdingResults out;
  out.mutable_config()->set_vit_reference("vit");
  if (with_lm) out.mutable_config()->set_lm_reference("lm");
  for (int seed = 1; seed <= 5; ++seed) {
    const double j = 0.0002 * seed * (seed % 2 ? 1 : -1);
    auto add = [&](Spec s) {
      s.seed = seed;
      *out.add_runs() = MakeRun(s);
    };
    Spec vit{"vit", "reference", seed};
    vit.held = 0.34 + j;
    vit.train = 0.34 + j + 0.0001 * seed;  // L2: the same within 1 point
    vit.clean = 0.8;
    vit.corrupted = 0.5 + j;
    vit.accuracy = 0.82 + j;
    add(vit);
    if (with_lm) {
      Spec lm{"lm", "lm_reference", seed};
      lm.vit = false;
      lm.held = 0.05 + j;  // L1: a few percent
      lm.train = 0.05 + j;
      // Half the units dead, half firing at 10%: dead units carry most zeros.
      lm.firing = {0, 0, 0, 0, 0.1f, 0.1f, 0.1f, 0.1f};
      add(lm);
    }
    Spec narrow{"vit_dff4", "width", seed};
    narrow.d_ff = 4;
    narrow.held = 0.40 + j;
    add(narrow);
    Spec wide{"vit_dff16", "width", seed};
    wide.d_ff = 16;
    wide.held = 0.30 - j;
    add(wide);
    // Depth: the first and last layers do not move, the mean does.
    Spec deep{"vit_depth4", "depth", seed};
    deep.layers = 4;
    deep.layer_held = {0.40 + j, 0.10, 0.10, 0.40 - j};
    deep.held = 0.25;
    add(deep);
    Spec middle{"vit_depth3", "depth", seed};
    middle.layers = 3;
    middle.layer_held = {0.40, 0.30 + j, 0.40};
    add(middle);
    Spec shallow{"vit_depth1", "depth", seed};
    shallow.layers = 1;
    shallow.layer_held = {0.40};
    shallow.held = 0.40;
    add(shallow);
    Spec labels{"random_labels", "random_labels", seed};
    labels.held = 0.39 + j;  // on the test images, from 0.5 at init
    labels.train = 0.39 + j;
    labels.train_accuracy = 0.10;
    add(labels);
    Spec top4{"vit_top4", "topk", seed};
    top4.k = 4;
    top4.accuracy = 0.83 + j;
    top4.ece = 0.016 + j / 10;
    top4.clean = 0.8;
    top4.corrupted = 0.55 + j;  // more robust
    add(top4);
    Spec noisy{"vit_noise40", "noisy", seed};
    noisy.noise = 0.4;
    noisy.accuracy = 0.76 + j;  // drop 6 points
    add(noisy);
    Spec noisy4{"vit_noise40_top4", "noisy_topk", seed};
    noisy4.noise = 0.4;
    noisy4.k = 4;
    noisy4.accuracy = 0.79 - j;  // drop 4 points: less hurt
    add(noisy4);
  }
  return out;
}

const ComparisonResult& Of(const LazyFindings& f, const std::string& id) {
  return FindResult(f.verdicts, id);
}

TEST(AnalyzeLazyNeurons, VerdictsOnHandBuiltRuns) {
  const LazyFindings f = AnalyzeLazyNeurons(DefaultLike(true));
  EXPECT_FALSE(f.memorise);
  EXPECT_EQ(Of(f, "L1.vit").verdict, Verdict::kContradicts);
  EXPECT_EQ(Of(f, "L1.lm").verdict, Verdict::kSupports);
  EXPECT_EQ(Of(f, "L2.vit").verdict, Verdict::kSupports);
  // Widest (16) minus narrowest (4), the reference (8) in between.
  ASSERT_EQ(f.width.size(), 3u);
  EXPECT_EQ(f.width.back()[0]->config().model().d_ff(), 16);
  EXPECT_NEAR(Of(f, "L3").stats.mean, -0.10, 0.002);
  EXPECT_EQ(Of(f, "L3").verdict, Verdict::kSupports);
  // Deeper is sparser in the middle layers only (4 blocks' 1-2 against 3
  // blocks' layer 1); the first and last layers do not move.
  EXPECT_NEAR(Of(f, "L4.middle").stats.mean, -0.20, 0.002);
  EXPECT_EQ(Of(f, "L4.middle").verdict, Verdict::kSupports);
  EXPECT_EQ(Of(f, "L4.first").verdict, Verdict::kInconclusive);
  EXPECT_EQ(Of(f, "L4.last").verdict, Verdict::kInconclusive);
  EXPECT_EQ(f.l4.size(), 3u);  // no verdict on the mean over layers
  // Random labels: from 0.5 at init to 0.39, at chance.
  EXPECT_NEAR(Of(f, "L5.random_labels").stats.mean, -0.11, 0.002);
  EXPECT_EQ(Of(f, "L5.random_labels").verdict, Verdict::kSupports);
  // ViT: no dead or rare units (every unit fires on 34%): "not dead"
  // supports, "from rare live units" contradicts. LM: dead units carry the
  // zeros.
  EXPECT_EQ(Of(f, "L6.vit.dead").verdict, Verdict::kSupports);
  EXPECT_EQ(Of(f, "L6.vit.rare").verdict, Verdict::kContradicts);
  EXPECT_EQ(Of(f, "L6.lm.dead").verdict, Verdict::kContradicts);
  // L7: Top-4 drops 4 points from its clean twin (83 -> 79), ReLU 6 (82 ->
  // 76), per seed up to the jitter.
  EXPECT_NEAR(Of(f, "L7.top4.noise40").stats.mean, -0.02, 0.004);
  EXPECT_EQ(Of(f, "L7.top4.noise40").verdict, Verdict::kSupports);
  EXPECT_EQ(Of(f, "L8.top4").verdict, Verdict::kSupports);
  // L9: ReLU is not overconfident (no bins: confidence = accuracy).
  EXPECT_EQ(Of(f, "L9.top4").verdict, Verdict::kNotTestable);
  EXPECT_EQ(Of(f, "L9.top4.noise40").verdict, Verdict::kNotTestable);
  EXPECT_EQ(Of(f, "L10.vit").verdict, Verdict::kNotTestable);
  // Every comparison has its scorecard row, under its claim id.
  ASSERT_EQ(f.claims.size(), f.verdicts.size());
  for (const ClaimRow& row : f.claims) {
    EXPECT_EQ(row.id, row.result.comparison.id.substr(
                          0, row.result.comparison.id.find('.')));
    EXPECT_FALSE(row.caveat.empty()) << row.id;
  }
}

TEST(AnalyzeLazyNeurons, CaveatSaysSparsityWithoutFitting) {
  const LazyFindings f = AnalyzeLazyNeurons(DefaultLike(true));
  for (const ClaimRow& row : f.claims) {
    if (row.result.comparison.id != "L5.random_labels") continue;
    EXPECT_NE(row.caveat.find("sparsity without fitting"), std::string::npos)
        << row.caveat;
    return;
  }
  FAIL() << "no L5.random_labels row";
}

TEST(AnalyzeLazyNeurons, MiscalibratedReluMakesCalibrationTestable) {
  TopkThresholdingResults results = DefaultLike(true);
  for (TrainingRecord& r : *results.mutable_runs()) {
    // Memorised: ReLU overconfident (confidence 0.9 at accuracy 0.5; ECE
    // 0.4), Top-4 less so (0.3).
    if (r.variant() == "vit") {
      r.mutable_calibration()->set_ece(0.4 + 0.001 * r.init_seed());
      ReliabilityBin& b = *r.mutable_calibration()->add_bins();
      b.set_count(100);
      b.set_confidence(0.9f);
      b.set_accuracy(0.5f);
    }
    if (r.variant() == "vit_top4") r.mutable_calibration()->set_ece(0.3);
  }
  const LazyFindings f = AnalyzeLazyNeurons(results);
  EXPECT_NEAR(Overconfidence(results.runs(0)), 0.4, 1e-6);
  EXPECT_EQ(Of(f, "L9.top4").verdict, Verdict::kSupports);
  // ECE alone does not open the test: a miscalibrated ReLU whose bins show
  // no overconfidence stays not testable.
  for (TrainingRecord& r : *results.mutable_runs()) {
    if (r.variant() == "vit") r.mutable_calibration()->clear_bins();
  }
  const LazyFindings calibrated = AnalyzeLazyNeurons(results);
  EXPECT_EQ(Of(calibrated, "L9.top4").verdict, Verdict::kNotTestable);
}

TEST(AnalyzeLazyNeurons, MemorisePresetHasNoLmAndFewerClaims) {
  const LazyFindings f = AnalyzeLazyNeurons(DefaultLike(false));
  EXPECT_TRUE(f.memorise);
  EXPECT_TRUE(f.l1.empty());
  EXPECT_EQ(f.l2.size(), 1u);  // train against test once memorised
  EXPECT_TRUE(f.l3.empty());
  EXPECT_TRUE(f.l10.empty());
  EXPECT_EQ(f.l7.size(), 1u);
  for (const ClaimRow& row : f.claims) {
    EXPECT_EQ(row.measure.rfind("memorised: ", 0), 0u) << row.measure;
  }
}

TEST(AnalyzeLazyNeurons, FewerThanFiveSeedsIsInconclusive) {
  TopkThresholdingResults results = DefaultLike(true);
  TopkThresholdingResults three;
  *three.mutable_config() = results.config();
  for (const TrainingRecord& r : results.runs()) {
    if (r.init_seed() <= 3) *three.add_runs() = r;
  }
  const LazyFindings f = AnalyzeLazyNeurons(three);
  EXPECT_EQ(Of(f, "L1.vit").verdict, Verdict::kInconclusive);
  EXPECT_EQ(Of(f, "L3").verdict, Verdict::kInconclusive);
}

}  // namespace
}  // namespace sparsity
