// J-SquaredReLU and the ReLU -> JSReLU mix (kernels/jsrelu.h) on LibTorch
// tensors, differentiable: an autograd Function whose forward and backward
// each run one fused kernel pass (the LibTorch expression
// (1 - k) relu(x) + k where(x >= 0, x * x * 0.5 + x, 0) takes about ten
// passes and as many temporaries).
//
//   torch::Tensor post = JsRelu(pre, /*mix=*/1.0);  // elementwise
//
// mix <= 0 is ReLU, mix >= 1 JSReLU; the derivative at 0 is the mix (0 for
// ReLU as torch::relu, 1 for JSReLU). float32 and float64. CPU tensors run the
// vectorised CPU kernel split over LibTorch's intra-op threads; CUDA tensors
// run the CUDA kernels (kernels/jsrelu_cuda.h) on their device, on
// LibTorch's current stream, with no host copy; other devices are an error. The
// backward saves x only and is not itself differentiable (no second
// derivatives).
#ifndef SPARSITY_MODELS_JSRELU_OP_H_
#define SPARSITY_MODELS_JSRELU_OP_H_

#include "torch/torch.h"

namespace sparsity {

torch::Tensor JsRelu(const torch::Tensor& x, double mix = 1.0);

// grad * f_mix'(x), elementwise (not differentiable): the op's backward, for
// callers that need the derivative itself (metrics/gradient_sparsity.h).
torch::Tensor JsReluBackward(const torch::Tensor& x, const torch::Tensor& grad,
                             double mix);

}  // namespace sparsity

#endif  // SPARSITY_MODELS_JSRELU_OP_H_
