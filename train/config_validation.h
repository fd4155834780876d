// Checks for the config messages shared by experiments: each returns one
// clear InvalidArgument naming the bad field and value.
//
//   if (absl::Status s = ValidateOptimConfig(config.optim()); !s.ok()) ...
#ifndef SPARSITY_TRAIN_CONFIG_VALIDATION_H_
#define SPARSITY_TRAIN_CONFIG_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "proto/config.pb.h"

namespace sparsity {

absl::Status ValidateOptimConfig(const OptimConfig& optim);
absl::Status ValidateTrainConfig(const TrainConfig& train);
// `device` is cpu, or cuda with a CUDA LibTorch and a GPU present; errors
// name the setting as `name` (e.g. "train.device", "--device").
absl::Status ValidateDevice(const std::string& name, const std::string& device);
// Data and probe shapes must fit the model (sequence lengths <= max_seq_len).
absl::Status ValidateDataConfig(const DataConfig& data,
                                const ModelConfig& model);
absl::Status ValidateProbeConfig(const ProbeConfig& probe,
                                 const ModelConfig& model);

// What text format lets through in any message (configs, sweep patches
// included, nested and repeated fields too): an enum number its enum does
// not define (proto3 enums are open: `optimizer: 99` parses), and a float or
// double that is nan or infinite (`nan`, `inf`, or 1e39 in a float). The
// error is one line naming the field's path, e.g. "base.optim.optimizer".
absl::Status ValidateFieldValues(const google::protobuf::Message& message);

// Upper bounds: a config beyond them is a typo, not a run.
inline constexpr int64_t kMaxSteps = 100'000'000;
inline constexpr int kMaxThreads = 256;
inline constexpr int64_t kMaxBatchTokens = int64_t{1} << 24;

// Everything above for one run, the seeds, the device, and whether the run
// fits in this machine's memory (EstimateRunBytes against physical memory).
absl::Status ValidateRunConfig(const RunConfig& run);

// Rough peak memory of training `run` (LM): parameters, gradients and two
// optimiser moments, plus the activations autograd keeps for one batch.
double EstimateRunBytes(const RunConfig& run);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_CONFIG_VALIDATION_H_
