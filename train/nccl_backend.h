// The NCCL process group for data-parallel training on CUDA
// (train/data_parallel.h), in a translation unit of its own: only it needs
// NCCL's headers and USE_C10D_NCCL.
#ifndef SPARSITY_TRAIN_NCCL_BACKEND_H_
#define SPARSITY_TRAIN_NCCL_BACKEND_H_

#include <chrono>

#include "absl/status/statusor.h"
#include "torch/csrc/distributed/c10d/Backend.hpp"
#include "torch/csrc/distributed/c10d/Store.hpp"

namespace sparsity {

// c10d's ProcessGroupNCCL over `store`, after making GPU `local_rank` this
// process's current device; an error if this LibTorch has no NCCL (a
// CPU-only build) or no such GPU.
absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    int local_rank, std::chrono::milliseconds timeout);

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_NCCL_BACKEND_H_
