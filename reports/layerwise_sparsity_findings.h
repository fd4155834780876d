// Findings of experiment 1 (layerwise_sparsity, [W]): every number and
// verdict its report cites, computed from the runs of its reference variant
// (docs/method.md, "Verdicts"); the renderer only formats them.
//
//   LayerwiseFindings f = AnalyzeLayerwise(runs);   // one variant, 5 seeds
//   f.verdicts[0].verdict;                           // W1: token density
#ifndef SPARSITY_REPORTS_LAYERWISE_SPARSITY_FINDINGS_H_
#define SPARSITY_REPORTS_LAYERWISE_SPARSITY_FINDINGS_H_

#include <string>
#include <vector>

#include "reports/claims.h"
#include "reports/layer_stats.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

// One layer's values over seeds: at the last probe and at step 0.
struct LayerFinal {
  Spread token_density, p10, p50, p90, sequence_union, window_union,
      batch_union, rare_units, dead_units;
  Spread token_density_init;    // at step 0
  Spread token_density_warmup;  // at the end of warmup (from_step)
  // Seeds where this layer's batch union is at its ceiling (all units fire).
  int batch_union_at_ceiling = 0;
};

// [W]'s claims tested by this report, in order: W1 (token density falls
// from the end of warmup to the end: mean over layers, layer 0, the last
// layer), W2 on three measures (batch union, window union, rare units), W3
// (the window union against the union independent firing at each unit's
// own frequency would give). Each is one Comparison of the report's family.
struct LayerwiseFindings {
  int seeds = 0;
  int layers = 0;
  int64_t last_step = 0;
  // W1's starting probe: the first at or after the end of warmup.
  int64_t from_step = 0;
  int64_t probe_tokens = 0;
  int window_tokens = 0;
  std::vector<LayerFinal> final;  // per layer
  // Per layer, mean over seeds: the window union that independent firing
  // at each unit's final firing frequency f_j would give, mean_j of
  // 1 - (1 - f_j)^window_tokens (0 without stored frequencies).
  std::vector<double> independent_window_union;
  // Layers by mean over seeds at the end.
  int sparsest_token_layer = 0, densest_token_layer = 0;
  int lowest_batch_union_layer = 0, lowest_window_union_layer = 0;
  int highest_window_union_layer = 0;
  // Across layers (descriptive, n = layers), Pearson r of the mean token
  // density and the mean window union.
  double token_window_pearson = 0;
  // How far layer 0's mean window union sits below 100% (a fraction).
  double layer0_window_below_ceiling = 0;
  std::vector<ComparisonResult> verdicts;
  int counted_tests = 0;
  // The scorecard rows of W1-W3 (same order as verdicts).
  std::vector<ClaimRow> claims;
};

// The comparisons' ids, to find them in `verdicts`.
inline constexpr char kW1Mean[] = "W1.mean";
inline constexpr char kW1First[] = "W1.first";
inline constexpr char kW1Last[] = "W1.last";
inline constexpr char kW2Batch[] = "W2.batch_union";
inline constexpr char kW2Window[] = "W2.window_union";
inline constexpr char kW2Rare[] = "W2.rare_units";
inline constexpr char kW3[] = "W3.window_vs_independent";

// A comparison of fractions, shown in percentage points (scale 100).
Comparison InPoints(const std::string& id, const std::string& claim,
                    Claimed claimed, std::vector<double> differences);

// Layer 0 minus the last layer at each run's last probe, paired by run;
// "not testable here" when a [0, 1] bound blocks the claim (BoundBlocksClaim).
// Shared by this report (W2) and the ablation's ordering tests.
Comparison FirstAgainstLast(const Runs& runs, const std::string& id,
                            const std::string& claim,
                            const std::string& measure, Claimed claimed,
                            const LayerValue& value);

// `runs`: one variant's runs (the reference), each with probes at the same
// steps and the same layers. Runs must not be empty.
LayerwiseFindings AnalyzeLayerwise(const Runs& runs);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYERWISE_SPARSITY_FINDINGS_H_
