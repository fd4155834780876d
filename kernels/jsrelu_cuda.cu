#include <cuda_runtime.h>

#include <string>

#include "kernels/jsrelu_cuda.h"

namespace sparsity {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kMaxBlocks = 65535;

// Round-to-nearest products and sums that nvcc may not fuse into an FMA:
// the CPU implementation rounds after every operation.
__device__ __forceinline__ float Mul(float a, float b) {
  return __fmul_rn(a, b);
}
__device__ __forceinline__ double Mul(double a, double b) {
  return __dmul_rn(a, b);
}
__device__ __forceinline__ float Add(float a, float b) {
  return __fadd_rn(a, b);
}
__device__ __forceinline__ double Add(double a, double b) {
  return __dadd_rn(a, b);
}

// The regime of kernels/jsrelu.h's three loops: ReLU (k <= 0), JSReLU
// (k >= 1), the mix.
enum Regime { kRelu, kJs, kMix };

Regime RegimeOf(double mix) { return mix <= 0 ? kRelu : mix >= 1 ? kJs : kMix; }

template <typename T>
__global__ void JsReluKernel(const T* __restrict__ x, int64_t n, Regime regime,
                             T a, T b, T* __restrict__ y) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const T v = x[i];
    const T js = v >= T(0) ? Add(Mul(Mul(v, v), T(0.5)), v) : T(0);
    T out;
    if (regime == kRelu) {
      out = v > T(0) ? v : T(0);
    } else if (regime == kJs) {
      out = js;
    } else {
      out = Add(Mul(a, v > T(0) ? v : T(0)), Mul(b, js));
    }
    y[i] = v != v ? v : out;  // NaN propagates
  }
}

template <typename T>
__global__ void JsReluBackwardKernel(const T* __restrict__ x,
                                     const T* __restrict__ grad_y, int64_t n,
                                     Regime regime, T a, T b,
                                     T* __restrict__ grad_x) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const T v = x[i];
    const T g = grad_y[i];
    T out;
    if (regime == kRelu) {
      out = v > T(0) ? g : T(0);
    } else if (regime == kJs) {
      out = v >= T(0) ? Mul(g, Add(v, T(1))) : T(0);
    } else {
      const T relu = v > T(0) ? Mul(g, a) : T(0);
      const T js = v >= T(0) ? Mul(Mul(g, b), Add(v, T(1))) : T(0);
      out = Add(relu, js);
    }
    grad_x[i] = out;
  }
}

unsigned Blocks(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

}  // namespace

template <typename T>
bool JsReluCuda(const T* x, int64_t n, double mix, T* y, std::string* error,
                CudaStream stream) {
  if (n <= 0) return true;
  JsReluKernel<T><<<Blocks(n), kThreads, 0, stream>>>(
      x, n, RegimeOf(mix), static_cast<T>(1 - mix), static_cast<T>(mix), y);
  return CudaOk(cudaGetLastError(), "JsReluKernel launch", error);
}

template <typename T>
bool JsReluBackwardCuda(const T* x, const T* grad_y, int64_t n, double mix,
                        T* grad_x, std::string* error, CudaStream stream) {
  if (n <= 0) return true;
  JsReluBackwardKernel<T><<<Blocks(n), kThreads, 0, stream>>>(
      x, grad_y, n, RegimeOf(mix), static_cast<T>(1 - mix), static_cast<T>(mix),
      grad_x);
  return CudaOk(cudaGetLastError(), "JsReluBackwardKernel launch", error);
}

template <typename T>
bool JsReluCudaFromHost(const T* x, int64_t n, double mix, T* y,
                        std::string* error) {
  if (!HaveCudaDevice(error)) return false;
  const size_t bytes = static_cast<size_t>(n > 0 ? n : 0) * sizeof(T);
  void *dx = nullptr, *dy = nullptr;
  const bool ok = CudaAllocCopy(x, bytes, &dx, error) &&
                  CudaAllocCopy(nullptr, bytes, &dy, error) &&
                  JsReluCuda(static_cast<const T*>(dx), n, mix,
                             static_cast<T*>(dy), error) &&
                  CudaSyncCopyToHost(y, dy, bytes, "JsReluKernel", error);
  CudaFree(dx);
  CudaFree(dy);
  return ok;
}

template <typename T>
bool JsReluBackwardCudaFromHost(const T* x, const T* grad_y, int64_t n,
                                double mix, T* grad_x, std::string* error) {
  if (!HaveCudaDevice(error)) return false;
  const size_t bytes = static_cast<size_t>(n > 0 ? n : 0) * sizeof(T);
  void *dx = nullptr, *dg = nullptr, *dout = nullptr;
  const bool ok =
      CudaAllocCopy(x, bytes, &dx, error) &&
      CudaAllocCopy(grad_y, bytes, &dg, error) &&
      CudaAllocCopy(nullptr, bytes, &dout, error) &&
      JsReluBackwardCuda(static_cast<const T*>(dx), static_cast<const T*>(dg),
                         n, mix, static_cast<T*>(dout), error) &&
      CudaSyncCopyToHost(grad_x, dout, bytes, "JsReluBackwardKernel", error);
  CudaFree(dx);
  CudaFree(dg);
  CudaFree(dout);
  return ok;
}

#define SPARSITY_JSRELU_CUDA(T)                                                \
  template bool JsReluCuda<T>(const T*, int64_t, double, T*, std::string*,     \
                              CudaStream);                                     \
  template bool JsReluBackwardCuda<T>(const T*, const T*, int64_t, double, T*, \
                                      std::string*, CudaStream);               \
  template bool JsReluCudaFromHost<T>(const T*, int64_t, double, T*,           \
                                      std::string*);                           \
  template bool JsReluBackwardCudaFromHost<T>(const T*, const T*, int64_t,     \
                                              double, T*, std::string*);
SPARSITY_JSRELU_CUDA(float)
SPARSITY_JSRELU_CUDA(double)

}  // namespace sparsity
