// Checkpoints: everything a run needs to continue exactly where it stopped,
// in one file written atomically (temp + rename, proto/results_io.h): the
// model's parameters and buffers, the optimiser's state, the default CPU
// generator's state, and the run's TrainingRecord so far (config, loss
// curve, probes, timings). The data position is the number of steps done
// (record.loss_size()): BatchSource::Skip moves there.
//
//   SaveCheckpoint(path, *model, *optimizer, record);
//   ...
//   TrainingRecord record;
//   absl::Status s = LoadCheckpoint(path, *model, *optimizer, &record);
#ifndef SPARSITY_TRAIN_CHECKPOINT_H_
#define SPARSITY_TRAIN_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "proto/results.pb.h"
#include "torch/torch.h"

namespace sparsity {

absl::Status SaveCheckpoint(const std::string& path,
                            const torch::nn::Module& model,
                            const torch::optim::Optimizer& optimizer,
                            const TrainingRecord& record);

// Loads into an existing model and optimiser of the same shapes (onto the
// model's device). A missing, truncated or corrupt file, or one whose
// shapes do not match the model, is an error naming the file.
absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer,
                            TrainingRecord* record);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_CHECKPOINT_H_
