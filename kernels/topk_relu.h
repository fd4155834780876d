// Top-k ReLU over the last dimension (docs/method.md, "Top-k ReLU"): for each
// row of d values, y = relu(x) at the row's k largest entries and 0 elsewhere.
//
//   // x, y: rows x d, row-major. Forward, then backward from y alone:
//   TopkReluCpu(x, rows, d, /*k=*/16, y);
//   TopkReluBackwardCpu(y, grad_y, rows * d, grad_x);
//
// Tie rule: entries are ranked by value, larger first, and among equal values
// the lower index first; the first k in that order are kept. Entries <= 0
// give 0 whether kept or not, so a row with at most k positive values keeps
// all of them (y = relu(x)), and k >= d is plain ReLU. A NaN entry is never
// one of the k and stays NaN in y (it propagates, as relu does).
// Backward: the gradient flows only through the kept positive entries,
// grad_x = grad_y where y > 0 and 0 elsewhere (relu's gradient at 0 is 0), so
// it needs y only, not the kept indices.
// kernels/topk_relu_cuda.h has the same interface on device pointers.
#ifndef SPARSITY_KERNELS_TOPK_RELU_H_
#define SPARSITY_KERNELS_TOPK_RELU_H_

#include <cstdint>

namespace sparsity {

// Vectorised CPU implementation (one selection per row: the row's positive
// values are gathered and the k-th largest found by std::nth_element; the
// passes that gather, count and write are plain loops the compiler vectorises
// at -O3). Returns false, writing nothing, when k < 1 or rows or d < 0.
// T: float or double.
template <typename T>
bool TopkReluCpu(const T* x, int64_t rows, int64_t d, int64_t k, T* y);

// grad_x[i] = y[i] > 0 ? grad_y[i] : 0 over n entries (grad_x may alias
// grad_y).
template <typename T>
void TopkReluBackwardCpu(const T* y, const T* grad_y, int64_t n, T* grad_x);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_TOPK_RELU_H_
