#include "reports/validate.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "metrics/neuron_death.h"
#include "proto/results_io.h"
#include "reports/layerwise_sparsity_ablation_report.h"
#include "reports/layerwise_sparsity_report.h"
#include "reports/neuron_death_report.h"

namespace sparsity {
namespace {

// A consistent results file: 2 runs x 3 probes x 2 layers of 4 units.
Results Valid() {
  Results r;
  LayerwiseSparsityResults& e = *r.mutable_layerwise_sparsity();
  for (int k = 0; k < 2; ++k) {
    TrainingRecord& run = *e.add_runs();
    run.set_name(k == 0 ? "base/i1-d1" : "base/i2-d2");
    run.set_variant("base");
    run.mutable_config()->mutable_model()->set_n_layers(2);
    run.mutable_config()->mutable_model()->set_d_ff(4);
    run.mutable_data()->set_probe_tokens(64);
    for (int s = 1; s <= 4; ++s) {
      LossPoint& p = *run.add_loss();
      p.set_step(s);
      p.set_loss(3.0f - 0.1f * s);
    }
    for (int step : {0, 2, 4}) {
      Probe& p = *run.add_probes();
      p.set_step(step);
      p.set_probe_loss(2.5f);
      for (int l = 0; l < 2; ++l) {
        LayerSparsity& ls = *p.add_layers();
        ls.set_layer(l);
        ls.set_token_density_mean(0.25f);
        ls.set_token_density_p10(0.1f);
        ls.set_token_density_p50(0.25f);
        ls.set_token_density_p90(0.5f);
        ls.set_sequence_union_density(0.5f);
        ls.set_batch_union_density(0.75f);
        ls.set_dead_units(1);
        if (step == 4) {
          for (float f : {0.0f, 0.1f, 0.3f, 0.6f}) ls.add_firing_frequency(f);
        }
      }
    }
  }
  return r;
}

LayerSparsity* Layer(Results* r, int run, int probe, int layer) {
  return r->mutable_layerwise_sparsity()
      ->mutable_runs(run)
      ->mutable_probes(probe)
      ->mutable_layers(layer);
}

void ExpectRejected(const Results& r, const std::string& needle) {
  absl::Status s = ValidateResults(r, "x.pb");
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << needle;
  EXPECT_NE(s.message().find(needle), std::string::npos) << s;
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
}

TEST(ValidateResults, AcceptsAConsistentFileAndItRenders) {
  const Results r = Valid();
  ASSERT_TRUE(ValidateResults(r, "x.pb").ok()) << ValidateResults(r, "x.pb");
  Report report = LayerwiseSparsityReport(r, "x.pb");
  EXPECT_NE(report.markdown.find("## Findings"), std::string::npos);
}

// Valid()'s runs as a neuron-death sweep: each run's death record comes
// from a hand-built history (unit 0 of layer 1 never fires after step 1).
Results ValidNeuronDeath() {
  Results r;
  NeuronDeathResults& nd = *r.mutable_neuron_death();
  nd.mutable_config()->set_reference("base");
  const Results base = Valid();
  for (const TrainingRecord& run : base.layerwise_sparsity().runs()) {
    TrainingRecord& t = *nd.add_runs() = run;
    t.mutable_config()->mutable_train()->set_steps(4);
    NeuronDeathHistory h;
    h.set_layers(2);
    h.set_units(4);
    h.set_tokens_per_step(8);
    for (int k = 1; k <= 4; ++k) {
      for (int l = 0; l < 2; ++l) {
        for (int j = 0; j < 4; ++j) {
          h.add_fire_counts(l == 1 && j == 0 && k > 1 ? 0 : 3);
          h.add_update_norms(0.1f * (k + j));
        }
        h.add_input_norms(1.0f + k);
        h.add_residual_norms(2.0f + k);
      }
    }
    DeathOptions o;
    o.dead_window = 2;
    o.outlier_window = 1;
    o.fade_steps = 1;
    o.fade_bin = 1;
    *t.mutable_neuron_death() = AnalyzeNeuronDeath(h, o);
    FrozenSilence& f = *t.mutable_neuron_death()->add_frozen();
    f.set_step(1);
    f.set_steps(2);
    f.add_frozen_silent();
    f.add_frozen_silent()->add_units(0);
    FillLearningSilence(h, &f);
    PruneCurve& p = *nd.add_pruning();
    p.set_run(t.name());
    p.set_loss(2.5f);
    for (float threshold : {0.0f, 0.5f}) {
      PruneLevel& level = *p.add_levels();
      level.set_threshold(threshold);
      level.add_removed(threshold == 0 ? 0 : 4);
      level.add_removed(1);
      level.set_loss(2.6f);
    }
  }
  return r;
}

TEST(ValidateResults, NeuronDeathConsistentAndDamaged) {
  Results r = ValidNeuronDeath();
  ASSERT_TRUE(ValidateResults(r, "x.pb").ok()) << ValidateResults(r, "x.pb");
  const Report report = NeuronDeathReport(r, "x.pb");
  EXPECT_NE(report.markdown.find("## What the evidence says"),
            std::string::npos);
  // 1 of 8 units dead in both runs: 12.5%, layer 1 the most (25%).
  EXPECT_NE(report.markdown.find("12.5% (12.5–12.5) of all MLP units"),
            std::string::npos)
      << report.markdown.substr(0, 3000);
  auto damaged = [&](auto mutate, const std::string& needle) {
    Results bad = ValidNeuronDeath();
    mutate(bad.mutable_neuron_death());
    ExpectRejected(bad, needle);
  };
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_runs(1)
            ->mutable_neuron_death()
            ->mutable_history()
            ->add_fire_counts(1);
      },
      "raw history");
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_runs(0)->mutable_neuron_death()->mutable_deaths(0)->set_unit(
            9);
      },
      "out of range");
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_runs(0)
            ->mutable_neuron_death()
            ->mutable_layers(0)
            ->mutable_histograms(0)
            ->set_counts(0, 3);
      },
      "histogram");
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_runs(0)
            ->mutable_neuron_death()
            ->mutable_layers(1)
            ->mutable_dead()
            ->RemoveLast();
      },
      "per-step");
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_pruning(0)->mutable_levels(1)->set_removed(1, 0);
      },
      "inconsistent");
  damaged(
      [](NeuronDeathResults* n) {
        n->mutable_config()->set_reference("other");
      },
      "reference");
  damaged(  // silent with learning, but not alive before
      [](NeuronDeathResults* n) {
        FrozenSilence& f =
            *n->mutable_runs(0)->mutable_neuron_death()->mutable_frozen(0);
        f.mutable_alive(1)->clear_units();
      },
      "frozen");
}

