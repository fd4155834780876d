#include "reports/neuron_death_findings.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"

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

// W5: per reference run, held-out loss with the dead units removed (the
// first pruning level: units silent over the last dead_window steps) minus
// the intact model's.
std::vector<double> PruneDeadLossChange(const NeuronDeathResults& r) {
  std::vector<double> d;
  for (const PruneCurve& p : r.pruning()) {
    if (p.levels_size() > 0) d.push_back(p.levels(0).loss() - p.loss());
  }
  return d;
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
  for (const TrainingRecord* t : ref) {
    for (const DeathEvent& e : t->neuron_death().deaths()) {
      if (e.input_rank_local() < 0) continue;
      ++f.ranked_deaths;
      f.mid_rank_deaths +=
          e.input_rank_local() >= 0.4 && e.input_rank_local() <= 0.6;
    }
  }
  Comparison input{
      kW4Input, "deaths follow outlier MLP inputs", Claimed::kPositive, {}};
  input.not_testable = absl::StrFormat(
      "after the LayerNorm a step's largest input norm is at most %.1f%% "
      "above its median (p99): no input can stand out",
      100 * f.input_norm_spread);
  Comparison update{kW4Update,
                    "deaths follow outlier weight updates",
                    Claimed::kPositive,
                    {}};
  update.no_valid_test = absl::StrFormat(
      "the same-phase baselines are not uniform under the null: %d of %d "
      "deaths have a same-phase input rank in 0.4-0.6, where a uniform null "
      "puts 20%%",
      f.mid_rank_deaths, f.ranked_deaths);
  Comparison prune{kW5Prune, "removing the dead units costs no held-out loss",
                   Claimed::kEquivalent, PruneDeadLossChange(results),
                   kW5PruneMargin};
  prune.unit = "nats";
  f.verdicts = Decide({input, update, prune});
  f.counted_tests = CountedTests(f.verdicts);
  f.claims = ClaimRows(f);
  return f;
}

}  // namespace sparsity
