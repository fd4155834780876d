// Top-k ReLU (kernels/topk_relu.h) on LibTorch tensors, differentiable: an
// autograd Function whose forward runs the kernel and whose backward passes
// the gradient through the kept positive entries only.
//
//   torch::Tensor post = TopkRelu(pre, /*k=*/16);  // over the last dimension
//
// Keeps, per row of the last dimension, the k largest values of relu(pre)
// (ties: the lower index) and zeros the rest; k >= the last dimension is
// plain ReLU. float32 and float64. CPU tensors run the vectorised CPU kernel,
// rows split over LibTorch's intra-op threads; CUDA tensors run the CUDA
// kernels (kernels/topk_relu_cuda.h; rows up to 12,288 float32 units) on
// their device, on LibTorch's current stream, with no host copy.
// The backward is not itself differentiable (no second derivatives).
#ifndef SPARSITY_MODELS_TOPK_RELU_OP_H_
#define SPARSITY_MODELS_TOPK_RELU_OP_H_

#include "torch/torch.h"

namespace sparsity {

torch::Tensor TopkRelu(const torch::Tensor& x, int64_t k);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_TOPK_RELU_OP_H_
