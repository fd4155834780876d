#include "data/batching.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace sparsity {

DocumentSplit SplitDocuments(int64_t num_documents, double heldout_fraction,
                             uint64_t seed) {
  std::vector<int64_t> order(num_documents);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  int64_t heldout = std::llround(heldout_fraction * num_documents);
  if (heldout_fraction > 0 && heldout == 0 && num_documents > 1) heldout = 1;
  heldout = std::min(heldout, num_documents);
  DocumentSplit split;
  split.heldout.assign(order.begin(), order.begin() + heldout);
  split.train.assign(order.begin() + heldout, order.end());
  std::sort(split.heldout.begin(), split.heldout.end());
  std::sort(split.train.begin(), split.train.end());
  return split;
}

absl::StatusOr<std::unique_ptr<SequenceBatcher>> SequenceBatcher::Create(
    const std::vector<TokenDocument>& docs, int64_t seq_len, int64_t batch_size,
    uint64_t seed) {
  if (seq_len <= 0 || batch_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("seq_len and batch_size must be positive, got ", seq_len,
                     " and ", batch_size));
  }
  std::vector<std::vector<int64_t>> windows;
  for (const TokenDocument& doc : docs) {
    const int64_t n = static_cast<int64_t>(doc.size());
    for (int64_t start = 0; start + seq_len + 1 <= n; start += seq_len) {
      windows.emplace_back(doc.begin() + start,
                           doc.begin() + start + seq_len + 1);
    }
  }
  if (static_cast<int64_t>(windows.size()) < batch_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", docs.size(), " documents hold ", windows.size(),
                     " sequences of ", seq_len + 1,
                     " tokens, fewer than a batch of ", batch_size));
  }
  return std::unique_ptr<SequenceBatcher>(
      new SequenceBatcher(std::move(windows), seq_len, batch_size, seed));
}

SequenceBatcher::SequenceBatcher(std::vector<std::vector<int64_t>> windows,
                                 int64_t seq_len, int64_t batch_size,
                                 uint64_t seed)
    : windows_(std::move(windows)),
      order_(windows_.size()),
      seq_len_(seq_len),
      batch_size_(batch_size),
      rng_(seed) {
  Reshuffle();
}

void SequenceBatcher::Reshuffle() {
  std::iota(order_.begin(), order_.end(), 0);
  std::shuffle(order_.begin(), order_.end(), rng_);
  cursor_ = 0;
}

Batch SequenceBatcher::Next() { return NextTokenBatch(NextWindows()); }

void SequenceBatcher::Skip(int64_t batches) {
  for (int64_t i = 0; i < batches * batch_size_; ++i) {
    if (cursor_ == order_.size()) {
      ++epoch_;
      Reshuffle();
    }
    ++cursor_;
  }
}

torch::Tensor SequenceBatcher::NextWindows() {
  torch::Tensor batch = torch::empty({batch_size_, seq_len_ + 1}, torch::kLong);
  int64_t* out = batch.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_size_; ++b) {
    if (cursor_ == order_.size()) {
      ++epoch_;
      Reshuffle();
    }
    const std::vector<int64_t>& w = windows_[order_[cursor_++]];
    std::copy(w.begin(), w.end(), out + b * (seq_len_ + 1));
  }
  return batch;
}

RandomTokenSource::RandomTokenSource(int64_t vocab_size, int64_t seq_len,
                                     int64_t batch_size, uint64_t seed)
    : vocab_size_(vocab_size),
      seq_len_(seq_len),
      batch_size_(batch_size),
      rng_(seed) {}

Batch RandomTokenSource::Next() { return NextTokenBatch(NextWindows()); }

torch::Tensor RandomTokenSource::NextWindows() {
  torch::Tensor batch = torch::empty({batch_size_, seq_len_ + 1}, torch::kLong);
  int64_t* out = batch.data_ptr<int64_t>();
  std::uniform_int_distribution<int64_t> token(0, vocab_size_ - 1);
  for (int64_t i = 0; i < batch.numel(); ++i) out[i] = token(rng_);
  return batch;
}

}  // namespace sparsity
