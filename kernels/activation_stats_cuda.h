// CUDA implementation of kernels/activation_stats.h, same interface on device
// pointers, plus a host-pointer convenience that reports when no GPU is there.
//
//   std::string why;
//   if (CudaDeviceCount(&why) == 0) { /* use ActivationStatsCpu; say why */ }
//
// Plain C++ header (no CUDA types) so that callers need no CUDA includes.
#ifndef SPARSITY_KERNELS_ACTIVATION_STATS_CUDA_H_
#define SPARSITY_KERNELS_ACTIVATION_STATS_CUDA_H_

#include <cstdint>
#include <string>

#include "kernels/cuda_device.h"

namespace sparsity {

// Device-pointer kernel launch (all pointers in device memory; outputs follow
// the CPU contract: token_nonzeros written, the others accumulated). Returns
// false and sets *error on a CUDA error.
bool ActivationStatsCuda(const float* h, int64_t num_tokens, int64_t d_ff,
                         int64_t tokens_per_sequence, int32_t* token_nonzeros,
                         int64_t* unit_fire_counts, uint64_t* sequence_union,
                         std::string* error);

// Host pointers in and out: copies to the device, runs the kernel, copies
// back. Returns false (outputs untouched, *error says why) when no GPU is
// present or a CUDA call fails; it never computes on the CPU silently.
bool ActivationStatsCudaFromHost(const float* h, int64_t num_tokens,
                                 int64_t d_ff, int64_t tokens_per_sequence,
                                 int32_t* token_nonzeros,
                                 int64_t* unit_fire_counts,
                                 uint64_t* sequence_union, std::string* error);

}  // namespace sparsity

#endif  // SPARSITY_KERNELS_ACTIVATION_STATS_CUDA_H_
