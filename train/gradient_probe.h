// [P]'s measurements over training (docs/method.md, "Gradient sparsity",
// "Spectral concentration"), as a RunHook for TrainOne (train/train_one.h):
//
//   TrainOne(run, {AddSparsityProbe, AddGradientProbe}, options);
//
// At every probe step (beside the activation probe, which must be added
// first), on a fixed batch of training examples (the first data.batch_size
// of the run's training-data probe, so every step and every variant of a
// seed sees the same examples): one forward and backward pass, and per MLP
// layer the statistics of eta = dL/d(activation output) * f'(pre), the
// activation density (|a| > 1e-6) and fc1's spectral concentration at
// r = 0.1 and r = 10 -> TrainingRecord.gradient_probes. Parameter
// gradients are not touched: the pass asks autograd for the activations'
// gradients only.
#ifndef SPARSITY_TRAIN_GRADIENT_PROBE_H_
#define SPARSITY_TRAIN_GRADIENT_PROBE_H_

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "data/batch.h"
#include "models/model.h"
#include "proto/results.pb.h"
#include "train/train_one.h"

namespace sparsity {

// The spectral thresholds r, in the order SpectralRecord lists them.
inline constexpr std::array<double, 2> kSpectralThresholds = {0.1, 10.0};
// [P]'s rule for activations that are not exactly zero: |a| <= 1e-6 counts
// as zero.
inline constexpr double kNearZeroActivation = 1e-6;

// One measurement of `model` on `batch` (the model's device), for `step`.
GradientProbe MeasureGradients(Model& model, const Batch& batch, int64_t step);

absl::Status AddGradientProbe(RunContext& ctx);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_GRADIENT_PROBE_H_
