// The training loop, once for all experiments: AdamW (decoupled weight decay
// on matrices only), warmup + cosine schedule, global-norm gradient clipping,
// a probe schedule, progress lines, and a clear error on a non-finite loss.
//
//   Trainer trainer(model, config.optim(), config.train());
//   trainer.set_probe(config.probe().every(), [&](int64_t step, int64_t tokens)
//       -> absl::StatusOr<ProbeSummary> { ... measure, never train ... });
//   absl::StatusOr<TrainingRun> run = trainer.Run(batches);
//
// Probes run at step 0 (before any update), every `every` steps, and after
// the last step. They run under NoGradGuard in eval mode and must not draw
// from the batch source, so probing never changes what training does.
#ifndef SPARSITY_TRAIN_TRAINER_H_
#define SPARSITY_TRAIN_TRAINER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batching.h"
#include "models/transformer_lm.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"

namespace sparsity {

// What a probe tells the progress line (e.g. per-layer token density).
struct ProbeSummary {
  std::string label;  // e.g. "density"
  std::vector<double> per_layer;
};

using ProbeFn =
    std::function<absl::StatusOr<ProbeSummary>(int64_t step, int64_t tokens)>;

struct TrainingRun {
  std::vector<LossPoint> loss;  // one point per step
  int64_t tokens = 0;           // training tokens consumed
  double train_seconds = 0;     // optimiser steps only
  double probe_seconds = 0;
  double tokens_per_second = 0;
};

class Trainer {
 public:
  Trainer(TransformerLM model, const OptimConfig& optim,
          const TrainConfig& train);

  void set_probe(int every, ProbeFn probe) {
    probe_every_ = every;
    probe_ = std::move(probe);
  }
  void set_quiet(bool quiet) { quiet_ = quiet; }
  // Whether to probe before the first step (default true).
  void set_probe_at_start(bool probe_at_start) {
    probe_at_start_ = probe_at_start;
  }
  // An observer attached to every training forward pass (nullptr: none).
  // It sees the training batch's activations; its cost counts as step time.
  void set_train_observer(ActivationObserver* observer) {
    train_observer_ = observer;
  }

  // Trains for train.steps steps on batches from `data`. Fails (with the
  // step, loss and learning rate) if the loss becomes NaN or infinite.
  absl::StatusOr<TrainingRun> Run(BatchSource& data);

 private:
  absl::Status RunProbe(int64_t step, int64_t tokens, TrainingRun* run);
  void PrintProgress(int64_t step, const LossPoint& point,
                     double tokens_per_second, double elapsed) const;

  TransformerLM model_;
  OptimConfig optim_;
  TrainConfig train_;
  int probe_every_ = 0;
  ProbeFn probe_;
  ProbeSummary last_probe_;
  bool quiet_ = false;
  bool probe_at_start_ = true;
  ActivationObserver* train_observer_ = nullptr;
};

// "1h02m", "3m05s", "12.3s".
std::string FormatDuration(double seconds);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_TRAINER_H_
