#include "train/tensorboard.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "proto/tensorboard.pb.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

constexpr char kEventFilePrefix[] = "events.out.tfevents.";

double WallTime() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LittleEndian(uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>(value >> (8 * i));
  return out;
}

}  // namespace

std::string TfRecord(std::string_view data) {
  const std::string length = LittleEndian(data.size(), 8);
  return absl::StrCat(length, LittleEndian(MaskedCrc32c(length), 4),
                      std::string(data), LittleEndian(MaskedCrc32c(data), 4));
}

absl::StatusOr<std::unique_ptr<EventFileWriter>> EventFileWriter::Open(
    const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const std::string path =
      absl::StrCat(dir, "/", kEventFilePrefix, static_cast<int64_t>(WallTime()),
                   ".", host, ".", getpid());
  std::FILE* file = std::fopen(path.c_str(), "ab");
  if (file == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot write the TensorBoard file ", path, ": ", std::strerror(errno),
        " (--tensorboard_dir=off writes none)"));
  }
  std::unique_ptr<EventFileWriter> writer(new EventFileWriter(path, file));
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_file_version("brain.Event:2");
  if (absl::Status s = writer->Write(event.SerializeAsString()); !s.ok()) {
    return s;
  }
  if (absl::Status s = writer->Flush(); !s.ok()) return s;
  return writer;
}

EventFileWriter::~EventFileWriter() { std::fclose(file_); }

absl::Status EventFileWriter::Write(const std::string& event_bytes) {
  const std::string record = TfRecord(event_bytes);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write the TensorBoard file ", path_, ": ",
                     std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status EventFileWriter::AddScalar(const std::string& tag, int64_t step,
                                        double value) {
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  tensorboard::Summary::Value& v = *event.mutable_summary()->add_value();
  v.set_tag(tag);
  v.set_simple_value(static_cast<float>(value));
  return Write(event.SerializeAsString());
}

absl::Status EventFileWriter::Flush() {
  if (std::fflush(file_) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write the TensorBoard file ", path_, ": ",
                     std::strerror(errno)));
  }
  return absl::OkStatus();
}

void RemoveEventFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (absl::StartsWith(e.path().filename().string(), kEventFilePrefix)) {
      fs::remove(e.path(), ec);
    }
  }
}

absl::Status TensorBoardLogger::LogProbe(const Probe& probe) {
  const int64_t step = probe.step();
  if (absl::Status s =
          writer_->AddScalar("probe/loss", step, probe.probe_loss());
      !s.ok()) {
    return s;
  }
  for (const LayerSparsity& layer : probe.layers()) {
    const std::string suffix = absl::StrCat("/layer_", layer.layer());
    for (const auto& [tag, value] :
         {std::pair<std::string, double>{"probe/density" + suffix,
                                         layer.token_density_mean()},
          {"probe/dead_units" + suffix,
           static_cast<double>(layer.dead_units())}}) {
      if (absl::Status s = writer_->AddScalar(tag, step, value); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status TensorBoardLogger::AfterLogged(int64_t step,
                                            const TrainingRecord& record) {
  if (record.loss_size() == 0) return absl::OkStatus();
  const LossPoint& point = *record.loss().rbegin();
  const double tokens_per_second =
      point.seconds() > 0 ? tokens_per_step_ / point.seconds() : 0;
  for (const auto& [tag, value] :
       {std::pair<const char*, double>{"train/loss", point.loss()},
        {"train/lr", point.lr()},
        {"train/grad_norm", point.grad_norm()},
        {"train/tokens_per_second", tokens_per_second}}) {
    if (absl::Status s = writer_->AddScalar(tag, point.step(), value);
        !s.ok()) {
      return s;
    }
  }
  for (; logged_probes_ < record.probes_size(); ++logged_probes_) {
    if (absl::Status s = LogProbe(record.probes(logged_probes_)); !s.ok()) {
      return s;
    }
  }
  return writer_->Flush();
}

}  // namespace sparsity
