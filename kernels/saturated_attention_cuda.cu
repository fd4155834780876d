#include <cuda_runtime.h>

#include <string>

#include "kernels/saturated_attention.h"
#include "kernels/saturated_attention_cuda.h"

namespace sparsity {
namespace {

constexpr int kWarps = 8;  // rows per block, one warp each

// One warp per row (query). Lanes stride over its visible keys for the
// maximum (warp-shuffle reduction; NaN never wins) and count the ties with
// __ballot_sync, 32 keys at a time; then write the probabilities. For the
// output, each lane owns columns d0 + lane: per 32-key chunk the ballot of
// tied keys is walked bit by bit (lowest key first), so only tied keys' value
// rows are read, summed in increasing key order as on the CPU.
__global__ void SaturatedAttentionKernel(const float* __restrict__ scores,
                                         const float* __restrict__ values,
                                         int64_t rows, int64_t tq, int64_t tk,
                                         int64_t dv, bool causal,
                                         float tolerance, float* probs,
                                         float* out) {
  const int lane = threadIdx.x;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.y;
  if (row >= rows) return;  // whole warps leave together
  const int64_t b = row / tq;
  const int64_t i = row % tq;
  const float* s = scores + row * tk;
  const int64_t visible = VisibleKeys(i, tq, tk, causal);
  float m = -INFINITY;
  for (int64_t j = lane; j < visible; j += 32) {
    const float x = s[j];
    m = x > m ? x : m;
  }
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, m, offset);
    m = other > m ? other : m;
  }
  // All-NaN rows: m stays -inf and no NaN ties it. (A row of -inf scores
  // ties everywhere, as on the CPU.)
  const float threshold = m - tolerance;
  int64_t tied = 0;
  for (int64_t j0 = 0; j0 < visible; j0 += 32) {
    const int64_t j = j0 + lane;
    tied +=
        __popc(__ballot_sync(0xffffffffu, j < visible && s[j] >= threshold));
  }
  const float w = tied > 0 ? 1.0f / static_cast<float>(tied) : 0.0f;
  if (probs != nullptr) {
    float* p = probs + row * tk;
    for (int64_t j = lane; j < tk; j += 32) {
      p[j] = j < visible && s[j] >= threshold ? w : 0.0f;
    }
  }
  if (out != nullptr) {
    const float* v = values + b * tk * dv;
    float* o = out + row * dv;
    for (int64_t d0 = 0; d0 < dv; d0 += 32) {
      const int64_t d = d0 + lane;
      float acc = 0.0f;
      for (int64_t j0 = 0; j0 < visible; j0 += 32) {
        const int64_t j = j0 + lane;
        unsigned mask =
            __ballot_sync(0xffffffffu, j < visible && s[j] >= threshold);
        while (mask != 0) {
          const int bit = __ffs(mask) - 1;
          mask &= mask - 1;
          if (d < dv) acc += v[(j0 + bit) * dv + d];
        }
      }
      if (d < dv) o[d] = acc * w;
    }
  }
}

}  // namespace

bool SaturatedAttentionCuda(const float* scores, const float* values, int64_t n,
                            int64_t tq, int64_t tk, int64_t dv, bool causal,
                            float tolerance, float* probs, float* out,
                            std::string* error, CudaStream stream) {
  const int64_t rows = n * tq;
  if (out != nullptr && values == nullptr) {
    if (error) *error = "SaturatedAttentionCuda: out without values";
    return false;
  }
  if (rows == 0) return true;
  const dim3 block(32, kWarps);
  const dim3 grid(static_cast<unsigned>((rows + kWarps - 1) / kWarps));
  SaturatedAttentionKernel<<<grid, block, 0, stream>>>(
      scores, values, rows, tq, tk, dv, causal, tolerance, probs, out);
  return CudaOk(cudaGetLastError(), "SaturatedAttentionKernel launch", error);
}

bool SaturatedAttentionCudaFromHost(const float* scores, const float* values,
                                    int64_t n, int64_t tq, int64_t tk,
                                    int64_t dv, bool causal, float tolerance,
                                    float* probs, float* out,
                                    std::string* error) {
  std::string why;
  if (CudaDeviceCount(&why) == 0) {
    if (error) *error = "no CUDA device (" + why + ")";
    return false;
  }
  if (out != nullptr && values == nullptr) {
    if (error) *error = "SaturatedAttentionCudaFromHost: out without values";
    return false;
  }
  const size_t s_bytes = n * tq * tk * sizeof(float);
  const size_t v_bytes = n * tk * dv * sizeof(float);
  const size_t o_bytes = n * tq * dv * sizeof(float);
  float *ds = nullptr, *dvals = nullptr, *dp = nullptr, *dout = nullptr;
  const bool with_out = out != nullptr;
  bool ok =
      CudaOk(cudaMalloc(&ds, s_bytes), "cudaMalloc", error) &&
      CudaOk(cudaMemcpy(ds, scores, s_bytes, cudaMemcpyHostToDevice),
             "cudaMemcpy", error) &&
      (probs == nullptr ||
       CudaOk(cudaMalloc(&dp, s_bytes), "cudaMalloc", error)) &&
      (!with_out ||
       (CudaOk(cudaMalloc(&dvals, v_bytes), "cudaMalloc", error) &&
        CudaOk(cudaMalloc(&dout, o_bytes), "cudaMalloc", error) &&
        CudaOk(cudaMemcpy(dvals, values, v_bytes, cudaMemcpyHostToDevice),
               "cudaMemcpy", error))) &&
      SaturatedAttentionCuda(ds, dvals, n, tq, tk, dv, causal, tolerance, dp,
                             dout, error) &&
      CudaOk(cudaDeviceSynchronize(), "SaturatedAttentionKernel", error) &&
      (probs == nullptr ||
       CudaOk(cudaMemcpy(probs, dp, s_bytes, cudaMemcpyDeviceToHost),
              "cudaMemcpy", error)) &&
      (!with_out ||
       CudaOk(cudaMemcpy(out, dout, o_bytes, cudaMemcpyDeviceToHost),
              "cudaMemcpy", error));
  cudaFree(ds);
  cudaFree(dvals);
  cudaFree(dp);
  cudaFree(dout);
  return ok;
}

}  // namespace sparsity
