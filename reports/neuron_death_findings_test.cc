#include "reports/neuron_death_findings.h"

#include <string>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// A layer-0 unit set.
UnitSet Units(std::initializer_list<int> units) {
  UnitSet s;
  for (int u : units) s.add_units(u);
  return s;
}

// One reference run of init seed `seed` (its k-th): one layer of 10 units
// (units 0 and 1 dead), 40 deaths with
//   input ranks 0.5 (a tied, flat statistic; p99 3% above the median),
//   residual ranks (i + 0.5) / 40: 4 of 40 in the top decile (10%, the
//     null's share), 5 in the run with k = 4,
//   update ranks (among all peers, and among peers as rare) 0.95 for the
//     first 16 (k even) or 20 (k odd), else 0.5;
// one frozen step: 10 alive, silent with learning {0..3} (and 4 when k is
// odd), frozen {0, 9}: 1 by the data, 3 or 4 only with learning, 1 only
// frozen; a pruning level changing the loss by `prune`.
void AddReferenceRun(int seed, int k, double prune, NeuronDeathResults* r) {
  TrainingRecord* run = r->add_runs();
  run->set_variant("reference");
  run->set_role("reference");
  run->set_name("reference/i" + std::to_string(seed) + "-d" +
                std::to_string(k));
  run->set_init_seed(seed);
  run->mutable_config()->mutable_model()->set_d_ff(10);
  run->add_probes()->add_layers()->set_dead_units(1);
  NeuronDeathRecord& nd = *run->mutable_neuron_death();
  LayerDeath* ld = nd.add_layers();
  for (int j = 0; j < 10; ++j) ld->add_death_step(j < 2 ? 100 : 0);
  ld->set_input_norm_median(10);
  ld->set_input_norm_p99(10.3f);
  ld->set_residual_norm_median(10);
  ld->set_residual_norm_p99(15);
  for (int i = 0; i < 40; ++i) {
    DeathEvent* e = nd.add_deaths();
    e->set_step(100 + i);
    e->set_input_rank(0.5f);
    e->set_residual_rank(k == 4 && i == 0 ? 0.95f : (i + 0.5f) / 40);
    e->set_update_rank(i < (k % 2 ? 20 : 16) ? 0.95f : 0.5f);
    e->set_update_rank_matched(e->update_rank());
  }
  FrozenSilence* f = nd.add_frozen();
  f->set_step(200);
  f->set_steps(100);
  *f->add_alive() = Units({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  *f->add_learning_silent() =
      k % 2 ? Units({0, 1, 2, 3, 4}) : Units({0, 1, 2, 3});
  *f->add_frozen_silent() = Units({0, 9});
  PruneCurve* p = r->add_pruning();
  p->set_run(run->name());
  p->set_loss(2.0f);
  p->add_levels()->set_loss(2.0f + static_cast<float>(prune));
}

// Reference runs, one per entry of `prune` (init seed init[k], or k + 1),
// and a control whose deaths must not count.
NeuronDeathResults Results(const std::vector<double>& prune,
                           std::vector<int> init = {}) {
  NeuronDeathResults r;
  r.mutable_config()->set_reference("reference");
  for (size_t k = 0; k < prune.size(); ++k) {
    AddReferenceRun(init.empty() ? static_cast<int>(k) + 1 : init[k],
                    static_cast<int>(k), prune[k], &r);
  }
  TrainingRecord* control = r.add_runs();
  control->set_variant("lr_high");
  control->set_role("lr_control");
  control->add_probes()->add_layers();
  control->mutable_neuron_death()->add_deaths()->set_update_rank(0.99f);
  return r;
}

TEST(AnalyzeNeuronDeath, KnownAnswers) {
  const NeuronDeathFindings f =
      AnalyzeNeuronDeath(Results({0.001, -0.0005, 0.0, 0.0015, -0.001}));
  EXPECT_EQ(f.reference.size(), 5u);
  EXPECT_EQ(f.init_seeds, 5);
  EXPECT_EQ(f.lr_runs.size(), 1u);
  EXPECT_NEAR(f.dead_total.mean, 0.2, 1e-9);
  EXPECT_NEAR(f.input.spread, 0.03, 1e-6);
  EXPECT_NEAR(f.residual.spread, 0.5, 1e-6);
  // The input cannot move (3% spread): at its ceiling, not tested.
  const ComparisonResult& input = FindResult(f.verdicts, kW4Input);
  EXPECT_EQ(input.verdict, Verdict::kNotTestable);
  EXPECT_NE(input.reason.find("at most 3.0% above its median"),
            std::string::npos)
      << input.reason;
  // Residual: top-decile shares 10%, 10%, 10%, 10%, 12.5%: below 10% + 5.
  EXPECT_EQ(f.residual.deaths, 200);
  EXPECT_NEAR(f.residual.top_share, 21 / 200.0, 1e-9);
  EXPECT_EQ(FindResult(f.verdicts, kW4Residual).verdict, Verdict::kSupports);
  // Updates: 40% or 50% in the top decile: far beyond the margin.
  EXPECT_NEAR(f.update.top_share, 88 / 200.0, 1e-9);
  EXPECT_NEAR(f.update_matched.top_share, 88 / 200.0, 1e-9);
  EXPECT_EQ(FindResult(f.verdicts, kW4Update).verdict, Verdict::kContradicts);
  // Data against weights: (3 - 1) / 10 or (4 - 1) / 10 per run.
  // (No active sets in these records: every alive unit counts.)
  const ComparisonResult& frozen = FindResult(f.verdicts, kW4Frozen);
  EXPECT_NEAR(frozen.stats.mean, (0.2 + 0.3 + 0.2 + 0.3 + 0.2) / 5, 1e-9);
  EXPECT_EQ(frozen.verdict, Verdict::kSupports);
  ASSERT_EQ(f.frozen.size(), 1u);
  EXPECT_EQ(f.frozen[0].step, 200);
  EXPECT_NEAR(f.frozen_all.learning_only.mean, 3.4, 1e-9);
  EXPECT_NEAR(f.frozen_all.both.mean, 1, 1e-9);
  EXPECT_NEAR(f.frozen_all.frozen_only.mean, 1, 1e-9);
  EXPECT_EQ(FindResult(f.verdicts, kW5Prune).verdict, Verdict::kSupports);
  EXPECT_EQ(f.counted_tests, 9);  // five t-tests, four TOSTs
  // The update-rank groups: the 0.95s are the top quintile.
  ASSERT_EQ(f.update_groups.size(), 3u);
  EXPECT_EQ(f.update_groups[0].deaths, 0);
  EXPECT_EQ(f.update_groups[1].deaths, 112);
  EXPECT_EQ(f.update_groups[2].deaths, 88);
  EXPECT_EQ(f.update_groups[2].per_layer[0], 88);
  EXPECT_EQ(f.claims.size(), 5u);
}

TEST(AnalyzeNeuronDeath, PruningThatCostsLossContradictsW5) {
  const NeuronDeathFindings f =
      AnalyzeNeuronDeath(Results({0.05, 0.06, 0.055, 0.045, 0.05}));
  EXPECT_EQ(FindResult(f.verdicts, kW5Prune).verdict, Verdict::kContradicts);
  // Four runs: never more than inconclusive.
  const NeuronDeathFindings few =
      AnalyzeNeuronDeath(Results({0.001, -0.0005, 0.0, 0.0015}));
  EXPECT_EQ(FindResult(few.verdicts, kW5Prune).verdict, Verdict::kInconclusive);
  EXPECT_EQ(FindResult(few.verdicts, kW4Frozen).verdict,
            Verdict::kInconclusive);
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

TEST(AnalyzeNeuronDeath, InputsThatCanStandOutAreTested) {
  NeuronDeathResults r = Results({0.0, 0.0, 0.0, 0.0, 0.0});
  r.mutable_runs(0)
      ->mutable_neuron_death()
      ->mutable_layers(0)
      ->set_input_norm_p99(13);  // 30% above the median
  const NeuronDeathFindings f = AnalyzeNeuronDeath(r);
  // Every input rank 0.5: no death in the top decile, 10 points below the
  // null's share in every seed: fewer outliers than chance, in line with
  // the claim.
  EXPECT_EQ(FindResult(f.verdicts, kW4Input).verdict, Verdict::kSupports);
}

TEST(AnalyzeNeuronDeath, TheNoLearningRunChecksTheContinuation) {
  NeuronDeathResults r = Results({0.0, 0.0, 0.0, 0.0, 0.0});
  TrainingRecord* none = r.add_runs();
  none->set_variant("no_learning");
  none->set_role("no_learning");
  FrozenSilence* f = none->mutable_neuron_death()->add_frozen();
  *f->add_alive() = Units({1, 2});
  *f->add_learning_silent() = Units({1});
  *f->add_frozen_silent() = Units({1, 2, 7});  // 2 disagrees; 7 not alive
  const NeuronDeathFindings found = AnalyzeNeuronDeath(r);
  EXPECT_EQ(found.no_learning, none);
  EXPECT_EQ(found.no_learning_checks, 1);
  EXPECT_EQ(found.no_learning_mismatches, 1);
}

}  // namespace
}  // namespace sparsity
