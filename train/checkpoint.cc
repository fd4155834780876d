#include "train/checkpoint.h"

#include <fstream>
#include <sstream>

#include "ATen/CPUGeneratorImpl.h"
#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "proto/results_io.h"

namespace sparsity {
namespace {

constexpr char kFormat[] = "sparsity-checkpoint-v1";

}  // namespace

absl::Status SaveCheckpoint(const std::string& path,
                            const torch::nn::Module& model,
                            const torch::optim::Optimizer& optimizer,
                            const TrainingRecord& record) {
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive, optimizer_archive;
    model.save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("record", c10::IValue(record.SerializeAsString()));
    {
      at::Generator gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      archive.write("cpu_rng", gen.get_state(), /*is_buffer=*/true);
    }
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.save_to(bytes);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot save checkpoint ", path,
                                            ": ", ExceptionMessage(e)));
  }
  return WriteFilesAtomically({{path, bytes.str()}});
}

namespace {

// Opens the checkpoint at `path` onto `device`, checks its format and reads
// its run record; the tensors stay in `archive`.
absl::Status OpenCheckpoint(const std::string& path, torch::Device device,
                            torch::serialize::InputArchive* archive,
                            TrainingRecord* record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no checkpoint at ", path));
  archive->load_from(in, device);
  c10::IValue format, serialized;
  archive->read("format", format);
  if (!format.isString() || format.toStringRef() != kFormat) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path, " is not a ", kFormat, " file"));
  }
  archive->read("record", serialized);
  if (!serialized.isString() ||
      !record->ParseFromString(serialized.toStringRef())) {
    return absl::DataLossError(
        absl::StrCat("checkpoint ", path,
                     " holds no valid run record; delete it to start that run "
                     "over"));
  }
  return absl::OkStatus();
}

// The device of a module's parameters (the CPU for a module without any).
torch::Device DeviceOf(const torch::nn::Module& model) {
  const auto params = model.parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params[0].device();
}

using MayBeNew = std::function<bool(const std::string&)>;

// Every parameter and buffer name under `module` (prefixed), for a child
// the checkpoint lacks altogether.
void RequireAllNew(const torch::nn::Module& module, const std::string& prefix,
                   const MayBeNew& may_be_new) {
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    TORCH_CHECK(may_be_new(prefix + item.key()), "it has no tensor ",
                prefix + item.key());
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    TORCH_CHECK(may_be_new(prefix + item.key()), "it has no tensor ",
                prefix + item.key());
  }
}

// Module::load, but a tensor the archive lacks may be new (may_be_new), and
// shapes must match. Reads a module's own tensors, then each child from its
// nested archive, as Module::save wrote them.
void LoadMatching(torch::nn::Module& module,
                  torch::serialize::InputArchive& archive,
                  const std::string& prefix, const MayBeNew& may_be_new) {
  torch::NoGradGuard no_grad;
  auto load = [&](const std::string& key, torch::Tensor& tensor,
                  bool is_buffer) {
    torch::Tensor read;
    if (!archive.try_read(key, read, is_buffer)) {
      TORCH_CHECK(may_be_new(prefix + key), "it has no tensor ", prefix + key);
      return;
    }
    TORCH_CHECK(read.sizes() == tensor.sizes(), "tensor ", prefix + key, " is ",
                read.sizes(), " there, ", tensor.sizes(), " in the model");
    tensor.copy_(read);
  };
  for (auto& item : module.named_parameters(/*recurse=*/false)) {
    load(item.key(), item.value(), /*is_buffer=*/false);
  }
  for (auto& item : module.named_buffers(/*recurse=*/false)) {
    load(item.key(), item.value(), /*is_buffer=*/true);
  }
  for (const auto& child : module.named_children()) {
    const std::string child_prefix = prefix + child.key() + ".";
    torch::serialize::InputArchive child_archive;
    if (archive.try_read(child.key(), child_archive)) {
      LoadMatching(*child.value(), child_archive, child_prefix, may_be_new);
    } else {
      RequireAllNew(*child.value(), child_prefix, may_be_new);
    }
  }
}

absl::Status CannotLoad(const std::string& path, const std::exception& e) {
  return absl::DataLossError(
      absl::StrCat("checkpoint ", path, " cannot be loaded (",
                   ExceptionMessage(e), "); delete it to start that run over"));
}

}  // namespace

absl::StatusOr<TrainingRecord> ReadCheckpointRecord(const std::string& path) {
  TrainingRecord record;
  try {
    torch::serialize::InputArchive archive;
    if (absl::Status s = OpenCheckpoint(path, torch::kCPU, &archive, &record);
        !s.ok()) {
      return s;
    }
  } catch (const std::exception& e) {
    return CannotLoad(path, e);
  }
  return record;
}

absl::Status LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                            torch::optim::Optimizer& optimizer,
                            TrainingRecord* record) {
  const torch::Device device = DeviceOf(model);
  try {
    torch::serialize::InputArchive archive;
    if (absl::Status s = OpenCheckpoint(path, device, &archive, record);
        !s.ok()) {
      return s;
    }
    torch::serialize::InputArchive model_archive, optimizer_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    model.load(model_archive);
    optimizer.load(optimizer_archive);
    torch::Tensor rng;
    archive.read("cpu_rng", rng, /*is_buffer=*/true);
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng.cpu());
  } catch (const std::exception& e) {
    return CannotLoad(path, e);
  }
  return absl::OkStatus();
}

absl::Status LoadCheckpointWeights(const std::string& path,
                                   torch::nn::Module& model,
                                   const MayBeNew& may_be_new) {
  const torch::Device device = DeviceOf(model);
  try {
    torch::serialize::InputArchive archive, model_archive;
    TrainingRecord record;
    if (absl::Status s = OpenCheckpoint(path, device, &archive, &record);
        !s.ok()) {
      return s;
    }
    archive.read("model", model_archive);
    LoadMatching(model, model_archive, "", may_be_new);
  } catch (const std::exception& e) {
    return CannotLoad(path, e);
  }
  return absl::OkStatus();
}

absl::Status LoadCheckpointWeights(const std::string& path,
                                   torch::nn::Module& model) {
  return LoadCheckpointWeights(path, model,
                               [](const std::string&) { return false; });
}

}  // namespace sparsity
