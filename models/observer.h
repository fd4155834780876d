// Observers: what a model reports while it computes (LibTorch modules have no
// forward hooks, so layers call the observer explicitly).
//
//   class Printer : public ActivationObserver {
//     void OnMlp(int layer, const torch::Tensor& pre,
//                const torch::Tensor& post) override { ... }
//   };
//   Printer p;
//   model->forward(tokens, &p);   // nullptr (the default): nothing extra
//
// Tensors are views of what the layer computed anyway (no copies), valid only
// during the call; clone what you keep. With no observer attached the model
// computes nothing extra.
#ifndef SPARSITY_MODELS_OBSERVER_H_
#define SPARSITY_MODELS_OBSERVER_H_

#include "torch/torch.h"

namespace sparsity {

class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;

  // MLP block `layer`: pre-activation and post-activation hidden matrices,
  // both [batch, seq, d_ff].
  virtual void OnMlp(int layer, const torch::Tensor& pre,
                     const torch::Tensor& post) {}

  // Attention block `layer`: softmax probabilities [batch, heads, seq, seq]
  // (row i: query position i; masked keys have probability exactly 0).
  virtual void OnAttention(int layer, const torch::Tensor& probs) {}
};

}  // namespace sparsity

#endif  // SPARSITY_MODELS_OBSERVER_H_
