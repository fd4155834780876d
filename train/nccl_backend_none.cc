// MakeNcclBackend for a LibTorch built without CUDA (tools/libtorch.bzl's
// TORCH_HAS_CUDA false): there is no NCCL to use.
#include "train/nccl_backend.h"

namespace sparsity {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    int local_rank, std::chrono::milliseconds timeout) {
  return absl::FailedPreconditionError(
      "data-parallel training on CUDA needs NCCL, and this LibTorch was "
      "built without CUDA: point TORCH_PATH at a CUDA LibTorch");
}

}  // namespace sparsity
