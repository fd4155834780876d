#include "train/fused_adamw.h"

#include <memory>
#include <utility>

namespace sparsity {

namespace {

using torch::optim::AdamWOptions;
using torch::optim::AdamWParamState;

// The parameters of a group that have a gradient.
std::vector<torch::Tensor> WithGradient(
    const torch::optim::OptimizerParamGroup& group) {
  std::vector<torch::Tensor> params;
  for (const torch::Tensor& p : group.params()) {
    if (p.grad().defined()) params.push_back(p);
  }
  return params;
}

// Whether one fused call can update a group: dense floating-point gradients,
// every parameter on one device with one dtype, no amsgrad.
bool Fusable(const torch::optim::OptimizerParamGroup& group) {
  const auto& options = static_cast<const AdamWOptions&>(group.options());
  if (options.amsgrad()) return false;
  const std::vector<torch::Tensor> params = WithGradient(group);
  for (const torch::Tensor& p : params) {
    const torch::Tensor& g = p.grad();
    if (g.is_sparse() || !p.is_floating_point() ||
        p.device() != params[0].device() ||
        p.scalar_type() != params[0].scalar_type() ||
        g.scalar_type() != p.scalar_type()) {
      return false;
    }
  }
  return true;
}

}  // namespace

void FusedAdamW::FusedGroupStep(torch::optim::OptimizerParamGroup& group) {
  const std::vector<torch::Tensor> params = WithGradient(group);
  if (params.empty()) return;
  std::vector<torch::Tensor> grads, exp_avgs, exp_avg_sqs;
  std::vector<double> step_counts;
  for (const torch::Tensor& p : params) {
    std::unique_ptr<torch::optim::OptimizerParamState>& slot =
        state_[p.unsafeGetTensorImpl()];
    if (slot == nullptr) {  // as torch::optim::AdamW initialises it
      auto state = std::make_unique<AdamWParamState>();
      state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      slot = std::move(state);
    }
    auto& state = static_cast<AdamWParamState&>(*slot);
    state.step(state.step() + 1);
    grads.push_back(p.grad());
    exp_avgs.push_back(state.exp_avg());
    exp_avg_sqs.push_back(state.exp_avg_sq());
    step_counts.push_back(static_cast<double>(state.step()));
  }
  // The kernel reads each parameter's step count, already incremented, from
  // a float tensor on the parameter's device: one copy for the group.
  const std::vector<torch::Tensor> steps =
      torch::tensor(step_counts, torch::kFloat32)
          .to(params[0].device())
          .unbind(0);
  const auto& options = static_cast<const AdamWOptions&>(group.options());
  const auto [beta1, beta2] = options.betas();
  at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs,
                    /*max_exp_avg_sqs=*/{}, steps, options.lr(), beta1, beta2,
                    options.weight_decay(), options.eps(), /*amsgrad=*/false,
                    /*maximize=*/false);
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  for (const torch::optim::OptimizerParamGroup& group : param_groups_) {
    if (!Fusable(group)) return torch::optim::AdamW::step(std::move(closure));
  }
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  torch::NoGradGuard no_grad;
  for (torch::optim::OptimizerParamGroup& group : param_groups_) {
    FusedGroupStep(group);
  }
  return loss;
}

}  // namespace sparsity
