#include "kernels/topk_relu.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace sparsity {

namespace {

// Small k: the k largest values seen so far, sorted in descending order, in
// the first k slots of v (the selection needs one compare for most values);
// larger k: std::nth_element. Reorders v[0, n). 1 <= k < n.
constexpr int64_t kInsertionMaxK = 32;

template <typename T>
T KthLargest(T* v, int64_t n, int64_t k) {
  if (k > kInsertionMaxK) {
    std::nth_element(v, v + (k - 1), v + n, std::greater<T>());
    return v[k - 1];
  }
  std::sort(v, v + k, std::greater<T>());
  for (int64_t i = k; i < n; ++i) {
    const T x = v[i];
    if (!(x > v[k - 1])) continue;
    int64_t j = k - 1;
    for (; j > 0 && v[j - 1] < x; --j) v[j] = v[j - 1];
    v[j] = x;
  }
  return v[k - 1];
}

}  // namespace

template <typename T>
bool TopkReluCpu(const T* x, int64_t rows, int64_t d, int64_t k, T* y) {
  if (k < 1 || rows < 0 || d < 0) return false;
  std::vector<T> positive(static_cast<size_t>(d));
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * d;
    T* yr = y + r * d;
    // The row's positive values (NaN > 0 is false: NaN is never selected).
    int64_t n = 0;
    for (int64_t i = 0; i < d; ++i) {
      positive[n] = xr[i];
      n += xr[i] > 0;
    }
    if (n <= k) {  // every positive value is kept: plain ReLU
      for (int64_t i = 0; i < d; ++i) {
        const T v = xr[i];
        yr[i] = (v > 0 || v != v) ? v : T(0);
      }
      continue;
    }
    const T t = KthLargest(positive.data(), n, k);  // > 0
    int64_t above = 0;
    for (int64_t i = 0; i < d; ++i) {
      const T v = xr[i];
      above += v > t;
      yr[i] = (v > t || v != v) ? v : T(0);
    }
    // k - above entries equal t are kept: the lowest indices (the tie rule).
    for (int64_t i = 0, need = k - above; i < d && need > 0; ++i) {
      if (xr[i] == t) {
        yr[i] = t;
        --need;
      }
    }
  }
  return true;
}

template <typename T>
void TopkReluBackwardCpu(const T* y, const T* grad_y, int64_t n, T* grad_x) {
  for (int64_t i = 0; i < n; ++i) grad_x[i] = y[i] > 0 ? grad_y[i] : T(0);
}

template bool TopkReluCpu<float>(const float*, int64_t, int64_t, int64_t,
                                 float*);
template bool TopkReluCpu<double>(const double*, int64_t, int64_t, int64_t,
                                  double*);
template void TopkReluBackwardCpu<float>(const float*, const float*, int64_t,
                                         float*);
template void TopkReluBackwardCpu<double>(const double*, const double*, int64_t,
                                          double*);

}  // namespace sparsity
