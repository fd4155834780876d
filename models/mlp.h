// MLP block: Linear(d_model, d_ff) -> ReLU -> Linear(d_ff, d_model).
//
//   Mlp mlp(MlpOptions(/*d_model=*/128, /*d_ff=*/512));
//   torch::Tensor y = mlp->forward(x, /*layer=*/0, observer);
#ifndef SPARSITY_MODELS_MLP_H_
#define SPARSITY_MODELS_MLP_H_

#include "models/observer.h"
#include "torch/torch.h"

namespace sparsity {

struct MlpOptions {
  MlpOptions(int64_t d_model, int64_t d_ff) : d_model_(d_model), d_ff_(d_ff) {}
  TORCH_ARG(int64_t, d_model);
  TORCH_ARG(int64_t, d_ff);
};

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const MlpOptions& options);

  // x: [batch, seq, d_model]. Reports pre/post activations to `observer`.
  torch::Tensor forward(const torch::Tensor& x, int layer,
                        ActivationObserver* observer = nullptr);

  torch::nn::Linear fc1{nullptr};
  torch::nn::Linear fc2{nullptr};
};
TORCH_MODULE(Mlp);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_MLP_H_
