#include <cuda_runtime.h>

#include <string>

#include "kernels/activation_stats.h"
#include "kernels/activation_stats_cuda.h"
#include "kernels/cuda_device.h"

namespace sparsity {
namespace {

constexpr int kWarps = 8;           // warps per block, each on its own rows
constexpr int kRowsPerBlock = 256;  // token rows per block (blockIdx.y)

// One block: 32 units (blockIdx.x) x kRowsPerBlock tokens (blockIdx.y).
// Lane = unit within the 32-unit chunk; warp w takes rows w, w+8, ...
// __ballot_sync turns one row's 32 compares into a bitmask: its popcount adds
// to the token's count, and it is OR-ed into the sequence's union word.
__global__ void ActivationStatsKernel(const float* __restrict__ h,
                                      int64_t num_tokens, int64_t d_ff,
                                      int64_t tokens_per_sequence,
                                      int64_t first_row_block,
                                      int32_t* token_nonzeros,
                                      unsigned long long* unit_fire_counts,
                                      unsigned long long* sequence_union) {
  const int lane = threadIdx.x;
  const int warp = threadIdx.y;
  const int64_t col = static_cast<int64_t>(blockIdx.x) * 32 + lane;
  const bool in_range = col < d_ff;
  const int64_t words = (d_ff + 63) / 64;  // UnionWords(d_ff)
  const int64_t word = (static_cast<int64_t>(blockIdx.x) * 32) / 64;
  const int shift = (blockIdx.x % 2) * 32;
  const int64_t row_begin =
      (first_row_block + static_cast<int64_t>(blockIdx.y)) * kRowsPerBlock;
  int64_t row_end = row_begin + kRowsPerBlock;
  if (row_end > num_tokens) row_end = num_tokens;

  unsigned int count = 0;
  unsigned int seq_bits = 0;
  int64_t current_seq = -1;
  for (int64_t t = row_begin + warp; t < row_end; t += kWarps) {
    const bool fires = in_range && h[t * d_ff + col] > 0.0f;
    count += fires;
    const unsigned int mask = __ballot_sync(0xffffffffu, fires);
    if (lane == 0) {
      const int64_t s = t / tokens_per_sequence;
      if (s != current_seq) {
        if (current_seq >= 0 && seq_bits) {
          atomicOr(&sequence_union[current_seq * words + word],
                   static_cast<unsigned long long>(seq_bits) << shift);
        }
        current_seq = s;
        seq_bits = 0;
      }
      seq_bits |= mask;
      if (mask) atomicAdd(&token_nonzeros[t], __popc(mask));
    }
  }
  if (lane == 0 && current_seq >= 0 && seq_bits) {
    atomicOr(&sequence_union[current_seq * words + word],
             static_cast<unsigned long long>(seq_bits) << shift);
  }

  __shared__ unsigned int partial[kWarps][32];
  partial[warp][lane] = count;
  __syncthreads();
  if (warp == 0 && in_range) {
    unsigned long long total = 0;
    for (int w = 0; w < kWarps; ++w) total += partial[w][lane];
    if (total) atomicAdd(&unit_fire_counts[col], total);
  }
}

}  // namespace

bool ActivationStatsCuda(const float* h, int64_t num_tokens, int64_t d_ff,
                         int64_t tokens_per_sequence, int32_t* token_nonzeros,
                         int64_t* unit_fire_counts, uint64_t* sequence_union,
                         std::string* error) {
  if (num_tokens == 0 || d_ff == 0) return true;
  if (!CudaOk(cudaMemset(token_nonzeros, 0, num_tokens * sizeof(int32_t)),
              "cudaMemset", error)) {
    return false;
  }
  const dim3 block(32, kWarps);
  // gridDim.y is at most 65535: launch the row blocks in slices of that many
  // (num_tokens < 2^31 needs up to 2^23 row blocks, i.e. up to 129 launches).
  constexpr int64_t kMaxGridY = 65535;
  const int64_t row_blocks = (num_tokens + kRowsPerBlock - 1) / kRowsPerBlock;
  for (int64_t first = 0; first < row_blocks; first += kMaxGridY) {
    const int64_t n =
        row_blocks - first < kMaxGridY ? row_blocks - first : kMaxGridY;
    const dim3 grid(static_cast<unsigned>((d_ff + 31) / 32),
                    static_cast<unsigned>(n));
    ActivationStatsKernel<<<grid, block>>>(
        h, num_tokens, d_ff, tokens_per_sequence, first, token_nonzeros,
        reinterpret_cast<unsigned long long*>(unit_fire_counts),
        reinterpret_cast<unsigned long long*>(sequence_union));
    if (!CudaOk(cudaGetLastError(), "ActivationStatsKernel launch", error)) {
      return false;
    }
  }
  return true;
}

bool ActivationStatsCudaFromHost(const float* h, int64_t num_tokens,
                                 int64_t d_ff, int64_t tokens_per_sequence,
                                 int32_t* token_nonzeros,
                                 int64_t* unit_fire_counts,
                                 uint64_t* sequence_union, std::string* error) {
  std::string why;
  if (CudaDeviceCount(&why) == 0) {
    if (error) *error = "no CUDA device (" + why + ")";
    return false;
  }
  const int64_t seqs = num_tokens / tokens_per_sequence;
  const size_t h_bytes = num_tokens * d_ff * sizeof(float);
  const size_t nnz_bytes = num_tokens * sizeof(int32_t);
  const size_t count_bytes = d_ff * sizeof(int64_t);
  const size_t union_bytes = seqs * UnionWords(d_ff) * sizeof(uint64_t);
  float* dh = nullptr;
  int32_t* dnnz = nullptr;
  int64_t* dcounts = nullptr;
  uint64_t* dunion = nullptr;
  bool ok = CudaOk(cudaMalloc(&dh, h_bytes), "cudaMalloc", error) &&
            CudaOk(cudaMalloc(&dnnz, nnz_bytes), "cudaMalloc", error) &&
            CudaOk(cudaMalloc(&dcounts, count_bytes), "cudaMalloc", error) &&
            CudaOk(cudaMalloc(&dunion, union_bytes), "cudaMalloc", error) &&
            CudaOk(cudaMemcpy(dh, h, h_bytes, cudaMemcpyHostToDevice),
                   "cudaMemcpy", error) &&
            CudaOk(cudaMemcpy(dcounts, unit_fire_counts, count_bytes,
                              cudaMemcpyHostToDevice),
                   "cudaMemcpy", error) &&
            CudaOk(cudaMemcpy(dunion, sequence_union, union_bytes,
                              cudaMemcpyHostToDevice),
                   "cudaMemcpy", error) &&
            ActivationStatsCuda(dh, num_tokens, d_ff, tokens_per_sequence, dnnz,
                                dcounts, dunion, error) &&
            CudaOk(cudaDeviceSynchronize(), "ActivationStatsKernel", error) &&
            CudaOk(cudaMemcpy(token_nonzeros, dnnz, nnz_bytes,
                              cudaMemcpyDeviceToHost),
                   "cudaMemcpy", error) &&
            CudaOk(cudaMemcpy(unit_fire_counts, dcounts, count_bytes,
                              cudaMemcpyDeviceToHost),
                   "cudaMemcpy", error) &&
            CudaOk(cudaMemcpy(sequence_union, dunion, union_bytes,
                              cudaMemcpyDeviceToHost),
                   "cudaMemcpy", error);
  cudaFree(dh);
  cudaFree(dnnz);
  cudaFree(dcounts);
  cudaFree(dunion);
  return ok;
}

}  // namespace sparsity
