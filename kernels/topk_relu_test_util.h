// Inputs for the Top-k ReLU kernel tests (CPU and CUDA), and a plain
// reference of the tie rule in kernels/topk_relu.h.
#ifndef SPARSITY_KERNELS_TOPK_RELU_TEST_UTIL_H_
#define SPARSITY_KERNELS_TOPK_RELU_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace sparsity {

// rows x d values on a grid of 0.5 in [-3, 3]: rows full of ties, about
// half of them <= 0.
template <typename T>
std::vector<T> TiedRows(int64_t rows, int64_t d, std::mt19937& rng) {
  std::uniform_int_distribution<int> grid(-6, 6);
  std::vector<T> x(rows * d);
  for (T& v : x) v = static_cast<T>(grid(rng)) / 2;
  return x;
}

// rows x d values, all distinct within a row, about half negative.
template <typename T>
std::vector<T> DistinctRows(int64_t rows, int64_t d, std::mt19937& rng) {
  std::vector<T> x(rows * d);
  std::vector<int64_t> order(d);
  for (int64_t r = 0; r < rows; ++r) {
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (int64_t i = 0; i < d; ++i) {
      x[r * d + i] =
          static_cast<T>(order[i] - d / 2) / 8 + static_cast<T>(1) / 64;
    }
  }
  return x;
}

// The tie rule written out: rank every entry by (value descending, index
// ascending) with NaN and values <= 0 never kept; O(d^2) per row.
template <typename T>
std::vector<T> TopkReluReference(const std::vector<T>& x, int64_t rows,
                                 int64_t d, int64_t k) {
  std::vector<T> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x.data() + r * d;
    for (int64_t i = 0; i < d; ++i) {
      const T v = xr[i];
      if (v != v) {
        y[r * d + i] = v;
        continue;
      }
      int64_t rank = 0;
      for (int64_t j = 0; j < d; ++j) {
        rank += xr[j] > v || (xr[j] == v && j < i);
      }
      y[r * d + i] = v > 0 && rank < k ? v : T(0);
    }
  }
  return y;
}

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_TOPK_RELU_TEST_UTIL_H_
