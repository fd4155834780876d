// CUDA implementation of kernels/topk_relu.h: the same interface and tie rule
// on device pointers, plus host-pointer conveniences that report when no GPU
// is there (they never compute on the CPU instead).
//
//   std::string error;
//   if (!TopkReluCudaFromHost(x, rows, d, k, y, &error)) { /* say why */ }
//
// One thread block per row: the row is staged in shared memory and each
// positive entry's rank (the entries before it in the tie rule's order) is
// counted, O(d^2 / threads) per row; an entry is kept when its rank < k.
// d is limited by shared memory: at most kTopkReluCudaMaxBytes / sizeof(T)
// (12,288 float32 or 6,144 float64 units). Plain C++ header (no CUDA types).
#ifndef SPARSITY_KERNELS_TOPK_RELU_CUDA_H_
#define SPARSITY_KERNELS_TOPK_RELU_CUDA_H_

#include <cstdint>
#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

inline constexpr int64_t kTopkReluCudaMaxBytes = 48 * 1024;

// Device pointers; launch asynchronously on `stream`. Return false
// and set *error on a bad argument or a CUDA error. Results equal the CPU
// implementation's exactly. T: float or double.
template <typename T>
bool TopkReluCuda(const T* x, int64_t rows, int64_t d, int64_t k, T* y,
                  std::string* error, CudaStream stream = nullptr);
template <typename T>
bool TopkReluBackwardCuda(const T* y, const T* grad_y, int64_t n, T* grad_x,
                          std::string* error, CudaStream stream = nullptr);

// Host pointers in and out.
template <typename T>
bool TopkReluCudaFromHost(const T* x, int64_t rows, int64_t d, int64_t k, T* y,
                          std::string* error);
template <typename T>
bool TopkReluBackwardCudaFromHost(const T* y, const T* grad_y, int64_t n,
                                  T* grad_x, std::string* error);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_TOPK_RELU_CUDA_H_
