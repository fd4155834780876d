#include <cuda_runtime.h>

#include <string>

#include "kernels/topk_relu_cuda.h"

namespace sparsity {
namespace {

constexpr int kThreads = 256;

// One block per row. s[] holds the row with every entry that cannot be kept
// (<= 0 or NaN) as 0, so only positive entries are ever ranked above another.
// Entry i (positive) has rank #{j : s[j] > s[i] or (s[j] == s[i] and j < i)}
// and is kept when rank < k: the CPU's tie rule (larger first, then lower
// index).
template <typename T>
__global__ void TopkReluKernel(const T* __restrict__ x, int64_t d, int64_t k,
                               T* __restrict__ y) {
  extern __shared__ unsigned char shared[];
  T* s = reinterpret_cast<T*>(shared);
  const T* xr = x + static_cast<int64_t>(blockIdx.x) * d;
  T* yr = y + static_cast<int64_t>(blockIdx.x) * d;
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
    const T v = xr[i];
    s[i] = v > T(0) ? v : T(0);
  }
  __syncthreads();
  for (int64_t i = threadIdx.x; i < d; i += blockDim.x) {
    const T v = s[i];
    T out = xr[i] != xr[i] ? xr[i] : T(0);  // NaN propagates
    if (v > T(0)) {
      int64_t rank = 0;
      for (int64_t j = 0; j < d && rank < k; ++j) {
        const T u = s[j];
        rank += (u > v) || (u == v && j < i);
      }
      if (rank < k) out = v;
    }
    yr[i] = out;
  }
}

template <typename T>
__global__ void TopkReluBackwardKernel(const T* __restrict__ y,
                                       const T* __restrict__ grad_y, int64_t n,
                                       T* grad_x) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    grad_x[i] = y[i] > T(0) ? grad_y[i] : T(0);
  }
}

bool Fail(const std::string& message, std::string* error) {
  if (error) *error = message;
  return false;
}

template <typename T>
bool CheckArguments(int64_t rows, int64_t d, int64_t k, std::string* error) {
  if (k < 1 || rows < 0 || d < 0) {
    return Fail("TopkReluCuda: needs k >= 1 and rows, d >= 0, got k " +
                    std::to_string(k),
                error);
  }
  if (d * static_cast<int64_t>(sizeof(T)) > kTopkReluCudaMaxBytes) {
    return Fail("TopkReluCuda: a row of " + std::to_string(d) +
                    " units does not fit in shared memory (at most " +
                    std::to_string(kTopkReluCudaMaxBytes / sizeof(T)) + ")",
                error);
  }
  return true;
}

}  // namespace

template <typename T>
bool TopkReluCuda(const T* x, int64_t rows, int64_t d, int64_t k, T* y,
                  std::string* error, CudaStream stream) {
  if (!CheckArguments<T>(rows, d, k, error)) return false;
  if (rows == 0 || d == 0) return true;
  const int threads =
      d < kThreads ? static_cast<int>((d + 31) / 32 * 32) : kThreads;
  TopkReluKernel<T>
      <<<static_cast<unsigned>(rows), threads, d * sizeof(T), stream>>>(x, d, k,
                                                                        y);
  return CudaOk(cudaGetLastError(), "TopkReluKernel launch", error);
}

template <typename T>
bool TopkReluBackwardCuda(const T* y, const T* grad_y, int64_t n, T* grad_x,
                          std::string* error, CudaStream stream) {
  if (n <= 0) return true;
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  TopkReluBackwardKernel<T>
      <<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), kThreads, 0,
         stream>>>(y, grad_y, n, grad_x);
  return CudaOk(cudaGetLastError(), "TopkReluBackwardKernel launch", error);
}

template <typename T>
bool TopkReluCudaFromHost(const T* x, int64_t rows, int64_t d, int64_t k, T* y,
                          std::string* error) {
  if (!HaveCudaDevice(error) || !CheckArguments<T>(rows, d, k, error)) {
    return false;
  }
  const size_t bytes = static_cast<size_t>(rows * d) * sizeof(T);
  void *dx = nullptr, *dy = nullptr;
  const bool ok = CudaAllocCopy(x, bytes, &dx, error) &&
                  CudaAllocCopy(nullptr, bytes, &dy, error) &&
                  TopkReluCuda(static_cast<const T*>(dx), rows, d, k,
                               static_cast<T*>(dy), error) &&
                  CudaSyncCopyToHost(y, dy, bytes, "TopkReluKernel", error);
  CudaFree(dx);
  CudaFree(dy);
  return ok;
}

template <typename T>
bool TopkReluBackwardCudaFromHost(const T* y, const T* grad_y, int64_t n,
                                  T* grad_x, std::string* error) {
  if (!HaveCudaDevice(error)) return false;
  const size_t bytes = static_cast<size_t>(n > 0 ? n : 0) * sizeof(T);
  void *dy = nullptr, *dg = nullptr, *dx = nullptr;
  const bool ok =
      CudaAllocCopy(y, bytes, &dy, error) &&
      CudaAllocCopy(grad_y, bytes, &dg, error) &&
      CudaAllocCopy(nullptr, bytes, &dx, error) &&
      TopkReluBackwardCuda(static_cast<const T*>(dy), static_cast<const T*>(dg),
                           n, static_cast<T*>(dx), error) &&
      CudaSyncCopyToHost(grad_x, dx, bytes, "TopkReluBackwardKernel", error);
  CudaFree(dy);
  CudaFree(dg);
  CudaFree(dx);
  return ok;
}

#define SPARSITY_TOPK_RELU_CUDA(T)                                           \
  template bool TopkReluCuda<T>(const T*, int64_t, int64_t, int64_t, T*,     \
                                std::string*, CudaStream);                   \
  template bool TopkReluBackwardCuda<T>(const T*, const T*, int64_t, T*,     \
                                        std::string*, CudaStream);           \
  template bool TopkReluCudaFromHost<T>(const T*, int64_t, int64_t, int64_t, \
                                        T*, std::string*);                   \
  template bool TopkReluBackwardCudaFromHost<T>(const T*, const T*, int64_t, \
                                                T*, std::string*);
SPARSITY_TOPK_RELU_CUDA(float)
SPARSITY_TOPK_RELU_CUDA(double)

}  // namespace sparsity
