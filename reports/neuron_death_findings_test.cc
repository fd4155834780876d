#include "reports/neuron_death_findings.h"

#include <string>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// One reference run per entry of `prune` (init seed `init[k]`, or k + 1);
// each with one layer whose input-norm p99 sits 3% above its median, two
// deaths with same-phase input ranks 0.5 and 0.9 (update ranks 0.05 and
// 0.85), and a pruning curve whose first level changes the loss by
// `prune[k]`.
NeuronDeathResults Results(const std::vector<double>& prune,
                           std::vector<int> init = {}) {
  NeuronDeathResults r;
  r.mutable_config()->set_reference("seeds");
  for (size_t k = 0; k < prune.size(); ++k) {
    const int seed = init.empty() ? static_cast<int>(k) + 1 : init[k];
    TrainingRecord* run = r.add_runs();
    run->set_variant("seeds");
    run->set_name("seeds/i" + std::to_string(seed) + "-d" + std::to_string(k));
    run->set_init_seed(seed);
    LayerDeath* ld = run->mutable_neuron_death()->add_layers();
    ld->set_input_norm_median(10);
    ld->set_input_norm_p99(10.3f);
    for (float rank : {0.5f, 0.9f}) {
      DeathEvent* e = run->mutable_neuron_death()->add_deaths();
      e->set_input_rank(rank);
      e->set_update_rank(rank == 0.5f ? 0.05f : 0.85f);
    }
    PruneCurve* p = r.add_pruning();
    p->set_run(run->name());
    p->set_loss(2.0f);
    p->add_levels()->set_loss(2.0f + static_cast<float>(prune[k]));
  }
  TrainingRecord* control = r.add_runs();  // not a reference run
  control->set_variant("lr_high");
  control->mutable_neuron_death()->add_deaths()->set_input_rank(0.5f);
  return r;
}

TEST(AnalyzeNeuronDeath, KnownAnswers) {
  const NeuronDeathFindings f =
      AnalyzeNeuronDeath(Results({0.001, -0.0005, 0.0, 0.0015, -0.001}));
  EXPECT_EQ(f.reference_runs, 5);
  EXPECT_NEAR(f.input_norm_spread, 0.03, 1e-6);
  EXPECT_EQ(f.mid_rank_deaths, 5);  // the control's death is not counted
  EXPECT_EQ(f.ranked_deaths, 10);
  const ComparisonResult& input = FindResult(f.verdicts, kW4Input);
  EXPECT_EQ(input.verdict, Verdict::kNotTestable);
  EXPECT_NE(input.reason.find("at most 3.0% above its median"),
            std::string::npos)
      << input.reason;
  EXPECT_EQ(FindResult(f.verdicts, kW4Update).verdict, Verdict::kInconclusive);
  EXPECT_EQ(f.update_bottom_decile, 5);
  EXPECT_EQ(f.update_top_quintile, 5);
  EXPECT_NE(FindResult(f.verdicts, kW4Update)
                .reason.find("50% in the bottom decile and 50% in the top"),
            std::string::npos);
  EXPECT_EQ(f.init_seeds, 5);
  EXPECT_EQ(FindResult(f.verdicts, kW5Prune).verdict, Verdict::kSupports);
  EXPECT_EQ(f.counted_tests, 4);  // W4 twice, W5's t-test and TOST
  // The rank distributions per layer, and the update-rank groups: each run
  // has one death at update rank 0.05 and one at 0.85 (both in layer 0).
  ASSERT_EQ(f.update_ranks.size(), 1u);
  EXPECT_EQ(f.update_ranks[0].size(), 10u);
  ASSERT_EQ(f.update_groups.size(), 3u);
  EXPECT_EQ(f.update_groups[0].deaths, 5);  // bottom decile
  EXPECT_EQ(f.update_groups[1].deaths, 0);  // middle
  EXPECT_EQ(f.update_groups[2].deaths, 5);  // top quintile
  EXPECT_EQ(f.update_groups[2].per_layer[0], 5);
  EXPECT_EQ(f.claims.size(), 3u);
}

TEST(AnalyzeNeuronDeath, PruningThatCostsLossContradictsW5) {
  const NeuronDeathFindings f =
      AnalyzeNeuronDeath(Results({0.05, 0.06, 0.055, 0.045, 0.05}));
  EXPECT_EQ(FindResult(f.verdicts, kW5Prune).verdict, Verdict::kContradicts);
  // Four runs: never more than inconclusive.
  const NeuronDeathFindings few =
      AnalyzeNeuronDeath(Results({0.001, -0.0005, 0.0, 0.0015}));
  EXPECT_EQ(FindResult(few.verdicts, kW5Prune).verdict, Verdict::kInconclusive);
}

TEST(AnalyzeNeuronDeath, RunsSharingAnInitSeedAreOneUnit) {
  // Six runs of three init seeds: three units, fewer than five.
  const NeuronDeathFindings f = AnalyzeNeuronDeath(
      Results({0.001, 0.003, -0.001, 0.0, 0.002, 0.0}, {1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(f.init_seeds, 3);
  const ComparisonResult& w5 = FindResult(f.verdicts, kW5Prune);
  EXPECT_EQ(w5.stats.n, 3);
  EXPECT_NEAR(w5.comparison.differences[0], 0.002, 1e-6);  // seed 1's mean
  EXPECT_EQ(w5.verdict, Verdict::kInconclusive);
}

TEST(AnalyzeNeuronDeath, InputsThatCanStandOutAreNotCalledUntestable) {
  NeuronDeathResults r = Results({0.0, 0.0, 0.0, 0.0, 0.0});
  r.mutable_runs(0)
      ->mutable_neuron_death()
      ->mutable_layers(0)
      ->set_input_norm_p99(13);  // 30% above the median
  const NeuronDeathFindings f = AnalyzeNeuronDeath(r);
  EXPECT_EQ(FindResult(f.verdicts, kW4Input).verdict, Verdict::kInconclusive);
}

}  // namespace
}  // namespace sparsity
