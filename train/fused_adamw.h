// AdamW whose step is one fused pass over all parameters of a group:
// LibTorch's _fused_adamw_ (a vectorised CPU kernel, and a multi-tensor CUDA
// kernel on GPUs) instead of torch::optim::AdamW's ~10 ATen ops per
// parameter. The state is torch::optim::AdamW's own (AdamWParamState: step,
// exp_avg, exp_avg_sq, keyed the same way), so checkpoints are unchanged in
// format and meaning and either class resumes the other's. Equal to
// torch::optim::AdamW within float rounding (train/fused_adamw_test.cc).
//
//   FusedAdamW opt(groups, torch::optim::AdamWOptions(1e-3));
//   loss.backward();
//   opt.step();
#ifndef SPARSITY_TRAIN_FUSED_ADAMW_H_
#define SPARSITY_TRAIN_FUSED_ADAMW_H_

#include <vector>

#include "torch/torch.h"

namespace sparsity {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;

  // Takes torch::optim::AdamW::step instead (for every group) when the
  // fused kernel cannot: amsgrad, sparse gradients, or a group whose
  // parameters differ in device or dtype.
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  void FusedGroupStep(torch::optim::OptimizerParamGroup& group);
};

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_FUSED_ADAMW_H_
