#include "train/optimizer.h"

#include "models/block.h"
#include "train/fused_adamw.h"

namespace sparsity {

namespace {

bool& FusedOptimizer() {
  static bool fused = true;
  return fused;
}

std::unique_ptr<torch::optim::Optimizer> Build(
    const OptimConfig& config, std::vector<torch::Tensor> decay,
    std::vector<torch::Tensor> no_decay) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (config.optimizer() == OptimConfig::SGD) {
    auto options =
        torch::optim::SGDOptions(config.lr()).momentum(config.momentum());
    groups.emplace_back(decay,
                        std::make_unique<torch::optim::SGDOptions>(
                            options.weight_decay(config.weight_decay())));
    groups.emplace_back(no_decay, std::make_unique<torch::optim::SGDOptions>(
                                      options.weight_decay(0.0)));
    return std::make_unique<torch::optim::SGD>(std::move(groups),
                                               options.weight_decay(0.0));
  }
  auto options = torch::optim::AdamWOptions(config.lr())
                     .betas({config.beta1(), config.beta2()})
                     .eps(config.eps());
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 options.weight_decay(config.weight_decay())));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    options.weight_decay(0.0)));
  if (!(config.has_fused() ? config.fused() : FusedOptimizer())) {
    return std::make_unique<torch::optim::AdamW>(std::move(groups));
  }
  return std::make_unique<FusedAdamW>(std::move(groups));
}

}  // namespace

void SetFusedOptimizer(bool fused) { FusedOptimizer() = fused; }

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(
    const OptimConfig& config, const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const torch::Tensor& p : params) {
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  return Build(config, std::move(decay), std::move(no_decay));
}

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(
    const OptimConfig& config,
    const torch::OrderedDict<std::string, torch::Tensor>& named_params) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : named_params) {
    (item.value().dim() >= 2 && !IsZerothBias(item.key()) ? decay : no_decay)
        .push_back(item.value());
  }
  return Build(config, std::move(decay), std::move(no_decay));
}

void SetLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace sparsity
