// One training or probe batch: what the model reads and what it predicts.
//
//   Batch b = source.Next();
//   b.inputs;    // LM: int64 [batch, seq] tokens; ViT: float images
//   b.targets;   // LM: int64 [batch, seq] next tokens; ViT: int64 labels
//   Batch on_gpu = b.To(torch::kCUDA);
#ifndef SPARSITY_DATA_BATCH_H_
#define SPARSITY_DATA_BATCH_H_

#include "torch/torch.h"

namespace sparsity {

struct Batch {
  torch::Tensor inputs;
  torch::Tensor targets;

  Batch To(const torch::Device& device) const {
    if (inputs.device() == device) return *this;
    return Batch{inputs.to(device), targets.to(device)};
  }
  // Tokens (LM) or examples (images) in the batch.
  int64_t size() const { return targets.numel(); }
};

// A language-model batch from token windows [batch, seq + 1]: inputs are the
// first seq tokens, targets the last seq (views, no copies).
inline Batch NextTokenBatch(const torch::Tensor& windows) {
  const int64_t s = windows.size(1) - 1;
  return Batch{windows.slice(1, 0, s), windows.slice(1, 1, s + 1)};
}

}  // namespace sparsity

#endif  // SPARSITY_DATA_BATCH_H_
