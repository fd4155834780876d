// The training loop, once for all experiments and models: the optimiser of
// the config (train/optimizer.h), warmup + cosine schedule, global-norm
// gradient clipping, callbacks after backward and after each step, a probe
// schedule, checkpoints, progress lines, and a clear error on a non-finite
// loss.
//
//   Trainer trainer(model, config.optim(), config.train());   // Model
//   trainer.set_probe(config.probe().every(), [&](int64_t step, int64_t tokens)
//       -> absl::StatusOr<ProbeSummary> { ... measure, never train ... });
//   trainer.set_checkpoint(path, config.train().checkpoint_every());
//   TrainingRecord record;
//   absl::Status s = trainer.Run(batches, &record);
//
// Resuming: trainer.Resume(path, &record) loads model, optimiser, RNG and
// the record; batches.Skip(record.loss_size()); then Run continues at that
// step and ends with the same record an uninterrupted run would have
// (timings aside).
//
// Probes run at step 0 (before any update), every `every` steps, and after
// the last step, in eval mode and under NoGradGuard unless the probe asks
// for gradients. They must not draw from the batch source, so probing never
// changes what training does.
#ifndef SPARSITY_TRAIN_TRAINER_H_
#define SPARSITY_TRAIN_TRAINER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/batching.h"
#include "models/model.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "torch/torch.h"
#include "train/data_parallel.h"

namespace sparsity {

// What a probe tells the progress line (e.g. per-layer token density).
struct ProbeSummary {
  std::string label;  // e.g. "density"
  std::vector<double> per_layer;
};

using ProbeFn =
    std::function<absl::StatusOr<ProbeSummary>(int64_t step, int64_t tokens)>;

// Per-step hooks: gradient statistics, parameter-norm tracking, a future
// all-reduce. `step` is the 0-based index of the step being taken.
// Checkpoints do not store a callback's own state: one that keeps state
// across steps must rebuild it from the run's record when a run resumes.
class TrainingCallback {
 public:
  virtual ~TrainingCallback() = default;
  // After loss.backward(), before clipping and the optimiser step.
  virtual absl::Status AfterBackward(int64_t step, Model& model) {
    return absl::OkStatus();
  }
  // After the optimiser step and the model's constraints.
  virtual absl::Status AfterStep(int64_t step, Model& model) {
    return absl::OkStatus();
  }
  // After the step's loss point (and its probe, when one ran) is in the
  // record; rank 0 only (logging, e.g. TensorBoard).
  virtual absl::Status AfterLogged(int64_t step, const TrainingRecord& record) {
    return absl::OkStatus();
  }
  // Data-parallel runs: whether every rank calls this callback (it reduces
  // what the ranks' shards saw); otherwise only rank 0 does.
  virtual bool EveryRank() const { return false; }
};

class Trainer {
 public:
  Trainer(std::shared_ptr<Model> model, const OptimConfig& optim,
          const TrainConfig& train);

