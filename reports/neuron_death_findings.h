// Findings of experiment 2 (neuron_death, [W]) on the verdict layer: the
// scorecard's claims W4 (death from training dynamics rather than outliers)
// and W5 (dead units can be pruned without loss), from the reference runs
// (docs/method.md, "Verdicts"). The rest of the neuron-death report is not
// on the verdict layer yet.
//
//   NeuronDeathFindings f = AnalyzeNeuronDeath(results.neuron_death());
#ifndef SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_
#define SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_

#include <string>
#include <vector>

#include "proto/results.pb.h"
#include "reports/verdict.h"

namespace sparsity {

// docs/method.md, "Neuron death: the claims as tested": removing the units
// dead on the training stream may change the held-out loss by less than
// this (nats per token) for W5 to hold.
inline constexpr double kW5PruneMargin = 0.01;
// An input outlier can stand out only if a step's 99th-percentile input
// norm sits at least this far above its median (a fraction).
inline constexpr double kMinOutlierSpread = 0.10;

inline constexpr char kW4Input[] = "W4.input_outliers";
inline constexpr char kW4Update[] = "W4.update_outliers";
inline constexpr char kW5Prune[] = "W5.prune_dead";

// Deaths of the reference runs whose same-phase update rank falls in a
// range: how many, in which layers, when.
struct RankGroup {
  std::string name;       // "bottom decile", ...
  double lo = 0, hi = 1;  // update rank in [lo, hi)
  int deaths = 0;
  std::vector<int> per_layer;
  double median_step = 0;  // of the deaths
  int revived = 0;
};

struct NeuronDeathFindings {
  int reference_runs = 0;
  // Over layers and reference runs: how far a step's largest MLP-input
  // norm's 99th percentile sits above its median (a fraction).
  double input_norm_spread = 0;
  // Deaths with a same-phase input rank in [0.4, 0.6], and all deaths
  // with a rank: under a valid null about 20% would.
  int mid_rank_deaths = 0, ranked_deaths = 0;
  // Same-phase update ranks: deaths in the bottom decile and in the top
  // quintile (10% and 20% under a uniform null).
  int update_bottom_decile = 0, update_top_quintile = 0;
  // W5's unit of replication: init seeds (runs sharing one are averaged).
  int init_seeds = 0;
  // Same-phase ranks of every ranked death, per layer (pooled over the
  // reference runs): the distributions behind the rows above.
  std::vector<std::vector<double>> input_ranks, update_ranks;
  // The update ranks split into the bottom decile, the middle and the top
  // quintile (the bimodal shape).
  std::vector<RankGroup> update_groups;
  std::vector<ComparisonResult> verdicts;
  int counted_tests = 0;
  std::vector<ClaimRow> claims;
};

NeuronDeathFindings AnalyzeNeuronDeath(const NeuronDeathResults& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_NEURON_DEATH_FINDINGS_H_
