// The saturated-attention kernel (kernels/saturated_attention.h) on LibTorch
// tensors: the c -> infinity limit of softmax(c * scores), each query's
// weight spread uniformly over the keys that tie its row's maximum score.
//
//   auto [probs, out] = SaturatedAttentionOp(scores, values, /*causal=*/true,
//                                            /*tie_tolerance=*/0);
//
// scores [..., tq, tk], values [..., tk, dv] (the same leading dimensions),
// float32. Returns probs [..., tq, tk] and out = probs @ values
// [..., tq, dv], as float32 on the inputs' device. Forward only (an
// evaluation of the saturated model): inputs that require gradients are an
// error. CPU tensors run the vectorised CPU kernel in place; CUDA tensors
// run the CUDA twin (kernels/saturated_attention_cuda.h) on their device,
// on LibTorch's current stream, with no host copy.
#ifndef SPARSITY_MODELS_SATURATED_ATTENTION_OP_H_
#define SPARSITY_MODELS_SATURATED_ATTENTION_OP_H_

#include <utility>

#include "torch/torch.h"

namespace sparsity {

std::pair<torch::Tensor, torch::Tensor> SaturatedAttentionOp(
    const torch::Tensor& scores, const torch::Tensor& values, bool causal,
    float tie_tolerance);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_SATURATED_ATTENTION_OP_H_
