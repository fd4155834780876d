// Tracks, on every training step, which MLP units fire on the training batch
// (metrics/neuron_death.h): a RunHook that attaches a training observer and
// a callback, appends each step's measurements to the run record's history
// (so checkpoints carry them and a resumed run continues exactly), and
// replaces the history with its analysis after the last step.
//
//   DeathOptions options{.dead_window = 100};
//   TrainOne(run, {AddSparsityProbe, TrackNeuronDeath(options)}, run_options);
//   record.neuron_death().layers(0).death_step(7);
//
// Per step and layer it records each unit's count of firing tokens (the
// activation-statistics kernel on the training forward's post-activation
// matrix on the CPU; (h > 0).sum(0) in LibTorch on another device), the
// largest token norm of the MLP input and of the residual stream entering
// the MLP sub-block, and the l2 norm of each unit's update (its fc1 row and
// bias, after the optimiser step and the constraints, against before).
//
// Data against weights (FrozenOptions): after each listed step of the
// listed variants' runs, the weights as they are run forward, without
// learning, over the next `window` batches of the same training stream (a
// second stream skipped to that step); the units that fire on none of them
// are recorded (NeuronDeathRecord.frozen), and after the run compared with
// the run's own next `window` steps (FillLearningSilence).
#ifndef SPARSITY_TRAIN_NEURON_DEATH_TRACKER_H_
#define SPARSITY_TRAIN_NEURON_DEATH_TRACKER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "metrics/neuron_death.h"
#include "models/model.h"
#include "models/observer.h"
#include "proto/results.pb.h"
#include "train/train_one.h"
#include "train/trainer.h"

namespace sparsity {

// Per-unit firing counts of one post-activation matrix [.., d_ff] (any
// device): counts[j] += tokens with h[.., j] > 0.
void AddFiringCounts(const torch::Tensor& post, uint32_t* counts);

// Where a run's weights are frozen and the data stream continued.
struct FrozenOptions {
  std::vector<int64_t> steps;  // after these steps (each + window <= steps)
  // Only in these variants' runs (a variant with learning rate 0 checks
  // the continuation: its frozen and its own silence must agree).
  std::vector<std::string> variants;
  int64_t window = 100;  // batches (steps) of the continuation
};

// Per layer, the units that fire on none of `window` batches of `config`'s
// training stream after its first `step` batches, with `model`'s weights
// as they are (no gradients, no learning).
absl::StatusOr<std::vector<UnitSet>> FrozenSilentUnits(Model& model,
                                                       const RunConfig& config,
                                                       int64_t step,
                                                       int64_t window);

class NeuronDeathTracker : public ActivationObserver, public TrainingCallback {
 public:
  // `record` receives the history and, after step `steps`, the analysis.
  // `config`: the run's (for the frozen continuations; `frozen.steps`
  // empty: none).
  NeuronDeathTracker(const DeathOptions& options, const FrozenOptions& frozen,
                     const RunConfig& config, int64_t layers, int64_t units,
                     int64_t tokens_per_step, TrainingRecord* record);

  bool WantsAttention() const override { return false; }
  void OnMlp(const MlpEvent& event) override;
  void OnMlpResidual(const ResidualEvent& event) override;
  absl::Status AfterBackward(int64_t step, Model& model) override;
  absl::Status AfterStep(int64_t step, Model& model) override;
  // Data-parallel: every rank counts its shard; AfterStep sums the counts
  // (and takes the largest norms) over the ranks.
  bool EveryRank() const override { return true; }
  void set_data_parallel(DataParallel* dp) { dp_ = dp; }

 private:
  // This step's counts and norms over every rank's shard of the batch.
  absl::Status ReduceOverRanks();

  // Each unit's fc1 row and bias, [layers][units, d_model + 1].
  std::vector<torch::Tensor> IncomingWeights(Model& model) const;

  // After the last step: the history replaced by its analysis.
  absl::Status Finish();

  DeathOptions options_;
  FrozenOptions frozen_;
  RunConfig config_;
  int64_t layers_, units_, steps_;
  TrainingRecord* record_;
  std::vector<uint32_t> counts_;  // this step's [layer][unit]
  std::vector<float> input_norms_, residual_norms_;
  std::vector<torch::Tensor> before_;
  DataParallel* dp_ = nullptr;
};

// The RunHook: a tracker for the run's model, training batch and steps;
// frozen continuations in the runs of frozen.variants.
RunHook TrackNeuronDeath(const DeathOptions& options,
                         const FrozenOptions& frozen = {});

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_NEURON_DEATH_TRACKER_H_