TEST(ValidateResults, UnknownFractionsAreFractions) {
  Results r = Valid();
  r.mutable_layerwise_sparsity()
      ->mutable_runs(1)
      ->mutable_data()
      ->set_probe_unknown_fraction(1.5);
  ExpectRejected(r, "run base/i2-d2: an <unk> fraction is 1.5");
}

// Valid()'s two seeds as the reference, and a second variant whose layer 0
// uses `layer0` of its units on the batch at the end (the reference: 75%,
// last layer 75% in both).
Results Ablation(float layer0) {
  Results r = Valid();
  LayerwiseSparsityResults& e = *r.mutable_layerwise_sparsity();
  for (int k = 0; k < 2; ++k) {
    e.mutable_runs(k)->set_variant("reference");
    e.mutable_runs(k)->set_role("reference");
  }
  for (int k = 0; k < 2; ++k) {
    TrainingRecord& run = *e.add_runs();
    run = e.runs(k);
    run.set_variant("narrow");
    run.set_role("width");
    run.set_name(k == 0 ? "narrow/i1-d1" : "narrow/i2-d2");
    LayerSparsity& l0 = *run.mutable_probes(2)->mutable_layers(0);
    l0.set_batch_union_density(layer0 + 0.01f * k);
    // Keep token density <= sequence union <= batch union.
    l0.set_sequence_union_density(std::min(0.5f, layer0));
    l0.set_token_density_mean(std::min(0.25f, layer0 / 2));
  }
  return r;
}

