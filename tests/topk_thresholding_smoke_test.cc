// End to end: the smoke preset of //experiments:topk_thresholding trains
// every kind of variant (reference ViT and LM, a width, a depth, random
// labels, random inputs, the endless stream), records the final probe on
// held-out and training data with firing frequencies and accuracy, and
// renders the report; damaged results are refused; a sweep killed with
// SIGKILL mid-run and resumed gives the results of one never killed.
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
  ASSERT_EQ(tk.runs_size(), 9);
  for (const TrainingRecord& run : tk.runs()) {
    SCOPED_TRACE(run.name());
    const bool vit = run.config().model().family() == ModelConfig::VIT;
    EXPECT_EQ(vit, run.variant() != "lm");
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
       {"## Summary", "**(a) Few nonzero entries?**",
        "**(b) Larger width (d_ff), sparser?**",
        "**(b) Larger depth (blocks), sparser?**",
        "**(c) Random labels, random inputs, infinite data?**",
        "**(d) Dead or lazy?**", "**(f) FLOPs.**",
        "## (a) Token density per layer", "## (b) Width and depth",
        "## (c) Random labels, random inputs, infinite data",
        "## (d) Per-unit firing frequency", "## (f) MLP FLOPs per token",
        "`vit_dff64`", "`vit_depth3`", "`random_inputs`", "lm/i2-d2"}) {
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
      });
  for (const char* png : {"per_layer", "vit_over_training", "lm_over_training",
                          "width", "depth", "synthetic", "firing", "flops"}) {
    const std::string path = reports + "/topk_thresholding_" + png + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
  }
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
