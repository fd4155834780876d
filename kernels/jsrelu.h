// J-SquaredReLU and the ReLU -> JSReLU mix, elementwise (docs/method.md,
// "Plug-in modules"), with k the mix coefficient in [0, 1]:
//   js(x)   = x^2 / 2 + x for x >= 0, else 0
//   f_k(x)  = (1 - k) relu(x) + k js(x)      (k <= 0: relu; k >= 1: js)
//   f_k'(x) = (1 - k) 1[x > 0] + k (x + 1) 1[x >= 0]
// so the derivative at 0 is k: 0 for ReLU (as torch::relu), 1 for JSReLU.
//
//   JsReluCpu(x, n, /*mix=*/1.0, y);                    // forward
//   JsReluBackwardCpu(x, grad_y, n, /*mix=*/1.0, grad_x);  // from x alone
//
// Values are computed as the LibTorch expression does, operation for
// operation (js = (x * x) * 0.5 + x; the mix (1 - k) * relu + k * js with
// 1 - k and k rounded to T), so the forward equals
// torch::where(x >= 0, x * x * 0.5 + x, 0) and its mix bit for bit. A NaN
// input gives NaN (as relu; the where() expression gave 0 and hid it) and a
// zero gradient. kernels/jsrelu_cuda.h has the same interface on device
// pointers and equal results.
#ifndef SPARSITY_KERNELS_JSRELU_H_
#define SPARSITY_KERNELS_JSRELU_H_

#include <cstdint>

namespace sparsity {

// y[i] = f_mix(x[i]) over n entries (y may alias x). T: float or double.
// Plain loops the compiler vectorises (-O3).
template <typename T>
void JsReluCpu(const T* x, int64_t n, double mix, T* y);

// grad_x[i] = grad_y[i] * f_mix'(x[i]) over n entries (grad_x may alias
// grad_y): grad_y itself where the derivative is 1, 0 where it is 0.
template <typename T>
void JsReluBackwardCpu(const T* x, const T* grad_y, int64_t n, double mix,
                       T* grad_x);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_JSRELU_H_
