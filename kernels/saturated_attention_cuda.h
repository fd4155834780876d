// CUDA implementation of kernels/saturated_attention.h: the same interface on
// device pointers, plus a host-pointer convenience that reports when no GPU
// is there (it never computes on the CPU instead).
//
//   std::string error;
//   if (!SaturatedAttentionCudaFromHost(s, v, n, tq, tk, dv, true, 0, p, o,
//                                       &error)) { /* say why */ }
//
// Plain C++ header (no CUDA types).
#ifndef SPARSITY_KERNELS_SATURATED_ATTENTION_CUDA_H_
#define SPARSITY_KERNELS_SATURATED_ATTENTION_CUDA_H_

#include <cstdint>
#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

// Device pointers; launches asynchronously on `stream`. Returns
// false and sets *error on a CUDA error. Results equal the CPU
// implementation's exactly (same tie rule, same summation order).
bool SaturatedAttentionCuda(const float* scores, const float* values, int64_t n,
                            int64_t tq, int64_t tk, int64_t dv, bool causal,
                            float tolerance, float* probs, float* out,
                            std::string* error, CudaStream stream = nullptr);

// Host pointers in and out (probs or out may be null; out needs values).
bool SaturatedAttentionCudaFromHost(const float* scores, const float* values,
                                    int64_t n, int64_t tq, int64_t tk,
                                    int64_t dv, bool causal, float tolerance,
                                    float* probs, float* out,
                                    std::string* error);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_SATURATED_ATTENTION_CUDA_H_
