#include "train/nccl_backend.h"

#include "absl/strings/str_cat.h"
#include "c10/cuda/CUDAFunctions.h"
#include "common/cli.h"
#include "torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp"

namespace sparsity {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    int local_rank, std::chrono::milliseconds timeout) {
  c10::intrusive_ptr<c10d::Backend> backend;
  const absl::Status status = CatchExceptions([&]() -> absl::Status {
    if (local_rank >= c10::cuda::device_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("LOCAL_RANK ", local_rank, " but this machine has ",
                       c10::cuda::device_count(), " GPU(s)"));
    }
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(local_rank));
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank,
                                                          world_size, options);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot start NCCL: ", status.message()));
  }
  return backend;
}

}  // namespace sparsity
