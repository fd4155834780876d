// Observers: what a model reports while it computes (LibTorch modules have no
// forward hooks, so layers call the observer explicitly).
//
//   class Printer : public ActivationObserver {
//     void OnMlp(const MlpEvent& e) override { ... e.layer, e.post ... }
//   };
//   Printer p;
//   model->Loss(batch, &p);   // nullptr: nothing extra is computed
//
// Events are structs so that fields can be added without touching every
// observer. Tensors are views of what the layer computed anyway (no copies),
// valid only during the call, on the model's device; clone what you keep.
#ifndef SPARSITY_MODELS_OBSERVER_H_
#define SPARSITY_MODELS_OBSERVER_H_

#include "torch/torch.h"

namespace sparsity {

// MLP block `layer`: its input (after the block's LayerNorm in pre-norm
// blocks) [batch, seq, d_model], and the hidden matrices before and after the
// activation, both [batch, seq, d_ff].
struct MlpEvent {
  int layer;
  const torch::Tensor& input;
  const torch::Tensor& pre;
  const torch::Tensor& post;
};

// The residual stream entering block `layer`'s MLP sub-block,
// [batch, seq, d_model]: before the sub-block's LayerNorm in pre-norm
// blocks; in post-norm blocks the MLP's input itself (already normalised).
struct ResidualEvent {
  int layer;
  const torch::Tensor& stream;
};

// Attention block `layer`: softmax probabilities [batch, heads, seq, seq]
// (row i: query position i; masked keys have probability exactly 0).
struct AttentionEvent {
  int layer;
  const torch::Tensor& probs;
};

// Block `layer`'s output (the residual stream after it), [batch, seq, d_model].
struct BlockEvent {
  int layer;
  const torch::Tensor& output;
};

class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;
  virtual void OnMlp(const MlpEvent& event) {}
  virtual void OnMlpResidual(const ResidualEvent& event) {}
  virtual void OnAttention(const AttentionEvent& event) {}
  // Whether OnAttention needs the attention probabilities. When no
  // observer does, attention runs as one fused scaled-dot-product-attention
  // op that never forms them (models/attention.h).
  virtual bool WantsAttention() const { return true; }
  virtual void OnBlock(const BlockEvent& event) {}
};

}  // namespace sparsity

#endif  // SPARSITY_MODELS_OBSERVER_H_
