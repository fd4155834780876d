#include "train/data_parallel.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/cli.h"
#include "torch/csrc/distributed/c10d/PrefixStore.hpp"
#include "torch/csrc/distributed/c10d/ProcessGroupGloo.hpp"
#include "torch/csrc/distributed/c10d/TCPStore.hpp"
#include "train/nccl_backend.h"

namespace sparsity {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kPeerFailure[] = "another rank stopped or cannot be reached";

// An integer environment variable; `fallback` when unset.
absl::StatusOr<int> IntFromEnv(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment variable ", name, "='", text, "' is not an integer"));
  }
  return value;
}

absl::Status CheckEnv(const DistributedEnv& env) {
  if (env.world_size < 1 || env.rank < 0 || env.rank >= env.world_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("RANK=", env.rank, " and WORLD_SIZE=", env.world_size,
                     ": a rank is in [0, WORLD_SIZE) and WORLD_SIZE >= 1"));
  }
  if (env.master_port < 1 || env.master_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MASTER_PORT=", env.master_port, " is not a port in [1, 65535]"));
  }
  if (env.local_rank < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("LOCAL_RANK=", env.local_rank, " is negative"));
  }
  return absl::OkStatus();
}

// The Gloo transport device: GLOO_SOCKET_IFNAME's interface when set (as in
// torch.distributed), the loopback address for a rendezvous on this machine,
// else this machine's hostname.
std::shared_ptr<::gloo::transport::Device> GlooDevice(
    const std::string& master_addr) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      ifname != nullptr && *ifname != '\0') {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  if (master_addr == "localhost" || master_addr.rfind("127.", 0) == 0) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Waits for `work`, turning a failed collective into a Status: a timeout
// names --dp_timeout_s; any other failure is a peer failure (a rank that
// stopped closes its connections), with the backend's first line.
absl::Status Wait(const c10::intrusive_ptr<c10d::Work>& work,
                  const char* what) {
  const absl::Status s = CatchExceptions([&]() -> absl::Status {
    work->wait();
    return absl::OkStatus();
  });
  if (s.ok()) return s;
  const std::string detail(s.message().substr(0, 200));
  const std::string lower = absl::AsciiStrToLower(detail);
  if (absl::StrContains(lower, "timed out") ||
      absl::StrContains(lower, "timeout")) {
    return absl::DeadlineExceededError(absl::StrCat(
        "data-parallel ", what,
        " timed out waiting for the other ranks (--dp_timeout_s): ", detail));
  }
  return absl::UnavailableError(absl::StrCat(
      "data-parallel ", what, " failed: ", kPeerFailure, " (", detail, ")"));
}

// One flat tensor holding `tensors` in order (for one collective), and its
// values copied back into them.
torch::Tensor Flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> views;
  for (const torch::Tensor& t : tensors) views.push_back(t.reshape({-1}));
  return torch::cat(views);
}

void Unflatten(const torch::Tensor& flat,
               const std::vector<torch::Tensor>& tensors) {
  int64_t offset = 0;
  for (const torch::Tensor& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(flat.narrow(0, offset, n).view_as(t));
    offset += n;
  }
}

}  // namespace

struct DataParallel::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
};

absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment() {
  DistributedEnv env;
  const absl::StatusOr<int> rank = IntFromEnv("RANK", 0);
  const absl::StatusOr<int> world = IntFromEnv("WORLD_SIZE", 1);
  const absl::StatusOr<int> local = IntFromEnv("LOCAL_RANK", 0);
  const absl::StatusOr<int> port = IntFromEnv("MASTER_PORT", env.master_port);
  for (const auto* s : {&rank, &world, &local, &port}) {
    if (!s->ok()) return s->status();
  }
  env.rank = *rank;
  env.world_size = *world;
  env.local_rank = *local;
  env.master_port = *port;
  if (const char* addr = std::getenv("MASTER_ADDR");
      addr != nullptr && *addr != '\0') {
    env.master_addr = addr;
  }
  if (absl::Status s = CheckEnv(env); !s.ok()) return s;
  return env;
}

