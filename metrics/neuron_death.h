// Neuron death on the training stream (docs/method.md, "Neuron death"):
// from per-step firing counts, when each MLP unit last fired, when it died,
// how often it revived, and what came before each death.
//
//   NeuronDeathHistory h;  // filled step by step (train/neuron_death_tracker)
//   DeathOptions o{.dead_window = 100, .outlier_window = 10,
//                  .fade_steps = 100, .fade_bin = 5};
//   NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
//   r.layers(0).death_step(7);   // 0: unit 7 of layer 0 is alive at the end
//
// Definitions (steps are 1-based; step k's batch is the k-th one trained on):
//   silence     a maximal run of steps in which a unit fires on no token of
//               the training batch.
//   death       a silence of at least dead_window steps; it starts at its
//               first silent step. A death that ends (the unit fires again)
//               is a revival; one that lasts to the end of training makes the
//               unit dead from that step (death_step). A unit silent for
//               fewer than dead_window steps at the end is alive.
//   dead[k]     units inside a death at step k (known in hindsight).
//   outliers    for a death at step d, over the outlier_window steps up to its
//               last firing ([d - w, d - 1], clipped at step 1): the layer's
//               largest MLP-input token norm (after the LayerNorm), the
//               largest norm of the residual stream entering the MLP
//               sub-block (before it), and the unit's largest update of its
//               fc1 row and bias. Each is ranked against a null that is
//               uniform when deaths are unrelated to it (a rank: the
//               fraction of the candidates below the value, ties counting
//               half; the death's own value is a candidate):
//               input, residual  the same statistic over the windows that
//                 tile the death's block (steps [b W + 1, (b + 1) W], W =
//                 dead_window, from step 2) in steps of w, the death's own
//                 among them: if d falls anywhere in its block with equal
//                 chance, whatever the series' trend or autocorrelation,
//                 the rank is uniform (BlockRank);
//               update  the same window's maxima of the layer's units that
//                 fired on step d - 1, at the same step: if the dying unit
//                 is any of them with equal chance, the rank is uniform
//                 (the schedule's phase is the same for all candidates).
//               update, matched  the same, among the kRarityPeers of those
//                 units (itself included) whose firing count over the
//                 window is closest to the dying unit's (in log; ties by
//                 index): units about to die fire rarely, and the size of
//                 an Adam update depends on how often a unit fires.
//               A death at step 1 has no window: its ranks are -1.
//   fade        firing frequency (fires / tokens) of the dying unit in
//               fade_bin-step bins over the fade_steps steps before d; -1
//               for a bin that would start before step 1.
//   cohort      for a death at d, the unit of the layer that never dies whose
//               frequency in the first fade bin is closest (lowest index on
//               ties), and its fade over the same bins: a unit that fired as
//               rarely fade_steps steps before, and did not die.
//   silence after a frozen step (FillLearningSilence): the units alive at
//               step c (fired in [c - W + 1, c]), those of them active
//               (firing on at least kActiveFrequency of the tokens of the
//               last kActiveSteps steps: not already fading) and those of
//               the alive that fire on none of steps [c + 1, c + W].
//   histograms  units by firing frequency over a window of dead_window steps
//               ending early (step dead_window), midway and at the end.
#ifndef SPARSITY_METRICS_NEURON_DEATH_H_
#define SPARSITY_METRICS_NEURON_DEATH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "proto/results.pb.h"

namespace sparsity {

// Active units at a frozen step (FillLearningSilence): firing on at least
// kActiveFrequency of the tokens of the kActiveSteps steps up to it.
inline constexpr double kActiveFrequency = 0.01;
inline constexpr int kActiveSteps = 20;

// The peers of a dying unit's matched update rank (metrics above).
inline constexpr int kRarityPeers = 20;

struct DeathOptions {
  int dead_window = 100;
  int outlier_window = 10;
  int fade_steps = 100;
  int fade_bin = 5;
};

// A silence of one unit: steps [first, first + length - 1].
struct Silence {
  int64_t first = 0;
  int64_t length = 0;
  bool revived = false;  // the unit fired after it
};

// The silences of at least `min_length` steps in a unit's per-step firing
// counts counts[0 * stride], counts[1 * stride], ... (steps of them).
std::vector<Silence> Silences(const uint32_t* counts, int64_t stride,
                              int64_t steps, int64_t min_length);

// Fraction of `baseline` below `value`, ties counting half (0.5 when the
// baseline is empty).
double Rank(const std::vector<float>& baseline, float value);

// The rank of by_step[step] among by_step[k] for the k >= 2 of step's
// block, [b * block + 1, (b + 1) * block], that lie a multiple of `stride`
// from step (step itself included): with stride the window length, windows
// that tile the block without overlapping, so that a maximum shared by
// overlapping windows is not a tie (by_step[0] unused, indexed by 1-based
// step; step >= 2).
double BlockRank(const std::vector<float>& by_step, int64_t step, int64_t block,
                 int64_t stride);

// The bin edges of FiringHistogram (docs/method.md): never fired, then
// (0, 1e-4), [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 0.1), [0.1, 0.5), [0.5, 1].
inline constexpr int kFiringBins = 7;
int FiringBin(double frequency);

// Checks the options: windows >= 1, fade_steps a multiple of fade_bin.
absl::Status ValidateDeathOptions(const DeathOptions& options);

// Checks the options and the history's sizes (steps x layers x units).
absl::Status ValidateHistory(const NeuronDeathHistory& history,
                             const DeathOptions& options);

// The whole analysis of one run (history must be valid); the result holds
// no history.
NeuronDeathRecord AnalyzeNeuronDeath(const NeuronDeathHistory& history,
                                     const DeathOptions& options);

// Fills f's alive and learning_silent sets (f->step() and f->steps() set;
// step + steps within the history) from the run's own history.
void FillLearningSilence(const NeuronDeathHistory& history, FrozenSilence* f);

}  // namespace sparsity

#endif  // SPARSITY_METRICS_NEURON_DEATH_H_
