// Activation statistics of one MLP layer, in one pass over its post-activation
// matrix H of shape [num_tokens, d_ff] (row-major, float32).
//
//   std::vector<int32_t> nnz(T);
//   std::vector<int64_t> fires(d_ff, 0);
//   std::vector<uint64_t> unions(T / seq_len * UnionWords(d_ff), 0);
//   ActivationStatsCpu(h, T, d_ff, seq_len, nnz.data(), fires.data(),
//                      unions.data());
//
// A unit "fires" on a token when H > 0 (NaN does not fire). Outputs:
//   token_nonzeros[t]      number of units firing on token t        (written)
//   unit_fire_counts[j]    number of tokens on which unit j fires   (added to)
//   sequence_union[s, w]   bit j%64 of word j/64 set if unit j fires on any
//                          token of sequence s (consecutive blocks of
//                          tokens_per_sequence rows)                (OR-ed
//                          into)
// The accumulating outputs let callers stream several matrices through.
// kernels/activation_stats_cuda.h has the same interface on device pointers.
#ifndef SPARSITY_KERNELS_ACTIVATION_STATS_H_
#define SPARSITY_KERNELS_ACTIVATION_STATS_H_

#include <cstdint>
#include <string>

namespace sparsity {

// 64-bit words per sequence in a union bitmask of d_ff units.
constexpr int64_t UnionWords(int64_t d_ff) { return (d_ff + 63) / 64; }

// Vectorised CPU implementation (AVX2 on x86 CPUs that have it, else portable
// C++).
// Requires num_tokens % tokens_per_sequence == 0 and num_tokens < 2^31.
void ActivationStatsCpu(const float* h, int64_t num_tokens, int64_t d_ff,
                        int64_t tokens_per_sequence, int32_t* token_nonzeros,
                        int64_t* unit_fire_counts, uint64_t* sequence_union);

// Which CPU code path ActivationStatsCpu takes on this machine: "avx2" or
// "portable". Always "portable" when not built for x86.
const char* ActivationStatsCpuPath();

// CPU code paths, for tests and benchmarks that must run one in particular.
enum class StatsPath {
  kAuto,      // what ActivationStatsCpu picks (see ActivationStatsCpuPath)
  kPortable,  // plain C++, every architecture
  kAvx2,      // x86 builds on a CPU with AVX2 and POPCNT only
};

// ActivationStatsCpu on the given path, same contract. Returns false (outputs
// untouched, *error says why when error is non-null) if that path cannot run
// here: kAvx2 on a non-x86 build or a CPU without AVX2/POPCNT. It never falls
// back to another path silently.
bool ActivationStatsCpuOnPath(StatsPath path, const float* h,
                              int64_t num_tokens, int64_t d_ff,
                              int64_t tokens_per_sequence,
                              int32_t* token_nonzeros,
                              int64_t* unit_fire_counts,
                              uint64_t* sequence_union,
                              std::string* error = nullptr);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_ACTIVATION_STATS_H_
