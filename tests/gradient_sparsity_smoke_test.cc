// End to end: the smoke preset of //experiments:gradient_sparsity trains
// every kind of variant (ViT and LM baselines, JSReLU, the zeroth bias at
// either place with the restricted LayerNorm, both, a finetuning control
// and a finetuned model from each seed's baseline checkpoint), records the
// gradient probes beside the activation probes, and renders the report;
// finetuning starts exactly from the baseline's final weights; damaged
// results are refused; a sweep killed with SIGKILL mid-run and resumed gives
// the results of one never killed.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/results_io.h"
#include "tests/experiment_test_util.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

TEST(GradientSparsitySmoke, RunsEveryVariantAndRendersTheReport) {
  const std::string out = Tmp("run");
  ASSERT_EQ(std::system(SmokeCommand(out, "").c_str()), 0);
  const Results r = Read(out + "/gradient_sparsity.pb");
  const GradientSparsityResults& gs = r.gradient_sparsity();
  ASSERT_EQ(gs.runs_size(), 22);  // 11 variants x 2 seed pairs
  std::map<std::string, const TrainingRecord*> by_name;
  for (const TrainingRecord& run : gs.runs()) by_name[run.name()] = &run;
  for (const TrainingRecord& run : gs.runs()) {
    SCOPED_TRACE(run.name());
    const bool finetune = !run.config().init_from().empty();
    // Probes at 0, 10, 20 (and 30 from scratch), a gradient probe at each.
    ASSERT_EQ(run.probes_size(), finetune ? 3 : 4);
    ASSERT_EQ(run.gradient_probes_size(), run.probes_size());
    const int layers = run.config().model().n_layers();
    for (int i = 0; i < run.gradient_probes_size(); ++i) {
      const GradientProbe& g = run.gradient_probes(i);
      EXPECT_EQ(g.step(), run.probes(i).step());
      ASSERT_EQ(g.layers_size(), layers);
      for (const LayerGradient& l : g.layers()) {
        ASSERT_EQ(l.eta_below_size(), 3);
        EXPECT_LE(l.eta_below(0), l.eta_below(1));
        EXPECT_LE(l.eta_below(1), l.eta_below(2));
        EXPECT_GT(l.eta_l2(), 0);
        // One training batch: 32 images x 17 tokens, or 8 x 32 bytes.
        EXPECT_EQ(l.entries(), (run.variant()[0] == 'v' ? 32 * 17 : 8 * 32) *
                                   run.config().model().d_ff());
        ASSERT_EQ(l.spectral_size(), 2);
        EXPECT_EQ(l.spectral(0).r(), 0.1);
        EXPECT_GE(l.spectral(0).nonzero(), l.spectral(1).nonzero());
        // d_ff 32 > d_model 16: at most 16 nonzero eigenvalues.
        EXPECT_LE(l.spectral(0).nonzero(), 16);
        EXPECT_GE(l.spectral(0).nonzero(), 1);
        // Beyond the activation zeros: every LM token reaches the loss; in
        // a ViT's last block only the class token (1 of 17) does.
        const bool vit_last =
            run.variant()[0] == 'v' && l.layer() == layers - 1;
        EXPECT_NEAR(l.loss_token_fraction(), vit_last ? 1.0 / 17 : 1.0, 1e-9);
        ASSERT_EQ(l.active_eta_below_size(), 2);
        EXPECT_LE(l.active_eta_below(0), l.active_eta_below(1));
        EXPECT_GT(l.active_entries(), 0);
      }
    }
    // Flatness after the last step at 5% and 10% weight noise.
    ASSERT_EQ(run.flatness_size(), 2);
    EXPECT_EQ(run.flatness(0).draws(), 2);
    EXPECT_FLOAT_EQ(run.flatness(1).sigma(), 0.1f);
    EXPECT_GT(run.flatness(1).loss(), 0);
    const bool mixed = run.config().model().mlp().mix_steps() > 0;
    // The mix: ReLU (0) at the start, JSReLU (1) after its 10 steps.
    EXPECT_EQ(run.gradient_probes(0).mix(), mixed ? 0.0 : 1.0);
    EXPECT_EQ(run.gradient_probes(1).mix(), 1.0);
    if (finetune) {
      // Finetuning starts exactly from the baseline's final weights: its
      // step-0 probe measures the same model on the same probe.
      const TrainingRecord* base = by_name.at(run.config().init_from());
      const Probe& before = base->probes(base->probes_size() - 1);
      const Probe& start = run.probes(0);
      EXPECT_EQ(start.probe_loss(), before.probe_loss());
      EXPECT_EQ(start.probe_accuracy(), before.probe_accuracy());
      for (int l = 0; l < layers; ++l) {
        EXPECT_EQ(start.layers(l).token_density_mean(),
                  before.layers(l).token_density_mean());
      }
    }
  }

  const std::string reports = Tmp("reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/gradient_sparsity.md");
  for (const char* needle :
       {"## Summary (computed from the results)",
        "**ViT from scratch.**",
        "**LM from scratch.**",
        "**ViT finetuned**",
        "**LM finetuned**",
        "**Against [P].**",
        "**Columns that cannot move**",
        "## What the gradient sparsity is made of",
        "## Flatness",
        "## Verdicts",
        "`P1.vit_jsrelu`",
        "`P4.lm`",
        "`P7.vit`",
        "## ViT: from scratch",
        "## LM: from scratch",
        "## ViT: finetuning from the baseline",
        "## LM: finetuning from the baseline",
        "`vit_zb_in`",
        "`vit_zb_out`",
        "`lm_both_out`",
        "zeroth bias (MLP input) + restricted LN",
        "JSReLU (mix over 10 steps) + zeroth bias (MLP output) + restricted "
        "LN (finetuning, U = 10)",
        "## What does the activation cost?",
        "lm_ft/i2-d2"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  auto run = [](Results* d, int i) {
    return d->mutable_gradient_sparsity()->mutable_runs(i);
  };
  ExpectRendererRefuses(
      r, "gradient_sparsity",
      {
          {"gradient probes",
           [&](Results* d) {
             run(d, 0)->mutable_gradient_probes()->RemoveLast();
           }},
          {"fraction",
           [&](Results* d) {
             run(d, 3)
                 ->mutable_gradient_probes(1)
                 ->mutable_layers(0)
                 ->set_eta_below(2, 1.5);
           }},
          {"order",
           [&](Results* d) {
             run(d, 4)
                 ->mutable_gradient_probes(2)
                 ->mutable_layers(1)
                 ->set_eta_below(0, 0.99);
             run(d, 4)
                 ->mutable_gradient_probes(2)
                 ->mutable_layers(1)
                 ->set_eta_below(1, 0.5);
           }},
          {"spectral",
           [&](Results* d) {
             run(d, 5)
                 ->mutable_gradient_probes(0)
                 ->mutable_layers(0)
                 ->mutable_spectral()
                 ->RemoveLast();
           }},
          {"step",
           [&](Results* d) {
             run(d, 6)->mutable_gradient_probes(1)->set_step(11);
           }},
          {"norm",
           [&](Results* d) {
             run(d, 7)
                 ->mutable_gradient_probes(1)
                 ->mutable_layers(0)
                 ->set_eta_l2(std::nan(""));
           }},
          {"active share",
           [&](Results* d) {
             run(d, 8)
                 ->mutable_gradient_probes(1)
                 ->mutable_layers(0)
                 ->set_active_eta_below(1, 1.5);
           }},
          {"flatness",
           [&](Results* d) {
             run(d, 9)->mutable_flatness(0)->set_increase(std::nan(""));
           }},
          {"roles",
           [&](Results* d) {
             for (TrainingRecord& t :
                  *d->mutable_gradient_sparsity()->mutable_runs()) {
               t.clear_role();
             }
           }},
      });
  for (const char* png :
       {"vit_density", "vit_gradient", "vit_spectral", "vit_finetune",
        "lm_density", "lm_gradient", "lm_spectral", "lm_finetune",
        "vit_flatness", "lm_flatness"}) {
    const std::string path = reports + "/gradient_sparsity_" + png + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
  }
}

TEST(GradientSparsitySmoke, KilledAndResumedEqualsUninterrupted) {
  const std::string extra =
      "--variants=vit,vit_ft --seeds=1 --steps=150 --checkpoint_every=20";
  ASSERT_EQ(std::system(SmokeCommand(Tmp("straight"), extra).c_str()), 0);
  const std::string out = Tmp("killed");
  const std::string ckpt = out + "/gradient_sparsity.runs/vit__i1-d1.ckpt";
  ASSERT_TRUE(KillWhenFileAppears(SmokeCommand(out, extra), ckpt));
  ASSERT_EQ(std::system(SmokeCommand(out, extra + " --resume").c_str()), 0);
  const Results straight = Read(Tmp("straight/gradient_sparsity.pb"));
  const Results resumed = Read(out + "/gradient_sparsity.pb");
  ASSERT_EQ(resumed.gradient_sparsity().runs_size(), 2);
  EXPECT_EQ(resumed.gradient_sparsity().runs(0).timings().resumed(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(straight), WithoutTimings(resumed)));
}

}  // namespace
}  // namespace sparsity