bool IsPeerFailure(const absl::Status& status) {
  return absl::IsUnavailable(status) &&
         absl::StrContains(status.message(), kPeerFailure);
}

Batch ShardBatch(const Batch& global, int rank, int world_size) {
  const int64_t rows = global.inputs.size(0) / world_size;
  return Batch{global.inputs.narrow(0, rank * rows, rows),
               global.targets.narrow(0, rank * rows, rows)};
}

DataParallel::DataParallel(int rank, int world_size, const Options& options,
                           std::unique_ptr<Impl> impl)
    : rank_(rank),
      world_size_(world_size),
      options_(options),
      impl_(std::move(impl)) {}

DataParallel::~DataParallel() = default;

absl::StatusOr<std::unique_ptr<DataParallel>> DataParallel::Connect(
    const DistributedEnv& env, const torch::Device& device,
    const Options& options) {
  if (absl::Status s = CheckEnv(env); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  const absl::Status status = CatchExceptions([&]() -> absl::Status {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0;
    store_options.numWorkers = env.world_size;
    store_options.waitWorkers = true;
    store_options.timeout = options.timeout;
    auto tcp =
        c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    impl->store = c10::make_intrusive<c10d::PrefixStore>("sparsity", tcp);
    if (device.is_cuda()) {
      absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> nccl =
          MakeNcclBackend(impl->store, env.rank, env.world_size, env.local_rank,
                          options.timeout);
      if (!nccl.ok()) return nccl.status();
      impl->backend = *std::move(nccl);
      return absl::OkStatus();
    }
    auto gloo = c10d::ProcessGroupGloo::Options::create(options.timeout);
    gloo->devices.push_back(GlooDevice(env.master_addr));
    impl->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(
        impl->store, env.rank, env.world_size, gloo);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrFormat(
        "data-parallel rendezvous of rank %d of %d at %s:%d failed: %s",
        env.rank, env.world_size, env.master_addr, env.master_port,
        status.message()));
  }
  return std::unique_ptr<DataParallel>(
      new DataParallel(env.rank, env.world_size, options, std::move(impl)));
}

std::string DataParallel::backend_name() const {
  return impl_->backend->getBackendName();
}

absl::Status DataParallel::Broadcast(
    const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  if (tensors.empty()) return absl::OkStatus();
  std::vector<torch::Tensor> flat = {Flatten(tensors)};
  if (absl::Status s = Wait(impl_->backend->broadcast(flat), "broadcast");
      !s.ok()) {
    return s;
  }
  Unflatten(flat[0], tensors);
  return absl::OkStatus();
}

absl::Status DataParallel::AverageGradients(
    const std::vector<torch::Tensor>& params, float* loss) {
  const auto start = Clock::now();
  torch::NoGradGuard no_grad;
  // Buckets of gradients in parameter order, each at most bucket_bytes
  // (a larger gradient gets a bucket of its own).
  std::vector<std::vector<torch::Tensor>> buckets(1);
  int64_t bytes = 0;
  for (const torch::Tensor& p : params) {
    const torch::Tensor& g = p.grad();
    if (!g.defined()) continue;
    const int64_t size = g.numel() * g.element_size();
    if (!buckets.back().empty() && bytes + size > options_.bucket_bytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(g);
    bytes += size;
  }
  // The loss travels with the last bucket, and a check of the number of
  // gradient elements too: the ranks' buckets must match element for
  // element. The count modulo 2^24 / ranks stays an exact float when summed
  // over the ranks (the count itself would not at tens of millions).
  int64_t elements = 0;
  for (const auto& bucket : buckets) {
    for (const torch::Tensor& g : bucket) elements += g.numel();
  }
  const int64_t check =
      elements % std::max<int64_t>(1, (1 << 24) / world_size_);
  const torch::Tensor loss_tensor = torch::tensor(
      {static_cast<double>(*loss), static_cast<double>(check)},
      torch::TensorOptions()
          .dtype(torch::kFloat)
          .device(params.empty() ? torch::kCPU : params[0].device()));
  buckets.back().push_back(loss_tensor);
  std::vector<std::vector<torch::Tensor>> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (const auto& bucket : buckets) {
    flats.push_back({Flatten(bucket)});
    works.push_back(impl_->backend->allreduce(flats.back()));
  }
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (absl::Status s = Wait(works[b], "gradient all-reduce"); !s.ok()) {
      return s;
    }
    Unflatten(flats[b][0].div_(world_size_), buckets[b]);
  }
  const torch::Tensor reduced = loss_tensor.cpu();
  *loss = reduced[0].item<float>();
  if (reduced[1].item<float>() != static_cast<float>(check)) {
    return absl::InternalError(absl::StrCat(
        "data-parallel ranks have different gradients: ", elements,
        " elements here, another count elsewhere (a parameter without a "
        "gradient on some rank?)"));
  }
  allreduce_seconds_ +=
      std::chrono::duration<double>(Clock::now() - start).count();
  return absl::OkStatus();
}

absl::Status DataParallel::AllReduce(torch::Tensor tensor, bool max) {
  c10d::AllreduceOptions options;
  options.reduceOp = max ? c10d::ReduceOp::MAX : c10d::ReduceOp::SUM;
  // NCCL reduces only CUDA tensors: a host tensor makes the round trip.
  const bool via_gpu = backend_name() != "gloo" && !tensor.is_cuda();
  std::vector<torch::Tensor> one = {via_gpu ? tensor.cuda() : tensor};
  if (absl::Status s =
          Wait(impl_->backend->allreduce(one, options), "all-reduce");
      !s.ok()) {
    return s;
  }
  if (via_gpu) tensor.copy_(one[0].cpu());
  return absl::OkStatus();
}

absl::Status DataParallel::SumInPlace(torch::Tensor tensor) {
  return AllReduce(std::move(tensor), /*max=*/false);
}

absl::Status DataParallel::MaxInPlace(torch::Tensor tensor) {
  return AllReduce(std::move(tensor), /*max=*/true);
}

absl::Status DataParallel::Agree(int64_t value, const std::string& what) {
  torch::Tensor both = torch::tensor({value, -value}, torch::kInt64);
  if (absl::Status s = MaxInPlace(both); !s.ok()) return s;
  const int64_t high = both[0].item<int64_t>(), low = -both[1].item<int64_t>();
  if (high == low) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the ranks disagree on ", what, " (", low, " to ", high,
                   "): do all ranks see the same output folder and flags?"));
}

