#include "kernels/activation_stats.h"

#include <immintrin.h>

#include <cassert>
#include <vector>

namespace sparsity {
namespace {

// Portable path: 64 units at a time into one mask word. Per-unit counts are
// kept in int32 and added to the int64 outputs once at the end.
void StatsPortable(const float* h, int64_t num_tokens, int64_t d_ff,
                   int64_t tokens_per_sequence, int32_t* token_nonzeros,
                   int32_t* counts, uint64_t* sequence_union) {
  const int64_t words = UnionWords(d_ff);
  for (int64_t t = 0; t < num_tokens; ++t) {
    const float* row = h + t * d_ff;
    uint64_t* seq = sequence_union + (t / tokens_per_sequence) * words;
    int32_t nnz = 0;
    for (int64_t w = 0; w < words; ++w) {
      const int64_t begin = w * 64;
      const int64_t end = begin + 64 < d_ff ? begin + 64 : d_ff;
      uint64_t bits = 0;
      for (int64_t j = begin; j < end; ++j) {
        const bool fires = row[j] > 0.0f;
        bits |= static_cast<uint64_t>(fires) << (j - begin);
        counts[j] += fires;
      }
      nnz += __builtin_popcountll(bits);
      seq[w] |= bits;
    }
    token_nonzeros[t] = nnz;
  }
}

// AVX2 path: 8 units per compare; movemask builds the bitmask and the compare
// result (all-ones = -1 per firing lane) is subtracted from the int32 counts.
__attribute__((target("avx2,popcnt"))) void StatsAvx2(
    const float* h, int64_t num_tokens, int64_t d_ff,
    int64_t tokens_per_sequence, int32_t* token_nonzeros, int32_t* counts,
    uint64_t* sequence_union) {
  const int64_t words = UnionWords(d_ff);
  const int64_t full_words = d_ff / 64;
  const __m256 zero = _mm256_setzero_ps();
  for (int64_t t = 0; t < num_tokens; ++t) {
    const float* row = h + t * d_ff;
    uint64_t* seq = sequence_union + (t / tokens_per_sequence) * words;
    int32_t nnz = 0;
    for (int64_t w = 0; w < full_words; ++w) {
      const float* x = row + w * 64;
      int32_t* c = counts + w * 64;
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) {
        const __m256 gt =
            _mm256_cmp_ps(_mm256_loadu_ps(x + 8 * k), zero, _CMP_GT_OQ);
        bits |= static_cast<uint64_t>(_mm256_movemask_ps(gt)) << (8 * k);
        __m256i* cp = reinterpret_cast<__m256i*>(c + 8 * k);
        _mm256_storeu_si256(cp, _mm256_sub_epi32(_mm256_loadu_si256(cp),
                                                 _mm256_castps_si256(gt)));
      }
      nnz += _mm_popcnt_u64(bits);
      seq[w] |= bits;
    }
    if (full_words < words) {  // tail of d_ff % 64 units
      uint64_t bits = 0;
      for (int64_t j = full_words * 64; j < d_ff; ++j) {
        const bool fires = row[j] > 0.0f;
        bits |= static_cast<uint64_t>(fires) << (j - full_words * 64);
        counts[j] += fires;
      }
      nnz += _mm_popcnt_u64(bits);
      seq[full_words] |= bits;
    }
    token_nonzeros[t] = nnz;
  }
}

bool HasAvx2() {
  static const bool has =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  return has;
}

}  // namespace

const char* ActivationStatsCpuPath() { return HasAvx2() ? "avx2" : "portable"; }

void ActivationStatsCpu(const float* h, int64_t num_tokens, int64_t d_ff,
                        int64_t tokens_per_sequence, int32_t* token_nonzeros,
                        int64_t* unit_fire_counts, uint64_t* sequence_union) {
  assert(tokens_per_sequence > 0 && num_tokens % tokens_per_sequence == 0);
  std::vector<int32_t> counts(d_ff, 0);
  if (HasAvx2()) {
    StatsAvx2(h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
              counts.data(), sequence_union);
  } else {
    StatsPortable(h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
                  counts.data(), sequence_union);
  }
  for (int64_t j = 0; j < d_ff; ++j) unit_fire_counts[j] += counts[j];
}

}  // namespace sparsity
