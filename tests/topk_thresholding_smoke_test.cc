// End to end: the smoke preset of //experiments:topk_thresholding trains
// every kind of variant (reference ViT and LM, a width, a depth, random
// labels, random inputs, the endless stream, Top-k ViTs and LM, flipped
// labels), records the final probe on held-out and training data with
// firing frequencies and accuracy, every run's calibration and the
// corruption variants' accuracy under corruptions, and renders the report;
// damaged results are refused; a sweep killed with SIGKILL mid-run and resumed
// gives the results of one never killed.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/results_io.h"
#include "tests/experiment_test_util.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

TEST(TopkThresholdingSmoke, RunsEveryVariantAndRendersTheReport) {
  const std::string out = Tmp("run");
  ASSERT_EQ(std::system(SmokeCommand(out, "").c_str()), 0);
  const Results r = Read(out + "/topk_thresholding.pb");
  const TopkThresholdingResults& tk = r.topk_thresholding();
  ASSERT_EQ(tk.runs_size(), 14);
  for (const TrainingRecord& run : tk.runs()) {
    SCOPED_TRACE(run.name());
    const bool vit = run.config().model().family() == ModelConfig::VIT;
    EXPECT_EQ(vit, run.variant() != "lm" && run.variant() != "lm_top4");
    // Top-k: at most k of the d_ff units nonzero per token, in every layer.
    if (run.config().model().mlp().activation() == MlpConfig::TOPK_RELU) {
      EXPECT_EQ(run.config().model().mlp().topk(), 4);
      for (const Probe& p : run.probes()) {
        for (const LayerSparsity& l : p.layers()) {
          EXPECT_LE(l.token_density_p90(), 4.0 / 32 + 1e-6);
        }
      }
    }
    // Every run is calibrated on its whole probe, in 15 bins.
    const CalibrationRecord& c = run.calibration();
    EXPECT_EQ(c.examples(), vit ? 500 : 512);
    ASSERT_EQ(c.bins_size(), 15);
    int64_t binned = 0;
    for (const ReliabilityBin& b : c.bins()) binned += b.count();
    EXPECT_EQ(binned, c.examples());
    EXPECT_GE(c.ece(), 0);
    EXPECT_LE(c.ece(), 1);
    // The sparsity probe's accuracy on the same batch agrees (calibration
    // runs in chunks of 1024, so a near-tie may round the other way: allow
    // two of the examples).
    EXPECT_NEAR(c.accuracy(),
                run.probes(run.probes_size() - 1).probe_accuracy(),
                2.5 / c.examples());
    // Corruptions: the corruption variants only, 4 x severities 0-5 on 200
    // images; severity 0 is the clean accuracy of those images.
    const bool corrupted =
        run.variant() == "vit" || run.variant() == "vit_top4";
    ASSERT_EQ(run.corruptions_size(), corrupted ? 24 : 0);
    for (const CorruptionAccuracy& x : run.corruptions()) {
      EXPECT_EQ(x.examples(), 200);
      if (x.severity() == 0) {
        EXPECT_EQ(x.accuracy(), run.corruptions(0).accuracy());
      }
    }
    EXPECT_EQ(run.data().flipped_labels(),
              run.config().data().label_noise() > 0 ? 24000 : 0);
    ASSERT_EQ(run.probes_size(), 4);  // steps 0, 10, 20, 30
    const Probe& last = run.probes(3);
    EXPECT_EQ(last.step(), 30);
    ASSERT_TRUE(last.has_train());
    EXPECT_FALSE(run.probes(2).has_train());
    const int layers = run.config().model().n_layers();
    ASSERT_EQ(last.layers_size(), layers);
    ASSERT_EQ(last.train_layers_size(), layers);
    EXPECT_EQ(last.layers(0).firing_frequency_size(),
              run.config().model().d_ff());
    EXPECT_EQ(last.train_layers(layers - 1).firing_frequency_size(),
              run.config().model().d_ff());
    EXPECT_GE(last.probe_accuracy(), 0);
    EXPECT_LE(last.probe_accuracy(), 1);
    EXPECT_TRUE(std::isfinite(last.train_loss()));
    if (vit) {
      // 16 patches of 7 x 7 + CLS; 8500 probe tokens = 500 test images.
      EXPECT_EQ(run.data().tokens_per_example(), 17);
      EXPECT_EQ(run.data().probe_sequences(), 500);
      EXPECT_EQ(run.data().heldout_examples(), 10000);
      EXPECT_EQ(run.data().train_examples(),
                run.variant() == "infinite" ? 0 : 60000);
      // Accuracy at initialisation is near chance (10 classes).
      EXPECT_LT(run.probes(0).probe_accuracy(), 0.3);
    } else {
      EXPECT_EQ(run.data().probe_tokens(), 512);
    }
  }
  // The reference ViT learns something in 30 steps (chance is 10%).
  EXPECT_GT(tk.runs(0).probes(3).probe_accuracy(), 0.15);

  const std::string reports = Tmp("reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/topk_thresholding.md");
  for (const char* needle :
       {"## Summary", "**L1, few nonzero entries?**",
        "**L2, as sparse on training as on held-out data?**",
        "**L3, wider is sparser?**", "**L4, deeper is sparser?**",
        "**L5, sparse with random labels, random inputs, infinite data?**",
        "**L6, not dead neurons?**",
        "**L7, Top-k less hurt by flipped labels?**",
        "**L8, Top-k more robust to corruptions?**",
        "**L9, Top-k better calibrated?**", "**L10, FLOPs saved?**",
        "## Verdicts", "sparsity without fitting", "Depth layer by layer",
        "## (a) Token density per layer", "## (b) Width and depth",
        "## (c) Random labels, random inputs, infinite data",
        "## (d) Per-unit firing frequency", "## (f) MLP FLOPs per token",
        "`vit_dff64`", "`vit_depth3`", "`random_inputs`", "lm/i2-d2",
        "## (e) Top-k models against plain ReLU", "| Top-4 (`vit_top4`) |",
        "| Top-4 (`lm_top4`) |", "40.0% flipped",
        // Two seeds at most in the smoke preset: every verdict is
        // inconclusive or not testable, never supports or contradicts.
        "**inconclusive**", "**not testable here**"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  // Damaged copies are refused before anything is drawn.
  auto run = [](Results* d, int i) {
    return d->mutable_topk_thresholding()->mutable_runs(i);
  };
  ExpectRendererRefuses(
      r, "topk_thresholding",
      {
          {"accuracy",
           [&](Results* d) {
             run(d, 1)->mutable_probes(2)->set_probe_accuracy(1.5f);
           }},
          {"training layers",
           [&](Results* d) {
             run(d, 2)->mutable_probes(3)->mutable_train_layers()->RemoveLast();
           }},
          {"no training probe",
           [&](Results* d) {
             run(d, 3)->mutable_probes(3)->set_has_train(false);
           }},
          {"firing frequencies",
           [&](Results* d) {
             run(d, 4)
                 ->mutable_probes(3)
                 ->mutable_layers(0)
                 ->mutable_firing_frequency()
                 ->RemoveLast();
           }},
          {"density",
           [&](Results* d) {
             run(d, 5)
                 ->mutable_probes(1)
                 ->mutable_layers(1)
                 ->set_token_density_mean(std::nan(""));
           }},
          {"reference",
           [](Results* d) {
             d->mutable_topk_thresholding()->mutable_config()->set_lm_reference(
                 "gone");
           }},
          {"family",
           [](Results* d) {
             d->mutable_topk_thresholding()
                 ->mutable_config()
                 ->set_vit_reference("lm");
           }},
          {"calibration", [&](Results* d) { run(d, 9)->clear_calibration(); }},
          {"ECE",
           [&](Results* d) {
             run(d, 10)->mutable_calibration()->set_ece(1.5f);
           }},
          {"reliability bins",
           [&](Results* d) {
             run(d, 11)->mutable_calibration()->mutable_bins(3)->set_count(
                 100000);
           }},
          {"corruptions",
           [&](Results* d) { run(d, 0)->mutable_corruptions()->RemoveLast(); }},
          {"corruption accuracy",
           [&](Results* d) {
             run(d, 1)->mutable_corruptions(5)->set_accuracy(-0.1f);
           }},
      });
  EXPECT_EQ(md.find("**supports**"), std::string::npos);
  EXPECT_EQ(md.find("**contradicts**"), std::string::npos);
  for (const char* png : {"per_layer", "vit_over_training", "lm_over_training",
                          "width", "depth", "synthetic", "firing", "flops",
                          "reliability", "corruptions", "lm_reliability"}) {
    const std::string path = reports + "/topk_thresholding_" + png + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
  }
}

// The memorise preset's twin: 40 training images (the same for every run),
// flipped and random labels on them, and its own report.
TEST(TopkThresholdingSmoke, MemorisePresetRendersItsOwnReport) {
  const std::string out = Tmp("memorise");
  ASSERT_EQ(std::system(SmokeCommand(out, "--preset=memorise_smoke").c_str()),
            0);
  const Results r = Read(out + "/topk_thresholding.pb");
  const TopkThresholdingResults& tk = r.topk_thresholding();
  ASSERT_EQ(tk.runs_size(), 25);  // 5 variants x 5 seeds
  for (const TrainingRecord& run : tk.runs()) {
    SCOPED_TRACE(run.name());
    EXPECT_EQ(run.data().train_examples(), 40);
    EXPECT_EQ(run.data().flipped_labels(),
              run.config().data().label_noise() > 0 ? 16 : 0);
    // The training probe holds each of the 40 images once.
    const Probe& last = run.probes(run.probes_size() - 1);
    ASSERT_TRUE(last.has_train());
    EXPECT_EQ(run.data().probe_sequences(), 500);
    EXPECT_FALSE(run.role().empty());
  }
  const std::string reports = Tmp("memorise_reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/topk_thresholding_memorise.md");
  for (const char* needle :
       {"## Summary", "**Memorised?**",
        "**L7, Top-k less hurt by memorised flipped labels?**",
        "**L9, Top-k better calibrated once the labels are memorised?**",
        "**L5, sparse after memorising random labels?**", "## Verdicts",
        "## The runs", "`noise40_top4` (noisy_topk)", "40.0% flipped"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  EXPECT_NE(Slurp(reports + "/README.md").find("memorised: "),
            std::string::npos);
  const std::string png = reports + "/topk_thresholding_memorise_density.png";
  ASSERT_TRUE(fs::exists(png));
  EXPECT_EQ(Slurp(png).substr(1, 3), "PNG");
}

TEST(TopkThresholdingSmoke, KilledAndResumedEqualsUninterrupted) {
  const std::string extra =
      "--variants=vit,lm --seeds=1 --steps=150 --checkpoint_every=20";
  ASSERT_EQ(std::system(SmokeCommand(Tmp("straight"), extra).c_str()), 0);
  const std::string out = Tmp("killed");
  const std::string ckpt = out + "/topk_thresholding.runs/vit__i1-d1.ckpt";
  ASSERT_TRUE(KillWhenFileAppears(SmokeCommand(out, extra), ckpt));
  ASSERT_FALSE(
      fs::exists(out + "/topk_thresholding.runs/vit__i1-d1.record.pb"));
  ASSERT_EQ(std::system(SmokeCommand(out, extra + " --resume").c_str()), 0);
  const Results straight = Read(Tmp("straight/topk_thresholding.pb"));
  const Results resumed = Read(out + "/topk_thresholding.pb");
  EXPECT_EQ(resumed.topk_thresholding().runs(0).timings().resumed(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(straight), WithoutTimings(resumed)));
}

}  // namespace
}  // namespace sparsity
