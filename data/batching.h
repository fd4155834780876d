// Token batches for language-model training, with a seeded order.
//
//   DocumentSplit split = SplitDocuments(num_docs, /*heldout=*/0.1, seed);
//   SequenceBatcher train(train_docs, /*seq_len=*/128, /*batch=*/32, seed);
//   Batch batch = train.Next();    // inputs, targets: int64 [32, 128]
//   train.Skip(100);               // resume: the position after 100 batches
//
// Sequences never cross a document boundary: each document is cut into
// windows of seq_len + 1 tokens at stride seq_len (the tail is dropped).
// Each epoch visits every window once in an order drawn from the batcher's
// own generator, so the training order depends only on the seed and never on
// other RNG use (probing, initialisation).
#ifndef SPARSITY_DATA_BATCHING_H_
#define SPARSITY_DATA_BATCHING_H_

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "data/batch.h"
#include "torch/torch.h"

namespace sparsity {

// Token ids of one document (bytes, or word ids of a WordVocabulary).
using TokenDocument = std::vector<int32_t>;

// A seeded source of batches. Skip(n) moves to where n calls of Next()
// would have left it, so a resumed run reads exactly the batches an
// uninterrupted one would have.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Batch Next() = 0;
  virtual void Skip(int64_t batches) {
    for (int64_t i = 0; i < batches; ++i) Next();
  }
  virtual int64_t batch_size() const = 0;
  virtual int64_t seq_len() const = 0;
  // Tokens (or examples) per batch.
  int64_t batch_tokens() const { return batch_size() * seq_len(); }
};

// Document indices of a held-out split by document: a seeded shuffle, the
// first round(fraction * n) documents (at least one when fraction > 0) held
// out. Both lists are sorted.
struct DocumentSplit {
  std::vector<int64_t> train;
  std::vector<int64_t> heldout;
};
DocumentSplit SplitDocuments(int64_t num_documents, double heldout_fraction,
                             uint64_t seed);

class SequenceBatcher : public BatchSource {
 public:
  // Fails if the documents hold fewer than `batch_size` windows.
  static absl::StatusOr<std::unique_ptr<SequenceBatcher>> Create(
      const std::vector<TokenDocument>& docs, int64_t seq_len,
      int64_t batch_size, uint64_t seed);

  Batch Next() override;
  // Advances without copying tokens: O(batches) index moves, plus one
  // reshuffle per epoch crossed.
  void Skip(int64_t batches) override;
  // The raw windows of the next batch, int64 [batch, seq_len + 1].
  torch::Tensor NextWindows();
  int64_t batch_size() const override { return batch_size_; }
  int64_t seq_len() const override { return seq_len_; }
  int64_t num_windows() const { return static_cast<int64_t>(windows_.size()); }
  int64_t epoch() const { return epoch_; }

 private:
  SequenceBatcher(std::vector<std::vector<int64_t>> windows, int64_t seq_len,
                  int64_t batch_size, uint64_t seed);
  void Reshuffle();

  std::vector<std::vector<int64_t>> windows_;  // each seq_len + 1 tokens
  std::vector<int64_t> order_;
  size_t cursor_ = 0;
  int64_t epoch_ = 0;
  int64_t seq_len_;
  int64_t batch_size_;
  std::mt19937_64 rng_;
};

// Uniformly random tokens in [0, vocab_size): an endless, never-repeating
// stream from its own seeded generator.
class RandomTokenSource : public BatchSource {
 public:
  RandomTokenSource(int64_t vocab_size, int64_t seq_len, int64_t batch_size,
                    uint64_t seed);
  Batch Next() override;
  torch::Tensor NextWindows();  // int64 [batch, seq_len + 1]
  int64_t batch_size() const override { return batch_size_; }
  int64_t seq_len() const override { return seq_len_; }

 private:
  int64_t vocab_size_, seq_len_, batch_size_;
  std::mt19937_64 rng_;
};

}  // namespace sparsity

#endif  // SPARSITY_DATA_BATCHING_H_
