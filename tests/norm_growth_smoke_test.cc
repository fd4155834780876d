// End to end: the smoke preset of //experiments:norm_growth trains every
// variant (AdamW with and without weight decay, SGD, post-norm, bias-free),
// records rho and the update geometry on the probe schedule, fits rho,
// measures saturation and the saturated heads, and renders the report; a
// sweep killed with SIGKILL mid-run and resumed gives the results of one
// never killed.
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

TEST(NormGrowthSmoke, RunsEveryVariantAndRendersTheReport) {
  const std::string out = Tmp("run");
  ASSERT_EQ(std::system(SmokeCommand(out, "").c_str()), 0);
  const Results r = Read(out + "/norm_growth.pb");
  const NormGrowthResults& ng = r.norm_growth();
  ASSERT_EQ(ng.runs_size(), 11);
  for (const TrainingRecord& run : ng.runs()) {
    const NormGrowthRecord& n = run.norm_growth();
    SCOPED_TRACE(run.name());
    // 2 layers: embeddings, block 0, block 1, final (pre-norm's ln_f and
    // the untied head; post-norm has no ln_f but the head).
    EXPECT_EQ(n.groups_size(), 4);
    ASSERT_EQ(n.points_size(), 5);  // steps 0, 10, 20, 30, 40
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(n.points(i).step(), 10 * i);
      EXPECT_EQ(n.points(i).has_next(), i < 4);
    }
    // Direction cosines near 1 for small steps; the step is not zero.
    EXPECT_GT(n.points(1).direction_cos(), 0.99);
    EXPECT_GT(n.points(1).step_size(), 0);
    ASSERT_EQ(n.fits_size(), 3);
    EXPECT_EQ(n.fits(2).form(), "power");
    EXPECT_EQ(n.saturated_trained().layers_size(), 2);
    EXPECT_EQ(n.saturated_init().layers_size(), 2);
    ASSERT_EQ(n.curve_size(), 4);  // c = 1, 2, 5, 10
    // theta against 1 * theta: identical hidden states.
    EXPECT_NEAR(n.curve(0).layers(1), 1.0, 1e-5);
    EXPECT_EQ(n.heads_size(), 4);                   // 2 layers x 2 heads
    EXPECT_FLOAT_EQ(n.mean_visible_keys(), 16.5f);  // causal, 32 tokens
    EXPECT_GT(n.kernel_softmax_agreement(), 0.99);
    // Trajectory steps 0, 10, .., 40 (every 10): saturation per layer and
    // the direction matrix; the last point's saturation is the trained
    // model's, measured again after the run.
    EXPECT_EQ(n.points(2).saturation_size(), 2);
    EXPECT_NEAR(n.points(4).saturation(1), n.saturated_trained().layers(1),
                1e-5);
    ASSERT_EQ(n.direction().steps_size(), 5);
    EXPECT_NEAR(n.direction().cos(0), 1.0, 1e-9);  // theta_0 with itself
    EXPECT_LT(n.direction().cos(4), 1.0);          // theta_0 with theta_40
    EXPECT_EQ(n.group_fits_size(), 12);            // (all, body, 4) x 2
    EXPECT_GT(n.points(4).cumulative_lr(), n.points(1).cumulative_lr());
    EXPECT_GT(n.parameter_norms_size(), 0);
    EXPECT_GT(n.heads(0).c1_effective_keys(), 0);
  }
  // AdamW grows the norm here; the bias-free model has no trainable bias.
  const TrainingRecord& ref = ng.runs(0);
  EXPECT_EQ(ref.role(), "reference");
  EXPECT_GT(ref.norm_growth().points(4).rho(),
            ref.norm_growth().points(0).rho());
  EXPECT_LT(ng.runs(9).parameters() - ng.runs(0).parameters(), 0);

  const std::string reports = Tmp("reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/norm_growth.md");
  for (const char* needle :
       {"## Summary (computed from the results)", "**What rho measures here.**",
        "**Does rho grow like sqrt(t)?**", "**When does growth stop?**",
        "**Does the direction converge?**",
        "**Does each layer approach its saturated version?**",
        "**Are the heads argmax and mean heads?**", "## Norm growth",
        "### What rho is made of", "### Direction", "## Saturation",
        "### Similarity against c", "## Heads", "## Verdicts",
        "`M1.body_constant_lr`", "`M3.layer1`", "`stop.sgd`", "adamw/i2-d2",
        "post_norm_no_bias"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  // Damaged copies are refused before anything is drawn.
  ExpectRendererRefuses(
      r, "norm_growth",
      {
          {"rho",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(0)
                 ->mutable_norm_growth()
                 ->mutable_points(2)
                 ->set_rho(std::nan(""));
           }},
          {"group norms",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(1)
                 ->mutable_norm_growth()
                 ->mutable_points(1)
                 ->set_group_rho(0, 1e3);
           }},
          {"heads",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(2)
                 ->mutable_norm_growth()
                 ->mutable_heads()
                 ->RemoveLast();
           }},
          {"similarity",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(3)
                 ->mutable_norm_growth()
                 ->mutable_curve(1)
                 ->set_layers(0, 1.5f);
           }},
          {"fits",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(4)
                 ->mutable_norm_growth()
                 ->mutable_fits(1)
                 ->set_alpha(0.7);
           }},
          {"reference",
           [](Results* d) {
             d->mutable_norm_growth()->mutable_config()->set_reference("gone");
           }},
          {"reference role",
           [](Results* d) {
             for (TrainingRecord& t :
                  *d->mutable_norm_growth()->mutable_runs()) {
               t.clear_role();
             }
           }},
          {"direction",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(0)
                 ->mutable_norm_growth()
                 ->mutable_direction()
                 ->set_cos(3, 1.5);
           }},
          {"saturation over training",
           [](Results* d) {
             d->mutable_norm_growth()
                 ->mutable_runs(1)
                 ->mutable_norm_growth()
                 ->mutable_points(2)
                 ->add_saturation(0.5f);
           }},
      });
  for (const char* png :
       {"rho_fits", "rho_variants", "group_norms", "direction", "alignment",
        "step_size", "saturation", "similarity_vs_c", "heads"}) {
    const std::string path = reports + "/norm_growth_" + png + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
  }
}

TEST(NormGrowthSmoke, KilledAndResumedEqualsUninterrupted) {
  const std::string extra =
      "--variants=adamw --steps=300 --checkpoint_every=20";
  ASSERT_EQ(std::system(SmokeCommand(Tmp("straight"), extra).c_str()), 0);
  const std::string out = Tmp("killed");
  const std::string ckpt = out + "/norm_growth.runs/adamw__i2-d2.ckpt";
  ASSERT_TRUE(KillWhenFileAppears(SmokeCommand(out, extra), ckpt));
  ASSERT_FALSE(fs::exists(out + "/norm_growth.runs/adamw__i2-d2.record.pb"));
  ASSERT_EQ(std::system(SmokeCommand(out, extra + " --resume").c_str()), 0);
  const Results straight = Read(Tmp("straight/norm_growth.pb"));
  const Results resumed = Read(out + "/norm_growth.pb");
  EXPECT_EQ(resumed.norm_growth().runs(1).timings().resumed(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(straight), WithoutTimings(resumed)));
}

}  // namespace
}  // namespace sparsity
