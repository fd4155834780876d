#include "train/nccl_backend.h"

#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp"

namespace sparsity {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    std::chrono::milliseconds timeout) {
  c10::intrusive_ptr<c10d::Backend> backend;
  const absl::Status status = CatchExceptions([&]() -> absl::Status {
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
