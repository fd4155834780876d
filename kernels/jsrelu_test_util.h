// Inputs for the JSReLU kernel tests (CPU and CUDA): random values with the
// points where the activation changes regime (0, -0, values within 1e-30 of
// 0) and large ones, and the mix coefficients worth testing.
#ifndef SPARSITY_KERNELS_JSRELU_TEST_UTIL_H_
#define SPARSITY_KERNELS_JSRELU_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <vector>

namespace sparsity {

// ReLU (and below), a mix between, JSReLU (and above).
inline const double kJsReluMixes[] = {-1.0, 0.0, 0.1, 0.25, 0.5, 0.9, 1.0, 2.0};

// n values: mostly normal with standard deviation 2, every 7th an exact 0,
// every 11th -0, every 13th +-1e-30, every 17th +-1e4.
template <typename T>
std::vector<T> JsReluInputs(int64_t n, std::mt19937& rng) {
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<T> x(n);
  for (int64_t i = 0; i < n; ++i) {
    double v = normal(rng);
    if (i % 7 == 0) v = 0.0;
    if (i % 11 == 0) v = -0.0;
    if (i % 13 == 0) v = (i % 2 ? 1e-30 : -1e-30);
    if (i % 17 == 0) v = (i % 2 ? 1e4 : -1e4);
    x[i] = static_cast<T>(v);
  }
  return x;
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_JSRELU_TEST_UTIL_H_
