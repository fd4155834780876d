// Checks for the config messages shared by experiments: each returns one
// clear InvalidArgument naming the bad field and value.
//
//   if (absl::Status s = ValidateOptimConfig(config.optim()); !s.ok()) ...
#ifndef SPARSITY_TRAIN_CONFIG_VALIDATION_H_
#define SPARSITY_TRAIN_CONFIG_VALIDATION_H_

#include "absl/status/status.h"
#include "proto/config.pb.h"

namespace sparsity {

absl::Status ValidateOptimConfig(const OptimConfig& optim);
absl::Status ValidateTrainConfig(const TrainConfig& train);
// Data and probe shapes must fit the model (sequence lengths <= max_seq_len).
absl::Status ValidateDataConfig(const DataConfig& data,
                                const ModelConfig& model);
absl::Status ValidateProbeConfig(const ProbeConfig& probe,
                                 const ModelConfig& model);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_CONFIG_VALIDATION_H_
