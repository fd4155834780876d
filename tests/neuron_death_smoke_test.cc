// End to end: the smoke preset of //experiments:neuron_death runs every
// control (reference seeds, learning rate, warmup, no learning from init and
// from the trained weights), tracks deaths on the training stream, measures
// the pruning curve and renders the report; a sweep killed with SIGKILL
// mid-run and resumed gives the results of one never killed (the tracker's
// per-step history travels in the checkpoints).
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/experiment_test_util.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

const TrainingRecord& FindRun(const Results& r, const std::string& name) {
  for (const TrainingRecord& run : r.neuron_death().runs()) {
    if (run.name() == name) return run;
  }
  ADD_FAILURE() << "no run " << name;
  return r.neuron_death().runs(0);
}

TEST(NeuronDeathSmoke, RunsEveryControlAndRendersTheReport) {
  const std::string out = Tmp("run");
  ASSERT_EQ(std::system(SmokeCommand(out, "").c_str()), 0);
  const Results r = Read(out + "/neuron_death.pb");
  const NeuronDeathResults& nd = r.neuron_death();
  ASSERT_EQ(nd.runs_size(), 6);
  for (const char* name :
       {"reference/i1-d1", "reference/i1-d2", "lr_0.03/i1-d1", "warmup_0/i1-d1",
        "no_learning/i1-d1", "frozen_trained/i1-d1"}) {
    const TrainingRecord& run = FindRun(r, name);
    const NeuronDeathRecord& d = run.neuron_death();
    EXPECT_EQ(d.history().fire_counts_size(), 0) << name;
    ASSERT_EQ(d.layers_size(), 2) << name;
    EXPECT_EQ(d.layers(1).dead_size(), run.config().train().steps());
    EXPECT_EQ(d.layers(1).death_step_size(), 64);
    EXPECT_EQ(d.tokens_per_step(), 8 * 32);
  }
  // Learning makes units die here; learning rate 0 from initialisation
  // makes none die on the same stream.
  EXPECT_GT(FindRun(r, "reference/i1-d1").neuron_death().deaths_size(), 0);
  EXPECT_EQ(FindRun(r, "no_learning/i1-d1").neuron_death().deaths_size(), 0);
  // The frozen run starts from reference/i1-d1's final weights: its first
  // probe is that run's last.
  const TrainingRecord& trained = FindRun(r, "reference/i1-d1");
  const TrainingRecord& frozen = FindRun(r, "frozen_trained/i1-d1");
  EXPECT_EQ(frozen.probes(0).probe_loss(),
            trained.probes(trained.probes_size() - 1).probe_loss());
  // Frozen continuations after steps 10 and 20 of the reference runs and of
  // no_learning only. With learning rate 0 the continuation is the run
  // itself: its frozen silence must equal its own, unit for unit (the
  // second stream is skipped to the same batch).
  for (const TrainingRecord& run : nd.runs()) {
    const bool frozen_runs =
        run.variant() == "reference" || run.variant() == "no_learning";
    ASSERT_EQ(run.neuron_death().frozen_size(), frozen_runs ? 2 : 0)
        << run.name();
  }
  for (const FrozenSilence& f :
       FindRun(r, "no_learning/i1-d1").neuron_death().frozen()) {
    ASSERT_EQ(f.alive_size(), 2);
    ASSERT_EQ(f.active_size(), 2);
    for (int l = 0; l < 2; ++l) {
      std::set<int> frozen_alive;
      for (int u : f.frozen_silent(l).units()) frozen_alive.insert(u);
      std::set<int> alive(f.alive(l).units().begin(), f.alive(l).units().end());
      std::set<int> both;
      for (int u : alive) {
        if (frozen_alive.count(u)) both.insert(u);
      }
      EXPECT_EQ(both, std::set<int>(f.learning_silent(l).units().begin(),
                                    f.learning_silent(l).units().end()))
          << "step " << f.step() << " layer " << l;
    }
  }
  for (const DeathEvent& e : trained.neuron_death().deaths()) {
    if (e.step() < 2) continue;
    EXPECT_GE(e.residual_rank(), 0);
    EXPECT_LE(e.residual_rank(), 1);
  }
  // Pruning: one curve per reference run; removing units that never fire
  // over the last window leaves the loss almost unchanged.
  ASSERT_EQ(nd.pruning_size(), 2);
  EXPECT_EQ(nd.pruning(0).levels_size(), 3);  // dead, 1e-2, 0.1
  EXPECT_EQ(nd.pruning(0).levels(0).threshold(), 0);

  const std::string reports = Tmp("reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/neuron_death.md");
  for (const char* needle : {"## What the evidence says",
                             "**Seeds.**",
                             "**Learning rate.**",
                             "**Warmup.**",
                             "**Outliers.**",
                             "**Data or weights?**",
                             "**No learning.**",
                             "**Does death matter?**",
                             "## Verdicts",
                             "`W4.residual_outliers`",
                             "`W4.data_or_weights`",
                             "## Dead units per layer",
                             "## How units die",
                             "### 1. Seeds",
                             "### 2. Step size",
                             "### 3. Outliers",
                             "### 4. Data against weights",
                             "### 5. No learning",
                             "## Does death matter?",
                             "reference/i1-d2"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  for (const char* png :
       {"dead_training", "dead_probe", "revivals", "fade", "firing_histogram",
        "learning_rate", "input_ranks", "residual_ranks", "update_ranks",
        "update_matched_ranks", "pruning"}) {
    const std::string path = reports + "/neuron_death_" + png + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
  }
}

TEST(NeuronDeathSmoke, KilledAndResumedEqualsUninterrupted) {
  const std::string extra = "--steps=300 --checkpoint_every=20";
  ASSERT_EQ(std::system(SmokeCommand(Tmp("straight"), extra).c_str()), 0);
  const std::string out = Tmp("killed");
  const std::string ckpt = out + "/neuron_death.runs/reference__i1-d2.ckpt";
  ASSERT_TRUE(KillWhenFileAppears(SmokeCommand(out, extra), ckpt));
  ASSERT_FALSE(
      fs::exists(out + "/neuron_death.runs/reference__i1-d2.record.pb"));
  ASSERT_EQ(std::system(SmokeCommand(out, extra + " --resume").c_str()), 0);
  const Results straight = Read(Tmp("straight/neuron_death.pb"));
  const Results resumed = Read(out + "/neuron_death.pb");
  EXPECT_EQ(FindRun(resumed, "reference/i1-d2").timings().resumed(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(straight), WithoutTimings(resumed)));
}

}  // namespace
}  // namespace sparsity
