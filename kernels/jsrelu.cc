#include "kernels/jsrelu.h"

namespace sparsity {

// One loop per regime (ReLU, JSReLU, the mix), each a branch-free select the
// compiler vectorises (every load unconditional; -fno-trapping-math lets it
// compute both sides of a select). x != x is NaN.

template <typename T>
void JsReluCpu(const T* x, int64_t n, double mix, T* y) {
  if (mix <= 0) {
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      y[i] = (v > 0 || v != v) ? v : T(0);
    }
  } else if (mix >= 1) {
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      const T js = v * v * T(0.5) + v;
      y[i] = v >= 0 ? js : (v != v ? v : T(0));
    }
  } else {
    const T a = static_cast<T>(1 - mix);
    const T b = static_cast<T>(mix);
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      const T relu = v > 0 ? v : T(0);
      const T js = v >= 0 ? v * v * T(0.5) + v : T(0);
      y[i] = v != v ? v : a * relu + b * js;
    }
  }
}

template <typename T>
void JsReluBackwardCpu(const T* x, const T* grad_y, int64_t n, double mix,
                       T* grad_x) {
  if (mix <= 0) {
    for (int64_t i = 0; i < n; ++i) {
      const T g = grad_y[i];
      grad_x[i] = x[i] > 0 ? g : T(0);
    }
  } else if (mix >= 1) {
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      const T g = grad_y[i];
      grad_x[i] = v >= 0 ? g * (v + 1) : T(0);
    }
  } else {
    const T a = static_cast<T>(1 - mix);
    const T b = static_cast<T>(mix);
    for (int64_t i = 0; i < n; ++i) {
      const T v = x[i];
      const T g = grad_y[i];
      const T relu = v > 0 ? g * a : T(0);
      const T js = v >= 0 ? g * b * (v + 1) : T(0);
      grad_x[i] = relu + js;
    }
  }
}

template void JsReluCpu<float>(const float*, int64_t, double, float*);
template void JsReluCpu<double>(const double*, int64_t, double, double*);
template void JsReluBackwardCpu<float>(const float*, const float*, int64_t,
                                       double, float*);
template void JsReluBackwardCpu<double>(const double*, const double*, int64_t,
                                        double, double*);

}  // namespace sparsity