absl::Status DataParallel::CheckReplicas(
    const std::vector<torch::Tensor>& params, int64_t step) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> mine, theirs;
  for (const torch::Tensor& p : params) {
    mine.push_back(p.detach().reshape({-1}));
    theirs.push_back(p.detach().clone());
  }
  if (absl::Status s = Broadcast(theirs); !s.ok()) return s;
  torch::Tensor diff = torch::zeros(
      {1}, params.empty() ? torch::TensorOptions() : params[0].options());
  for (size_t i = 0; i < params.size(); ++i) {
    diff = torch::maximum(
        diff, (mine[i] - theirs[i].reshape({-1})).abs().max().reshape({1}));
  }
  if (absl::Status s = MaxInPlace(diff); !s.ok()) return s;
  const double largest = diff.item<double>();
  if (largest == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrFormat(
      "data-parallel replicas diverged: after step %d a rank's parameters "
      "differ from rank 0's by up to %.3g",
      step, largest));
}

absl::Status DataParallel::Barrier() {
  // Ranks wait here while rank 0 works alone (probes, records), which may
  // take long; a rank that dies meanwhile still fails the barrier at once.
  c10d::BarrierOptions options;
  options.timeout = std::chrono::hours(24);
  return Wait(impl_->backend->barrier(options), "barrier");
}

absl::Status CheckBatchSplits(int64_t batch_size, int ranks) {
  if (ranks <= 1 || batch_size % ranks == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "data.batch_size ", batch_size, " does not split into ", ranks,
      " equal shards: choose a batch size divisible by the number of ranks"));
}

double DataParallel::TakeAllReduceSeconds() {
  const double s = allreduce_seconds_;
  allreduce_seconds_ = 0;
  return s;
}

}  // namespace sparsity
