// Neuron death on the training stream (docs/method.md, "Neuron death"):
// from per-step firing counts, when each MLP unit last fired, when it died,
// how often it revived, and what came before each death.
//
//   NeuronDeathHistory h;     // filled step by step
//   (train/neuron_death_tracker) DeathOptions o{.dead_window = 100,
//   .outlier_window = 10,
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
//               largest MLP-input token norm and the unit's largest update of
//               its fc1 row and bias. Each is ranked against the same window
//               statistic at baseline steps, those where no unit of the layer
//               died: all of them, and those within dead_window steps of d
//               ("local": the same phase of the learning-rate schedule). The
//               update baseline takes the layer's units that fired on the
//               step before. A rank is the fraction of the baseline below the
//               value, ties counting half; under "deaths are unrelated to the
//               statistic" ranks are uniform with mean 0.5. A death at step 1
//               has no window: its ranks are -1.
//   fade        firing frequency (fires / tokens) of the dying unit in
//               fade_bin-step bins over the fade_steps steps before d; -1
//               for a bin that would start before step 1.
//   histograms  units by firing frequency over a window of dead_window steps
//               ending early (step dead_window), midway and at the end.
#ifndef SPARSITY_METRICS_NEURON_DEATH_H_
#define SPARSITY_METRICS_NEURON_DEATH_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "proto/results.pb.h"

namespace sparsity {

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

}  // namespace sparsity

#endif  // SPARSITY_METRICS_NEURON_DEATH_H_
