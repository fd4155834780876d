// MLP block: Linear(d_model, d_ff) -> activation -> Linear(d_ff, d_model).
//
//   Mlp mlp(MlpOptions(/*d_model=*/128, /*d_ff=*/512));
//   Mlp topk(MlpOptions(128, 512).activation(Activation::kTopKRelu).topk(32));
//   torch::Tensor y = mlp->forward(x, /*layer=*/0, observer);
//
// Activations (docs/method.md, "Models"):
//   kRelu      max(x, 0)
//   kTopKRelu  ReLU, then per token keep the `topk` largest values, zero the
//              rest (ties at the k-th value: the lower index is kept);
//              models/topk_relu_op.h, the kernel in kernels/topk_relu.h
//   kJsRelu    J-SquaredReLU: x^2 / 2 + x for x >= 0, 0 otherwise; with
//              mix_steps > 0 the finetuning mix (1 - k) ReLU + k JSReLU, k
//              rising linearly from 0 to 1 over mix_steps optimiser steps
//              (held in the buffer `mix`, set by SetStepsDone after every
//              step, so checkpoints carry it); models/jsrelu_op.h, the
//              fused kernel in kernels/jsrelu.h
#ifndef SPARSITY_MODELS_MLP_H_
#define SPARSITY_MODELS_MLP_H_

#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

enum class Activation { kRelu, kTopKRelu, kJsRelu };

struct MlpOptions {
  MlpOptions(int64_t d_model, int64_t d_ff) : d_model_(d_model), d_ff_(d_ff) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, d_ff);
  TORCH_ARG(Activation, activation) = Activation::kRelu;
  TORCH_ARG(int64_t, topk) = 0;  // kTopKRelu only
  TORCH_ARG(bool, bias) = true;  // fc1 and fc2 have biases
  // kJsRelu only: steps over which the ReLU -> JSReLU mix rises (0: none).
  TORCH_ARG(int64_t, mix_steps) = 0;
};

// The activation alone, on any tensor whose last dimension is the units.
// `mix` is kJsRelu's k in (1 - k) ReLU + k JSReLU (1: JSReLU; 0: ReLU,
// derivative 0 at 0 as torch::relu's); other activations ignore it.
torch::Tensor Activate(const torch::Tensor& pre, const MlpOptions& options,
                       double mix = 1.0);

// A linear ramp after `steps_done` optimiser steps of a schedule rising over
// `steps` (the mix coefficient, the restricted LayerNorm's floor):
// min(steps_done / steps, 1); 1 when steps <= 0.
double RampAfter(int64_t steps_done, int64_t steps);

class MlpImpl : public torch::nn::Cloneable<MlpImpl> {
 public:
  explicit MlpImpl(const MlpOptions& options);
  void reset() override;

  // x: [batch, seq, d_model]. Reports pre/post activations to `observer`.
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer = nullptr);

  const MlpOptions& options() const { return options_; }

  // Called after every optimiser step with the number of steps done: sets
  // the ReLU -> JSReLU mix (a no-op without one).
  void SetStepsDone(int64_t steps_done);
  // The mix in use: 1 for a plain activation.
  double mix_value() const;

  torch::nn::Linear fc1{nullptr};
  torch::nn::Linear fc2{nullptr};  // writes into the residual stream
  torch::Tensor mix;               // [] buffer, only with mix_steps > 0

 private:
  MlpOptions options_;
};
TORCH_MODULE(Mlp);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_MLP_H_