TEST(AblationReport, RendersItsFindingsAndTwoSeedsAreInconclusive) {
  const Results r = Ablation(0.2f);  // 20% and 21%: far below 75%
  ASSERT_TRUE(ValidateResults(r, "x.pb").ok());
  absl::StatusOr<Report> report = LayerwiseSparsityAblationReport(r, "x.pb");
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string& md = report->markdown;
  for (const char* needle :
       {"- **`narrow`**", "batch union 75.0% (75.0–75.0) -> 20.5% (20.0–21.0)",
        "| `narrow.batch_union` |", "2 paired seeds, fewer than 5",
        "Tests in this report's family: 6 (6 comparisons",
        "| `narrow` | `width` |", "**Left untested by this sweep.**"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle << "\n" << md;
  }
  // Never a verdict from two seeds, however large the effect.
  EXPECT_EQ(md.find("**supports**"), std::string::npos);
  EXPECT_EQ(md.find("beyond the seed spread"), std::string::npos);
}

TEST(AblationReport, NeedsADeclaredReference) {
  Results r = Ablation(0.2f);
  for (TrainingRecord& run : *r.mutable_layerwise_sparsity()->mutable_runs()) {
    run.clear_role();
  }
  absl::StatusOr<Report> report = LayerwiseSparsityAblationReport(r, "x.pb");
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find(
                "x.pb: no variant declares role \"reference\""),
            std::string::npos)
      << report.status();
}

TEST(ValidateResults, WindowUnionBetweenSequenceAndBatchUnion) {
  Results r = Valid();
  LayerSparsity* l = Layer(&r, 0, 1, 0);
  l->set_window_tokens(512);
  l->set_window_union_density(0.6f);  // sequence 0.5 <= 0.6 <= batch 0.75
  EXPECT_TRUE(ValidateResults(r, "x.pb").ok());
  l->set_window_union_density(0.9f);
  ExpectRejected(r, "window union <= batch union");
  l->set_window_union_density(0.6f);
  l->set_rare_unit_fraction(1.5f);
  ExpectRejected(r, "rare_unit_fraction is 1.5");
}

TEST(ValidateResults, WordRunsNeedAVocabulary) {
  Results r = Valid();
  TrainingRecord& run = *r.mutable_layerwise_sparsity()->mutable_runs(0);
  run.mutable_data()->set_vocabulary_size(4096);  // but bytes
  ExpectRejected(r, "bytes with a vocabulary of 4096");
  run.mutable_config()->mutable_data()->set_tokenizer(DataConfig::WORDS);
  run.mutable_data()->set_distinct_training_words(50000);
  EXPECT_TRUE(ValidateResults(r, "x.pb").ok());
  run.mutable_data()->set_vocabulary_size(0);
  ExpectRejected(r, "words with a vocabulary of 0");
}

TEST(ValidateResults, FewerLayersThanTheConfig) {
  Results r = Valid();
  r.mutable_layerwise_sparsity()
      ->mutable_runs(1)
      ->mutable_probes(2)
      ->mutable_layers()
      ->RemoveLast();
  ExpectRejected(r, "run base/i2-d2, probe at step 4: has 1 layers");
}

TEST(ValidateResults, NanNegativeAndAboveOneDensities) {
  Results r = Valid();
  Layer(&r, 0, 1, 1)->set_batch_union_density(std::nanf(""));
  ExpectRejected(r, "layer 1: batch_union_density is nan");
  r = Valid();
  Layer(&r, 0, 1, 0)->set_token_density_mean(-0.1f);
  ExpectRejected(r, "token_density_mean is -0.1");
  r = Valid();
  Layer(&r, 1, 0, 0)->set_sequence_union_density(1.5f);
  ExpectRejected(r, "sequence_union_density is 1.5");
}

