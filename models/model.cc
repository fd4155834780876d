#include "models/model.h"

#include <cmath>
#include <mutex>

#include "models/attention.h"
#include "models/mlp.h"

namespace sparsity {

int64_t Model::NumParameters() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

torch::Device Model::device() const {
  const auto params = parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params[0].device();
}

void CopyModelState(const Model& from, Model& to,
                    const std::optional<torch::Device>& device) {
  const torch::Device target = device.value_or(from.device());
  // A copy of each tensor on `target`, in its own dtype.
  const auto copy_of = [&](const torch::Tensor& value) {
    return value.detach().to(target, value.scalar_type(),
                             /*non_blocking=*/false, /*copy=*/true);
  };
  torch::NoGradGuard no_grad;
  const auto source = from.named_parameters();
  for (auto& p : to.named_parameters()) {
    const torch::Tensor& value = source[p.key()];
    p.value().set_data(copy_of(value));
    p.value().set_requires_grad(value.requires_grad());
  }
  const auto buffers = from.named_buffers();
  for (auto& b : to.named_buffers())
    b.value().set_data(copy_of(buffers[b.key()]));
  // Training mode module by module (train() recurses; modules() is
  // pre-order, so each child's own mode is set after its parent's).
  to.train(from.is_training());
  const auto from_modules = from.modules(/*include_self=*/false);
  const auto to_modules = to.modules(/*include_self=*/false);
  for (size_t i = 0; i < from_modules.size() && i < to_modules.size(); ++i) {
    to_modules[i]->train(from_modules[i]->is_training());
  }
}

namespace {

// Restores the default CPU generator's state when it goes out of scope.
class GeneratorRestorer {
 public:
  GeneratorRestorer() : generator_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~GeneratorRestorer() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }

 private:
  at::Generator generator_;
  torch::Tensor state_;
};

}  // namespace

std::shared_ptr<Model> WithoutDrawing(
    const std::function<std::shared_ptr<Model>()>& build) {
  GeneratorRestorer restore;  // also when `build` throws
  return build();
}

Evaluation Evaluate(Model& model, const Batch& batch,
                    ActivationObserver* observer) {
  const torch::Tensor logits = model.Logits(batch.inputs, observer);
  const torch::Tensor flat = logits.reshape({-1, logits.size(-1)});
  const torch::Tensor targets = batch.targets.reshape({-1});
  Evaluation out;
  out.loss = torch::nn::functional::cross_entropy(flat, targets).item<float>();
  out.accuracy =
      flat.argmax(-1).eq(targets).to(torch::kFloat).mean().item<float>();
  return out;
}

void InitGpt2(torch::nn::Module& root, int64_t n_layers) {
  torch::NoGradGuard no_grad;
  const double std = 0.02;
  const double residual_std = std / std::sqrt(2.0 * n_layers);
  // Not modules(include_self = true): that needs the root in a shared_ptr,
  // which a module's own constructor does not have yet.
  std::vector<torch::nn::Module*> all = {&root};
  for (const auto& child : root.modules(/*include_self=*/false)) {
    all.push_back(child.get());
  }
  for (torch::nn::Module* module : all) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = module->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0.0, std);
    } else if (auto* norm = module->as<torch::nn::LayerNorm>()) {
      norm->reset_parameters();
    }
  }
  for (torch::nn::Module* module : all) {
    if (auto* mlp = module->as<MlpImpl>()) {
      mlp->fc2->weight.normal_(0.0, residual_std);
    } else if (auto* attn = module->as<SelfAttentionImpl>()) {
      attn->proj->weight.normal_(0.0, residual_std);
    }
  }
}

}  // namespace sparsity
