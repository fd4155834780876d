// Language-model data for a run, from its DataConfig and ProbeConfig: the
// training batch source and one fixed probe batch from held-out data.
//
//   absl::StatusOr<LmData> data =
//       MakeLmData(config.data(), config.probe(), vocab_size, data_seed);
//   Batch batch = data->train->Next();
//
// Brown: documents are split into train / held-out by a seeded shuffle
// (data.split_seed) and tokenized as bytes or as words (data.tokenizer; the
// word vocabulary of vocab_size entries is built from the training documents
// alone, data/word_vocabulary.h); training batches come from the train
// documents in an order seeded by the run's data seed; the probe batch is drawn
// once from the held-out documents with a generator seeded by data.split_seed
// alone, so every run of a sweep is probed on the same tokens. Random tokens:
// the training stream is seeded by the data seed, the probe batch by
// split_seed.
#ifndef SPARSITY_DATA_LM_DATA_H_
#define SPARSITY_DATA_LM_DATA_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batching.h"
#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

struct LmData {
  std::unique_ptr<BatchSource> train;
  Batch probe;  // [probe.batch_tokens / probe.seq_len, probe.seq_len]
  // As many windows of the training documents (drawn by data.split_seed):
  // the same measurement on data the model was trained on.
  Batch train_probe;
  int64_t train_documents = 0;
  int64_t heldout_documents = 0;
  int64_t train_tokens = 0;              // tokens in the training documents
  std::vector<int64_t> heldout_indices;  // held-out documents, in file order
  std::string corpus_dir;
  // Word tokenizer only (0 for bytes): vocabulary entries (<unk> included),
  // distinct words of the training documents, and the fraction of <unk>
  // tokens in the training documents and in the probe batch.
  int64_t vocabulary_size = 0;
  int64_t distinct_training_words = 0;
  double train_unknown_fraction = 0;
  double probe_unknown_fraction = 0;

  int64_t probe_tokens() const { return probe.targets.numel(); }
  int64_t probe_sequences() const { return probe.targets.size(0); }
};

absl::StatusOr<LmData> MakeLmData(const DataConfig& data,
                                  const ProbeConfig& probe, int64_t vocab_size,
                                  uint64_t data_seed);

}  // namespace sparsity

#endif  // SPARSITY_DATA_LM_DATA_H_
