// Data-parallel training over torch's c10d: one run trained by N processes
// (ranks), each on its shard of the same global batch, gradients averaged
// over ranks before clipping and the optimiser step, so that N ranks train
// the model one process would (up to the order of float additions).
//
//   absl::StatusOr<DistributedEnv> env = DistributedEnvFromEnvironment();
//   absl::StatusOr<std::unique_ptr<DataParallel>> dp =
//       DataParallel::Connect(*env, torch::kCPU);      // Gloo; CUDA: NCCL
//   trainer.set_data_parallel(dp->get());
//
// The environment is torchrun's (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT); rank 0 serves the TCPStore rendezvous. The process group is
// c10d's ProcessGroupGloo on the CPU and ProcessGroupNCCL on CUDA.
//
// What each rank does (train/trainer.cc): all ranks draw the same global
// batch (the data order does not depend on N) and train on rows
// [r B/N, (r+1) B/N); the parameters are broadcast from rank 0 when a
// session starts; after backward the gradients are flattened into buckets
// of at most `bucket_bytes`, all-reduced asynchronously (all buckets in
// flight at once), averaged and copied back; the loss is averaged with them.
// Only rank 0 (the lead) probes, logs, checkpoints and writes results.
#ifndef SPARSITY_TRAIN_DATA_PARALLEL_H_
#define SPARSITY_TRAIN_DATA_PARALLEL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/batch.h"
#include "torch/torch.h"

namespace sparsity {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

// From RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT (torchrun's
// names); nullopt-like world_size 1 when RANK and WORLD_SIZE are unset.
// Malformed or inconsistent values are an error naming the variable.
absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment();

// Whether `status` is a collective that failed because another rank stopped
// (the consequence of that rank's failure, not a failure of its own).
bool IsPeerFailure(const absl::Status& status);

// An error unless a batch of `batch_size` splits into `ranks` equal shards.
absl::Status CheckBatchSplits(int64_t batch_size, int ranks);

// The rows of `global` that rank `rank` of `world_size` trains on (views).
Batch ShardBatch(const Batch& global, int rank, int world_size);

class DataParallel {
 public:
  struct Options {
    // Largest bucket of flattened gradients per all-reduce (DDP's default).
    int64_t bucket_bytes = 25 << 20;
    // How long a collective waits for the other ranks.
    std::chrono::milliseconds timeout = std::chrono::minutes(10);
    // Check that every rank's parameters equal rank 0's every this many
    // steps (and at the end of every run); 0: only at the end.
    int64_t check_every = 0;
  };

  // Rendezvous with the other ranks (rank 0 serves the TCPStore) and the
  // process group for `device`: Gloo on the CPU, NCCL on CUDA (an error if
  // this LibTorch was built without NCCL), where each rank's current GPU
  // becomes its LOCAL_RANK (call before building the model).
  static absl::StatusOr<std::unique_ptr<DataParallel>> Connect(
      const DistributedEnv& env, const torch::Device& device,
      const Options& options);
  ~DataParallel();

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  bool lead() const { return rank_ == 0; }
  const Options& options() const { return options_; }
  std::string backend_name() const;

  // Rank 0's values into every rank's tensors.
  absl::Status Broadcast(const std::vector<torch::Tensor>& tensors);
  // Averages the defined gradients of `params` over the ranks in buckets,
  // and `*loss` with them.
  absl::Status AverageGradients(const std::vector<torch::Tensor>& params,
                                float* loss);
  // Element-wise sum / max over the ranks, in place.
  absl::Status SumInPlace(torch::Tensor tensor);
  absl::Status MaxInPlace(torch::Tensor tensor);
  // Every rank's `value` must be equal: an error naming `what` otherwise.
  absl::Status Agree(int64_t value, const std::string& what);
  // The largest difference between any rank's `params` and rank 0's is
  // zero: an error naming the step otherwise.
  absl::Status CheckReplicas(const std::vector<torch::Tensor>& params,
                             int64_t step);
  // Waits for every rank, without --dp_timeout_s's bound: for the ranks
  // that wait while rank 0 probes or writes.
  absl::Status Barrier();

  // Seconds spent in gradient all-reduces (flatten, wait, copy back) since
  // the last call.
  double TakeAllReduceSeconds();

 private:
  struct Impl;
  DataParallel(int rank, int world_size, const Options& options,
               std::unique_ptr<Impl> impl);
  absl::Status AllReduce(torch::Tensor tensor, bool max);

  int rank_, world_size_;
  Options options_;
  std::unique_ptr<Impl> impl_;
  double allreduce_seconds_ = 0;
};

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_DATA_PARALLEL_H_