TEST(ValidateResults, OrderingAndCounts) {
  Results r = Valid();
  Layer(&r, 0, 0, 0)->set_token_density_p10(0.4f);
  ExpectRejected(r, "percentiles are not ordered");
  r = Valid();
  Layer(&r, 0, 0, 0)->set_batch_union_density(0.3f);
  ExpectRejected(r, "does not hold");
  r = Valid();
  Layer(&r, 0, 0, 0)->set_dead_units(9);
  ExpectRejected(r, "dead_units is 9");
  r = Valid();
  Layer(&r, 0, 2, 0)->add_firing_frequency(0.5f);
  ExpectRejected(r, "has 5 firing frequencies");
  r = Valid();
  Layer(&r, 0, 0, 1)->set_layer(0);
  ExpectRejected(r, "holds layer 0");
}

TEST(ValidateResults, RunsOfOneVariantShareTheirShape) {
  // Run 2 claims 3 layers with probes of 3 layers: consistent by itself,
  // but it cannot be averaged with run 1's 2 layers.
  Results r = Valid();
  TrainingRecord* run = r.mutable_layerwise_sparsity()->mutable_runs(1);
  run->mutable_config()->mutable_model()->set_n_layers(3);
  for (Probe& p : *run->mutable_probes()) {
    LayerSparsity* extra = p.add_layers();
    *extra = p.layers(0);
    extra->set_layer(2);
  }
  ExpectRejected(r, "has 3 layers of 4 units; run base/i1-d1 of the same");
}

TEST(ValidateResults, StepsLossAndRuns) {
  Results r = Valid();
  r.mutable_layerwise_sparsity()->mutable_runs(0)->mutable_probes(1)->set_step(
      0);
  ExpectRejected(r, "not increasing");
  r = Valid();
  r.mutable_layerwise_sparsity()->mutable_runs(1)->mutable_probes(1)->set_step(
      3);
  ExpectRejected(r, "run base/i1-d1 probed at step 2");
  // Another variant may probe elsewhere (e.g. a longer run).
  r.mutable_layerwise_sparsity()->mutable_runs(1)->set_variant("longer");
  EXPECT_TRUE(ValidateResults(r, "x.pb").ok());
  r = Valid();
  r.mutable_layerwise_sparsity()->mutable_runs(0)->mutable_loss(2)->set_loss(
      INFINITY);
  ExpectRejected(r, "loss at step 3 is inf");
  r = Valid();
  r.mutable_layerwise_sparsity()
      ->mutable_runs(1)
      ->mutable_config()
      ->mutable_model()
      ->set_n_layers(0);
  ExpectRejected(r, "config has n_layers 0");
  r = Valid();
  r.mutable_layerwise_sparsity()->clear_runs();
  ExpectRejected(r, "holds no runs");
}

// Every single-bit flip of the committed results file either fails to
// parse, fails validation, or renders: it never crashes the renderer.
TEST(ValidateResults, BitFlipsOfTheCommittedFileNeverCrashTheReport) {
  std::ifstream in("results/layerwise_sparsity.pb", std::ios::binary);
  ASSERT_TRUE(in) << "results/layerwise_sparsity.pb is not in the runfiles";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string good = buffer.str();
  int parsed = 0, rejected = 0, rendered = 0;
  const size_t stride = std::max<size_t>(1, good.size() / 3000);
  for (size_t i = 0; i < good.size(); i += stride) {
    for (int bit : {0, 3, 6}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Results r;
      if (!r.ParseFromString(bad) || r.end_marker() != kResultsEndMarker ||
          !r.has_layerwise_sparsity()) {
        continue;
      }
      ++parsed;
      if (!ValidateResults(r, "flipped.pb").ok()) {
        ++rejected;
        continue;
      }
      Report report = LayerwiseSparsityReport(r, "flipped.pb");
      LayerwiseSparsityAblationReport(r, "flipped.pb");
      rendered += !report.markdown.empty();
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_EQ(parsed, rejected + rendered);
  std::printf("bit flips: %d parsed, %d rejected, %d rendered\n", parsed,
              rejected, rendered);
}

}  // namespace
}  // namespace sparsity
