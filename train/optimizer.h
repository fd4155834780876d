// The optimiser of a run, from its OptimConfig: AdamW (decoupled weight
// decay) or momentum SGD, weight decay on matrices and embeddings only
// (parameters with ndim >= 2; biases and LayerNorm gains are not decayed).
// AdamW is FusedAdamW (train/fused_adamw.h: one fused pass per group, the
// same state and checkpoints as torch::optim::AdamW) unless the config's
// optim.fused is false or, where it is unset, SetFusedOptimizer(false)
// asks for torch::optim::AdamW itself.
//
//   std::unique_ptr<torch::optim::Optimizer> opt =
//       MakeOptimizer(config.optim(), model->parameters());
//   SetLearningRate(*opt, ScheduledLearningRate(config.optim(), step, steps));
#ifndef SPARSITY_TRAIN_OPTIMIZER_H_
#define SPARSITY_TRAIN_OPTIMIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "proto/config.pb.h"
#include "torch/torch.h"

namespace sparsity {

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(
    const OptimConfig& config, const std::vector<torch::Tensor>& params);
// The same from named parameters (model->named_parameters()), which also
// keeps a zeroth bias (IsZerothBias, models/block.h), a bias though a
// matrix, out of weight decay.
std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(
    const OptimConfig& config,
    const torch::OrderedDict<std::string, torch::Tensor>& named_params);

// Whether MakeOptimizer builds FusedAdamW (default) or torch::optim::AdamW
// (benchmarks compare the two; results agree within float rounding).
void SetFusedOptimizer(bool fused);

// Sets the learning rate of every parameter group.
void SetLearningRate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_OPTIMIZER_H_
