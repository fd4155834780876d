#include "kernels/activation_stats.h"

#if defined(__x86_64__) || defined(__i386__)
#define SPARSITY_ACTIVATION_STATS_X86 1
#include <immintrin.h>
#else
#define SPARSITY_ACTIVATION_STATS_X86 0
#endif

#include <cassert>
#include <string>
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

#if SPARSITY_ACTIVATION_STATS_X86
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
#else
bool HasAvx2() { return false; }
#endif  // SPARSITY_ACTIVATION_STATS_X86

// Runs one path (which must be able to run here) and adds the int32 counts.
void RunPath(bool avx2, const float* h, int64_t num_tokens, int64_t d_ff,
             int64_t tokens_per_sequence, int32_t* token_nonzeros,
             int64_t* unit_fire_counts, uint64_t* sequence_union) {
  assert(tokens_per_sequence > 0 && num_tokens % tokens_per_sequence == 0);
  std::vector<int32_t> counts(d_ff, 0);
#if SPARSITY_ACTIVATION_STATS_X86
  if (avx2) {
    StatsAvx2(h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
              counts.data(), sequence_union);
  } else {
    StatsPortable(h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
                  counts.data(), sequence_union);
  }
#else
  assert(!avx2);
  (void)avx2;
  StatsPortable(h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
                counts.data(), sequence_union);
#endif
  for (int64_t j = 0; j < d_ff; ++j) unit_fire_counts[j] += counts[j];
}

}  // namespace

const char* ActivationStatsCpuPath() { return HasAvx2() ? "avx2" : "portable"; }

void ActivationStatsCpu(const float* h, int64_t num_tokens, int64_t d_ff,
                        int64_t tokens_per_sequence, int32_t* token_nonzeros,
                        int64_t* unit_fire_counts, uint64_t* sequence_union) {
  RunPath(HasAvx2(), h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
          unit_fire_counts, sequence_union);
}

bool ActivationStatsCpuOnPath(StatsPath path, const float* h,
                              int64_t num_tokens, int64_t d_ff,
                              int64_t tokens_per_sequence,
                              int32_t* token_nonzeros,
                              int64_t* unit_fire_counts,
                              uint64_t* sequence_union, std::string* error) {
  bool avx2 = false;
  switch (path) {
    case StatsPath::kAuto:
      avx2 = HasAvx2();
      break;
    case StatsPath::kPortable:
      break;
    case StatsPath::kAvx2:
      if (!HasAvx2()) {
        if (error != nullptr) {
#if SPARSITY_ACTIVATION_STATS_X86
          *error = "AVX2 path requested but this CPU lacks AVX2 or POPCNT";
#else
          *error = "AVX2 path requested but this is not an x86 build";
#endif
        }
        return false;
      }
      avx2 = true;
      break;
    default:
      if (error != nullptr) *error = "unknown StatsPath value";
      return false;
  }
  RunPath(avx2, h, num_tokens, d_ff, tokens_per_sequence, token_nonzeros,
          unit_fire_counts, sequence_union);
  return true;
}

}  // namespace sparsity
