// The scaled and saturated versions of a model (docs/method.md, "Norm growth
// and saturation"; [M]): c * theta scales every parameter (embeddings,
// LayerNorm gains and biases, Linear weights and biases), never buffers such
// as the causal mask.
//
//   std::shared_ptr<Model> big = ScaledCopy(*model, 1000);  // model unchanged
//   SetSaturatedAttention(*big, true);   // attention by the c -> infinity
//                                        // limit (models/attention.h)
#ifndef SPARSITY_MODELS_SCALING_H_
#define SPARSITY_MODELS_SCALING_H_

#include <memory>

#include "models/model.h"
#include "torch/torch.h"

namespace sparsity {

// Multiplies every parameter of `module` (and its submodules) by c in place.
void ScaleParameters(torch::nn::Module& module, double c);

// A deep copy of `model` with every parameter multiplied by c; `model` is
// left untouched (the copy shares no storage with it).
std::shared_ptr<Model> ScaledCopy(const Model& model, double c);

// Switches every attention layer of `module` to saturated attention (or
// back to softmax), with the given tie tolerance.
void SetSaturatedAttention(torch::nn::Module& module, bool saturated,
                           float tie_tolerance = 0);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_SCALING_H_
