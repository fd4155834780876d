// Removes MLP units from a model for as long as the object lives: each
// removed unit's fc2 column is zeroed, so the unit's activation no longer
// reaches the residual stream (exactly its contribution is gone, whatever the
// activation); the columns are restored on destruction.
//
//   {
//     RemovedUnits removed(*model, {{3, 17}, {}, {5}});  // per layer
//     loss = model->Loss(batch, nullptr);
//   }  // the model is intact again
#ifndef SPARSITY_MODELS_UNIT_REMOVAL_H_
#define SPARSITY_MODELS_UNIT_REMOVAL_H_

#include <cstdint>
#include <vector>

#include "models/model.h"

namespace sparsity {

class RemovedUnits {
 public:
  // units[l]: unit indices of layer l to remove (at most num_layers lists).
  RemovedUnits(Model& model, const std::vector<std::vector<int64_t>>& units);
  ~RemovedUnits();
  RemovedUnits(const RemovedUnits&) = delete;
  RemovedUnits& operator=(const RemovedUnits&) = delete;

 private:
  Model& model_;
  std::vector<torch::Tensor> saved_;  // per layer: fc2's weight before
};

}  // namespace sparsity

#endif  // SPARSITY_MODELS_UNIT_REMOVAL_H_
