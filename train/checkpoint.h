// Checkpoints: everything a run needs to continue exactly where it stopped,
// in one file written atomically (temp + rename, proto/results_io.h): the
// model's parameters and buffers, the optimiser's state, the default CPU
// generator's state (not the CUDA generator's: no model draws random numbers
// on the device today), and the run's TrainingRecord so far (config, loss
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
#include "absl/status/statusor.h"
#include "proto/results.pb.h"
#include "torch/torch.h"

namespace sparsity {

absl::Status SaveCheckpoint(const std::string& path,
                            const torch::nn::Module& model,
                            const torch::optim::Optimizer& optimizer,
                            const TrainingRecord& record);

// The run record a checkpoint holds, without loading its tensors into a
// model (to check that it belongs to the run about to resume).
absl::StatusOr<TrainingRecord> ReadCheckpointRecord(const std::string& path);

// Loads into an existing model and optimiser of the same shapes (onto the
// model's device). A missing, truncated or corrupt file, or one whose
// shapes do not match the model, is an error naming the file.
absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer,
                            TrainingRecord* record);

// Loads only the model's parameters and buffers (e.g. to start a run from
// another run's final weights); same errors as LoadCheckpoint. A tensor of
// the model that the checkpoint lacks is an error unless `may_be_new`
// accepts its name ("blocks.0.zeroth_bias"): a finetuning run that adds a
// plug-in module keeps that module's fresh initialisation.
absl::Status LoadCheckpointWeights(
    const std::string& path, torch::nn::Module& model,
    const std::function<bool(const std::string&)>& may_be_new);
absl::Status LoadCheckpointWeights(const std::string& path,
                                   torch::nn::Module& model);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_CHECKPOINT_H_
