#include "reports/neuron_death_findings.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "metrics/percentile.h"

namespace sparsity {
namespace {

std::vector<const TrainingRecord*> ReferenceRuns(const NeuronDeathResults& r) {
  std::vector<const TrainingRecord*> runs;
  for (const TrainingRecord& run : r.runs()) {
    if (run.variant() == r.config().reference()) runs.push_back(&run);
  }
  return runs;
}

double InputNormSpread(const std::vector<const TrainingRecord*>& runs) {
  double spread = 0;
  for (const TrainingRecord* t : runs) {
    for (const LayerDeath& ld : t->neuron_death().layers()) {
      if (ld.input_norm_median() > 0) {
        spread = std::max<double>(
            spread, ld.input_norm_p99() / ld.input_norm_median() - 1);
      }
    }
  }
  return spread;
}

// W5: per init seed (runs sharing it averaged: they are not independent),
// held-out loss with the dead units removed (the first pruning level: units
// silent over the last dead_window steps) minus the intact model's.
std::vector<double> PruneDeadLossChange(
    const NeuronDeathResults& r,
    const std::vector<const TrainingRecord*>& ref) {
  std::map<uint64_t, std::pair<double, int>> by_seed;
  for (const PruneCurve& p : r.pruning()) {
    if (p.levels_size() == 0) continue;
    for (const TrainingRecord* t : ref) {
      if (t->name() != p.run()) continue;
      auto& [sum, n] = by_seed[t->init_seed()];
      sum += p.levels(0).loss() - p.loss();
      ++n;
    }
  }
  std::vector<double> d;
  for (const auto& [seed, sum_n] : by_seed) {
    d.push_back(sum_n.first / sum_n.second);
  }
  return d;
}

// The deaths of each group by update rank, per layer, with their median
// step.
std::vector<RankGroup> UpdateGroups(
    const std::vector<const TrainingRecord*>& ref, int layers) {
  std::vector<RankGroup> groups = {{"bottom decile", 0, 0.1},
                                   {"middle", 0.1, 0.8},
                                   {"top quintile", 0.8, 1.01}};
  for (RankGroup& g : groups) {
    g.per_layer.assign(layers, 0);
    std::vector<double> steps;
    for (const TrainingRecord* t : ref) {
      for (const DeathEvent& e : t->neuron_death().deaths()) {
        const double r = e.update_rank();
        if (e.input_rank() < 0 || r < g.lo || r >= g.hi) continue;
        ++g.deaths;
        if (e.layer() >= 0 && e.layer() < layers) ++g.per_layer[e.layer()];
        steps.push_back(e.step());
        g.revived += e.revived();
      }
    }
    g.median_step = steps.empty() ? 0 : Percentile(steps, 50);
  }
  return groups;
}

void CountRanks(const std::vector<const TrainingRecord*>& ref,
                NeuronDeathFindings* f) {
  const int layers = ref.empty() ? 0 : ref[0]->neuron_death().layers_size();
  f->input_ranks.assign(layers, {});
  f->update_ranks.assign(layers, {});
  f->update_groups = UpdateGroups(ref, layers);
  for (const TrainingRecord* t : ref) {
    for (const DeathEvent& e : t->neuron_death().deaths()) {
      if (e.input_rank() < 0) continue;
      ++f->ranked_deaths;
      if (e.layer() >= 0 && e.layer() < layers) {
        f->input_ranks[e.layer()].push_back(e.input_rank());
        f->update_ranks[e.layer()].push_back(e.update_rank());
      }
      f->mid_rank_deaths +=
          e.input_rank() >= 0.4 && e.input_rank() <= 0.6;
      f->update_bottom_decile += e.update_rank() < 0.1;
      f->update_top_quintile += e.update_rank() >= 0.8;
    }
  }
}

std::vector<ClaimRow> ClaimRows(const NeuronDeathFindings& f) {
  return {
      {"W4", "a step's largest MLP input (after the LayerNorm) before deaths",
       FindResult(f.verdicts, kW4Input),
       "the residual stream before the LayerNorm is not measured yet"},
      {"W4", "the dying unit's largest weight update before its death",
       FindResult(f.verdicts, kW4Update),
       "a valid null (windows from the unit's own history) is the next "
       "step"},
      {"W5", "held-out loss, dead units removed - intact",
       FindResult(f.verdicts, kW5Prune),
       "close to a tautology: units silent on 100 steps of training text "
       "rarely fire on held-out text; removing rare units (the report's "
       "pruning table) is the informative test"},
  };
}

}  // namespace

NeuronDeathFindings AnalyzeNeuronDeath(const NeuronDeathResults& results) {
  NeuronDeathFindings f;
  const std::vector<const TrainingRecord*> ref = ReferenceRuns(results);
  f.reference_runs = static_cast<int>(ref.size());
  f.input_norm_spread = InputNormSpread(ref);
  CountRanks(ref, &f);
  Comparison input{
      kW4Input, "deaths follow outlier MLP inputs", Claimed::kPositive, {}};
  input.no_valid_test =
      "the same-phase baseline is not a valid null (see the update row)";
  if (f.input_norm_spread < kMinOutlierSpread) {
    input.not_testable = absl::StrFormat(
        "after the LayerNorm a step's largest input norm is at most %.1f%% "
        "above its median (p99; an outlier needs %.0f%%): no input can stand "
        "out",
        100 * f.input_norm_spread, 100 * kMinOutlierSpread);
  }
  Comparison update{kW4Update,
                    "deaths follow outlier weight updates",
                    Claimed::kPositive,
                    {}};
  const double n = std::max(1, f.ranked_deaths);
  update.no_valid_test = absl::StrFormat(
      "the same-phase baseline is not a valid null: input ranks built the "
      "same way put %.0f%% of deaths in 0.4-0.6 (a uniform null: 20%%); "
      "update ranks put %.0f%% in the bottom decile and %.0f%% in the top "
      "quintile (10%% and 20%%)",
      100 * f.mid_rank_deaths / n, 100 * f.update_bottom_decile / n,
      100 * f.update_top_quintile / n);
  const std::vector<double> prune = PruneDeadLossChange(results, ref);
  f.init_seeds = static_cast<int>(prune.size());
  Comparison prune_dead{kW5Prune,
                        "removing the dead units costs no held-out loss "
                        "(per init seed)",
                        Claimed::kEquivalent, prune, kW5PruneMargin};
  prune_dead.unit = "nats";
  f.verdicts = Decide({input, update, prune_dead});
  f.counted_tests = CountedTests(f.verdicts);
  f.claims = ClaimRows(f);
  return f;
}

}  // namespace sparsity