  // `needs_grad`: the probe computes gradients itself (gradient sparsity);
  // otherwise it runs under NoGradGuard.
  void set_probe(int every, ProbeFn probe, bool needs_grad = false) {
    probe_every_ = every;
    probe_ = std::move(probe);
    probe_needs_grad_ = needs_grad;
  }
  // A further measurement at every probe step, after the probe (which must
  // be set): e.g. gradient sparsity beside the activation probe. In eval
  // mode; without gradients unless `needs_grad`. Counted as probe time.
  void add_probe_measurement(
      std::function<absl::Status(int64_t step, Model&)> measure,
      bool needs_grad) {
    probe_measurements_.push_back({std::move(measure), needs_grad});
  }
  // A measurement of the trained model: runs after the last step (after its
  // probe, before the final checkpoint) in eval mode without gradients, its
  // time counted as probe time. Measurements run in the order added.
  void add_final_measurement(std::function<absl::Status(Model&)> measure) {
    final_measurements_.push_back(std::move(measure));
  }
  // Whether to probe before the first step (default true).
  void set_probe_at_start(bool probe_at_start) {
    probe_at_start_ = probe_at_start;
  }
  void add_callback(TrainingCallback* callback) {
    callbacks_.push_back(callback);
  }
  // An observer attached to every training forward pass (nullptr: none).
  void set_train_observer(ActivationObserver* observer) {
    train_observer_ = observer;
  }
  // Checkpoint to `path` every `every` steps (0: never mid-run) and after
  // the last step. Empty path: no checkpoints.
  void set_checkpoint(std::string path, int every) {
    checkpoint_path_ = std::move(path);
    checkpoint_every_ = every;
  }
  void set_quiet(bool quiet) { quiet_ = quiet; }
  // Train as one rank of a data-parallel group (nullptr: alone). Each rank
  // trains on its shard of every batch; gradients and the loss are averaged
  // over the ranks; only rank 0 probes, measures, checkpoints and prints.
  void set_data_parallel(DataParallel* dp) { dp_ = dp; }
  // Printed before every progress line, e.g. "[run 2/6 base/i1-d1] ".
  void set_progress_prefix(std::string prefix) {
    progress_prefix_ = std::move(prefix);
  }

  // Restores a checkpoint written by this trainer's configuration.
  absl::Status Resume(const std::string& path, TrainingRecord* record);

  // Trains from step record->loss_size() to train.steps, appending loss
  // points and adding to record->timings (wall time included, so that a
  // checkpoint carries the time spent so far). Fails (with the step, loss and
  // learning rate) if the loss becomes NaN or infinite.
  absl::Status Run(BatchSource& data, TrainingRecord* record);

  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  bool lead() const { return dp_ == nullptr || dp_->lead(); }
  // Data-parallel: the ranks agree on the start and rank 0's parameters
  // are everyone's.
  absl::Status StartDataParallel(const BatchSource& data, int64_t first);
  // The step's batch, this rank's shard of it when data-parallel.
  Batch NextBatch(BatchSource& data, const torch::Device& device) const;
  absl::Status CallCallbacks(int64_t step, bool after_step);
  struct StepResult {
    float loss = 0;  // averaged over the ranks when data-parallel
    double grad_norm = 0;
  };
  // One optimiser step: batch, forward, backward, (all-reduce), callbacks,
  // clipping, update.
  absl::StatusOr<StepResult> TrainStep(BatchSource& data,
                                       const torch::Device& device,
                                       int64_t step, double lr,
                                       double max_norm);
  // After step `done` is recorded: replica check, probe, final
  // measurements, logging callbacks, checkpoint.
  absl::Status EndStep(int64_t done, int64_t tokens, TrainingRecord* record);
  absl::Status RunProbe(int64_t step, int64_t tokens, TrainingRecord* record);
  absl::Status RunFinalMeasurements(TrainingRecord* record);
  void PrintProgress(int64_t step, const LossPoint& point,
                     double tokens_per_second, double elapsed,
                     int64_t steps_this_session) const;

  std::shared_ptr<Model> model_;
  OptimConfig optim_;
  TrainConfig train_;
  std::vector<torch::Tensor> params_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  int probe_every_ = 0;
  ProbeFn probe_;
  bool probe_needs_grad_ = false;
  ProbeSummary last_probe_;
  bool quiet_ = false;
  bool probe_at_start_ = true;
  ActivationObserver* train_observer_ = nullptr;
  std::vector<TrainingCallback*> callbacks_;
  std::vector<std::function<absl::Status(Model&)>> final_measurements_;
  struct ProbeMeasurement {
    std::function<absl::Status(int64_t step, Model&)> measure;
    bool needs_grad = false;
  };
  std::vector<ProbeMeasurement> probe_measurements_;
  std::string checkpoint_path_;
  int checkpoint_every_ = 0;
  DataParallel* dp_ = nullptr;
  std::string progress_prefix_;
};

// "1h02m", "3m05s", "12.3s".
std::string FormatDuration(double seconds);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_TRAINER_H_
