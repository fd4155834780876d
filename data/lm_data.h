// Language-model data for an experiment, from its DataConfig and ProbeConfig:
// the training batch source and one fixed probe batch from held-out data.
//
//   absl::StatusOr<LmData> data = MakeLmData(config.data(), config.probe(),
//                                            config.seed());
//   torch::Tensor batch = data->train->Next();
//
// Brown: documents are split into train / held-out by a seeded shuffle
// (data.split_seed); training batches come from the train documents in an
// order seeded by the run's seed; the probe batch is drawn once from the
// held-out documents with its own generator. Random tokens: both come from
// separate uniformly random streams.
#ifndef SPARSITY_DATA_LM_DATA_H_
#define SPARSITY_DATA_LM_DATA_H_

#include <memory>

#include "absl/status/statusor.h"
#include "data/batching.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

struct LmData {
  std::unique_ptr<BatchSource> train;
  torch::Tensor probe_batch;  // int64 [probe.batch_tokens / probe.seq_len,
                              // probe.seq_len + 1]
  int64_t train_documents = 0;
  int64_t heldout_documents = 0;
  int64_t train_tokens = 0;  // tokens in the training documents
  std::string corpus_dir;
};

absl::StatusOr<LmData> MakeLmData(const DataConfig& data,
                                  const ProbeConfig& probe, int64_t vocab_size,
                                  uint64_t seed);

}  // namespace sparsity

#endif  // SPARSITY_DATA_LM_DATA_H_
