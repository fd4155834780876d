#include "models/unit_removal.h"

namespace sparsity {

RemovedUnits::RemovedUnits(Model& model,
                           const std::vector<std::vector<int64_t>>& units)
    : model_(model) {
  TORCH_CHECK(static_cast<int64_t>(units.size()) <= model.num_layers(),
              "RemovedUnits: ", units.size(), " layers given, the model has ",
              model.num_layers());
  torch::NoGradGuard no_grad;
  for (size_t l = 0; l < units.size(); ++l) {
    torch::Tensor w = model.mlp(static_cast<int64_t>(l)).fc2->weight;
    saved_.push_back(w.clone());
    if (units[l].empty()) continue;
    const torch::Tensor index =
        torch::tensor(units[l], torch::kLong).to(w.device());
    w.index_fill_(1, index, 0.0);
  }
}

RemovedUnits::~RemovedUnits() {
  torch::NoGradGuard no_grad;
  for (size_t l = 0; l < saved_.size(); ++l) {
    model_.mlp(static_cast<int64_t>(l)).fc2->weight.copy_(saved_[l]);
  }
}

}  // namespace sparsity
