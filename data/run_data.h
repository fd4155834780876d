// The data of one training run, whatever the model family: the training
// stream, the fixed held-out probe batch, a fixed batch of training data of
// the same size, and a summary for the run's record.
//
//   absl::StatusOr<RunData> data = MakeRunData(config);   // a RunConfig
//   Batch batch = data->train->Next();
//   data->probe;          // held-out: Brown documents or test images
//
// Language models read data/lm_data.h (Brown or random tokens); the ViT
// reads data/image_data.h (Fashion-MNIST and its synthetic streams).
#ifndef SPARSITY_DATA_RUN_DATA_H_
#define SPARSITY_DATA_RUN_DATA_H_

#include <memory>

#include "absl/status/statusor.h"
#include "data/batching.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"

namespace sparsity {

struct RunData {
  std::unique_ptr<BatchSource> train;
  Batch probe;
  Batch train_probe;
  DataSummary summary;
  // Images: every image went through (p / 255 - pixel_mean) / pixel_std.
  double pixel_mean = 0, pixel_std = 1;
};

// Tokens the model computes on per example: (28 / patch_size)^2 + 1 for the
// ViT, data.seq_len for the LM.
int64_t TokensPerExample(const RunConfig& config);

absl::StatusOr<RunData> MakeRunData(const RunConfig& config);

}  // namespace sparsity

#endif  // SPARSITY_DATA_RUN_DATA_H_
