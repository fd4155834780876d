// Saturated attention: the c -> infinity limit of softmax(c * scores)
// (docs/method.md, "Saturation"): each query spreads its weight uniformly
// over the keys whose score ties the row's maximum, masked keys excluded.
//
//   // scores [n, tq, tk], values [n, tk, dv], row-major float32; n = batch
//   // x heads. probs [n, tq, tk] and out [n, tq, dv] (either may be null).
//   SaturatedAttentionCpu(scores, values, n, tq, tk, dv, /*causal=*/true,
//                         /*tolerance=*/0, probs, out);
//
// Row i of a matrix sees keys j < tk when not causal, and j <= i + (tk - tq)
// when causal (the last query sees every key). A key ties the maximum m of
// its row's visible scores when score >= m - tolerance (tolerance >= 0; 0:
// exact ties, the limit of softmax(c * scores)). NaN scores are never the
// maximum and never tie. A row whose visible scores are all NaN gets zero
// weight everywhere (and a zero output). Each tied key gets 1 / (number
// tied); out = that average of the tied keys' value rows.
// kernels/saturated_attention_cuda.h has the same interface on device
// pointers.
#ifndef SPARSITY_KERNELS_SATURATED_ATTENTION_H_
#define SPARSITY_KERNELS_SATURATED_ATTENTION_H_

#include <cstdint>

namespace sparsity {

#ifdef __CUDACC__
#define SPARSITY_HOST_DEVICE __host__ __device__
#else
#define SPARSITY_HOST_DEVICE
#endif

// The keys row `i` of a (tq x tk) score matrix may attend to: [0, visible).
// Shared by the CPU and CUDA implementations.
SPARSITY_HOST_DEVICE inline int64_t VisibleKeys(int64_t i, int64_t tq,
                                                int64_t tk, bool causal) {
  if (!causal) return tk;
  const int64_t v = i + 1 + (tk - tq);
  return v < 0 ? 0 : (v > tk ? tk : v);
}

// Vectorised CPU implementation (the inner loops are plain loops the
// compiler vectorises at -O3). `probs` may be null; `out` may be null, and
// must be when `values` is (returns false, nothing written, otherwise).
bool SaturatedAttentionCpu(const float* scores, const float* values, int64_t n,
                           int64_t tq, int64_t tk, int64_t dv, bool causal,
                           float tolerance, float* probs, float* out);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_SATURATED_ATTENTION_H_
