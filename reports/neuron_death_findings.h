// Findings of experiment 2 (neuron_death, [W]): every number and verdict
// the neuron-death report cites, computed from the results alone
// (docs/method.md, "Neuron death" and "Verdicts"); the report only formats
// them. Runs are picked by their declared variant roles ("reference",
// "lr_control", "warmup_control", "no_learning", "frozen_trained"), never
// by comparing configs.
//
//   NeuronDeathFindings f = AnalyzeNeuronDeath(results.neuron_death());
//   FindResult(f.verdicts, kW4Frozen).verdict;
#ifndef SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_
#define SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_

#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

// docs/method.md, "Neuron death: the claims as tested".
// W5: removing the units dead on the training stream may change the
// held-out loss by less than this (nats per token).
inline constexpr double kW5PruneMargin = 0.01;
// W4, outliers: a death "follows an outlier" when its window ranks in the
// top decile of its null (rank >= kTopDecile); under the null 10% do. "No
// outlier effect" is a top-decile share below kNullTopShare +
// kW4TailMargin (a smaller share is in line with the claim too).
inline constexpr double kTopDecile = 0.9;
inline constexpr double kNullTopShare = 0.10;
inline constexpr double kW4TailMargin = 0.05;
// An outlier can stand out only if a statistic's 99th percentile over steps
// sits at least this far above its median (a fraction).
inline constexpr double kMinOutlierSpread = 0.10;
// The seeds rule: per-layer dead fractions correlate at least this much
// between runs (mean r), and the same layer loses the most in every run.
inline constexpr double kReproducibleCorrelation = 0.8;
// Descriptive reading of the Jaccard overlap of dead units (no test): runs
// sharing the init seed share this many times more than other pairs or
// chance: "largely" (kLargely) or "partly" (kPartly) decided by the
// initialisation.
inline constexpr double kInitLargely = 2.0;
inline constexpr double kInitPartly = 1.25;
// A trend over the step-size controls moves the dead fraction by more than
// this between neighbouring points (a fraction of units).
inline constexpr double kTrendTolerance = 0.01;
// Rare units: fire on fewer than this fraction of training tokens over the
// last dead_window steps, but not dead.
inline constexpr double kRareFrequency = 1e-3;

inline constexpr char kW4Input[] = "W4.input_outliers";
inline constexpr char kW4Residual[] = "W4.residual_outliers";
inline constexpr char kW4Update[] = "W4.update_outliers";
inline constexpr char kW4Frozen[] = "W4.data_or_weights";
inline constexpr char kW5Prune[] = "W5.prune_dead";

// One outlier statistic over the reference runs' ranked deaths.
struct RankSummary {
  std::string name;  // "input (after the LayerNorm)", ...
  int deaths = 0;
  double mean = 0;       // mean rank (0.5 under the null)
  double top_share = 0;  // share with rank >= kTopDecile (10% under it)
  // 99th percentile of the step statistic over its median, minus 1 (the
  // largest over layers and runs); -1 where not meaningful (updates).
  double spread = -1;
  std::vector<std::vector<double>> per_layer;  // ranks, per layer
  double layer_min = 0, layer_max = 0;         // of the per-layer mean ranks
  std::vector<double> death_median, base_median, base_p99;  // per layer
};

// Deaths of the reference runs whose update rank falls in a range.
struct RankGroup {
  std::string name;       // "bottom decile", ...
  double lo = 0, hi = 1;  // update rank in [lo, hi)
  int deaths = 0;
  std::vector<int> per_layer;
  double median_step = 0;       // of the deaths
  double median_frequency = 0;  // of the unit in the fade's last bin
  int revived = 0;
};

// Data against weights, after one frozen step, summed over layers, mean
// over the reference runs.
struct FrozenRow {
  int step = 0, steps = 0;
  Spread alive, learning_silent, both, learning_only, frozen_only;
};

// The aligned fade-out of first deaths against the matched cohort.
struct FadeFindings {
  std::vector<double> x;  // bin centre, steps before the death
  std::vector<double> median, p25, p75, cohort_median, cohort_p25, cohort_p75;
  std::vector<int> n;
  int deaths = 0, full = 0, matched = 0;
  double first = 0, last = 0, cohort_first = 0, cohort_last = 0;
  double quiet_first = 0;  // share of `full` below 1% in the first bin
};

// One point of a step-size control: its value and its runs.
struct StepPoint {
  double value = 0;
  bool reference = false;
  Runs runs;
  Spread dead, deaths, revivals, loss;
  std::vector<double> dead_layer;  // mean per layer
};

struct PruneRow {
  float threshold = 0;
  Spread removed, delta;
  std::vector<double> removed_layer;  // mean per layer
};

struct NeuronDeathFindings {
  // The design, by declared role.
  Runs reference, lr_runs, warmup_runs;
  const TrainingRecord* no_learning = nullptr;
  const TrainingRecord* frozen_trained = nullptr;
  const TrainingRecord* frozen_source = nullptr;  // its init_from run
  int layers = 0, units = 0, init_seeds = 0;

  // Extent, per layer and over all layers (reference runs).
  Spread dead_total, probe_dead_total, deaths_total, revivals_total;
  std::vector<Spread> dead_layer, probe_dead_layer, rare_layer, deaths_layer,
      revivals_layer;
  int most = 0;  // the layer with the largest mean dead fraction

  // Seeds.
  Spread correlation, jaccard_same_init, jaccard_other_init;
  double jaccard_chance = 0;
  int same_most = 0;  // runs whose most-dead layer is `most`
  bool reproducible = false;
  std::string init_decides;  // "largely", "partly", "not", "" (no pairs)

  // Step size.
  std::vector<StepPoint> lr_points, warmup_points;
  std::string lr_trend, warmup_trend;  // "rises", "falls", "shows no ..."

  // Outliers: input after the LayerNorm, residual before it, updates among
  // the layer's firing units and among the firing units as rare (the
  // verdict's: metrics/neuron_death.h).
  RankSummary input, residual, update, update_matched;
  std::vector<RankGroup> update_groups;

  // Data against weights.
  std::vector<FrozenRow> frozen;
  FrozenRow frozen_all;            // summed over the frozen steps
  int no_learning_checks = 0;      // frozen steps checked in no_learning
  int no_learning_mismatches = 0;  // units whose two silences disagree

  FadeFindings fade;

  // No learning from initialisation and from the trained weights.
  int no_learning_dead = 0, no_learning_deaths = 0;
  int frozen_dead = 0, frozen_revivals = 0, source_dead = 0, source_kept = 0;

  // Pruning (reference runs).
  Spread intact_loss;
  std::vector<PruneRow> pruning;
  int harmless = -1;  // last level costing less than kW5PruneMargin

  std::vector<ComparisonResult> verdicts;
  int counted_tests = 0;
  std::vector<ClaimRow> claims;
};

NeuronDeathFindings AnalyzeNeuronDeath(const NeuronDeathResults& results);

// Per layer: the fraction of the run's units dead at its end.
std::vector<double> DeadAtEnd(const TrainingRecord& run);
// Its mean over layers.
double DeadTotal(const TrainingRecord& run);
// Per layer: the fraction of units firing on none of the final probe.
std::vector<double> ProbeDeadAtEnd(const TrainingRecord& run);
// Per layer: the run's revivals (deaths that ended).
std::vector<double> RevivalsPerLayer(const TrainingRecord& run);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_
