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
                                   torch::nn::Module& model) {
  const torch::Device device = DeviceOf(model);
  try {
    torch::serialize::InputArchive archive, model_archive;
    TrainingRecord record;
    if (absl::Status s = OpenCheckpoint(path, device, &archive, &record);
        !s.ok()) {
      return s;
    }
    archive.read("model", model_archive);
    model.load(model_archive);
  } catch (const std::exception& e) {
    return CannotLoad(path, e);
  }
  return absl::OkStatus();
}

}  // namespace sparsity
