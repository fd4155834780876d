#include "models/scaling.h"

#include "models/attention.h"

namespace sparsity {

void ScaleParameters(torch::nn::Module& module, double c) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : module.parameters()) p.mul_(c);
}

std::shared_ptr<Model> ScaledCopy(const Model& model, double c) {
  std::shared_ptr<Model> copy = std::dynamic_pointer_cast<Model>(model.clone());
  TORCH_CHECK(copy != nullptr, "the model's clone() is not a Model");
  ScaleParameters(*copy, c);
  return copy;
}

void SetSaturatedAttention(torch::nn::Module& module, bool saturated,
                           float tie_tolerance) {
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (auto* attn = child->as<SelfAttentionImpl>()) {
      attn->set_saturated(saturated, tie_tolerance);
    }
  }
}

}  // namespace sparsity
