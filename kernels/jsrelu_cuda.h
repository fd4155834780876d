// CUDA implementation of kernels/jsrelu.h: the same interface and results on
// device pointers, plus host-pointer conveniences that report when no GPU is
// there (they never compute on the CPU instead).
//
//   std::string error;
//   if (!JsReluCudaFromHost(x, n, /*mix=*/1.0, y, &error)) { /* say why */ }
//
// One thread per entry (grid-stride). Products and sums are rounded one at a
// time (no fused multiply-add), so results equal the CPU implementation's
// bit for bit. Plain C++ header (no CUDA types).
#ifndef SPARSITY_KERNELS_JSRELU_CUDA_H_
#define SPARSITY_KERNELS_JSRELU_CUDA_H_

#include <cstdint>
#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

// Device pointers; launch asynchronously on `stream`. Return false and set
// *error on a CUDA error. T: float or double.
template <typename T>
bool JsReluCuda(const T* x, int64_t n, double mix, T* y, std::string* error,
                CudaStream stream = nullptr);
template <typename T>
bool JsReluBackwardCuda(const T* x, const T* grad_y, int64_t n, double mix,
                        T* grad_x, std::string* error,
                        CudaStream stream = nullptr);

// Host pointers in and out.
template <typename T>
bool JsReluCudaFromHost(const T* x, int64_t n, double mix, T* y,
                        std::string* error);
template <typename T>
bool JsReluBackwardCudaFromHost(const T* x, const T* grad_y, int64_t n,
                                double mix, T* grad_x, std::string* error);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_JSRELU_CUDA_H_
