#include "train/run_info.h"

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/paths.h"
#include "google/protobuf/stubs/common.h"
#include "torch/torch.h"

namespace sparsity {
namespace {

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 256> buf;
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
  pclose(pipe);
  return std::string(absl::StripTrailingAsciiWhitespace(out));
}

std::string GitRevision() {
  const std::string dir = WorkspaceDir();
  const std::string rev =
      RunCommand("git -C '" + dir + "' rev-parse HEAD 2>/dev/null");
  if (rev.empty()) return "unknown";
  const std::string dirty =
      RunCommand("git -C '" + dir +
                 "' status --porcelain --untracked-files=no 2>/dev/null");
  return dirty.empty() ? rev : rev + "+dirty";
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

// The BLAS LibTorch calls: the BLAS_INFO of its build configuration (the
// pip LibTorch: "mkl", built into libtorch_cpu), and any BLAS library mapped
// into this process.
std::string BlasLibrary() {
  const std::string config = at::show_config();
  std::string blas = "unknown";
  const size_t at = config.find("BLAS_INFO=");
  if (at != std::string::npos) {
    const size_t end = config.find_first_of(", \n", at);
    blas =
        config.substr(at + 10, end == std::string::npos ? end : end - at - 10);
  }
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    // A CPU BLAS (OpenBLAS, reference BLAS), not CUDA's cuBLAS, which
    // libtorch_cuda loads on every machine.
    const std::string name = path.substr(path.rfind('/') + 1);
    if (name.find("blas") != std::string::npos &&
        name.find("cublas") == std::string::npos) {
      char resolved[4096];
      return absl::StrCat(blas, ", ",
                          realpath(path.c_str(), resolved) ? resolved : path);
    }
  }
  return absl::StrCat(blas, " (in LibTorch)");
}

}  // namespace

ThreadSettings ConfigureCpu(int threads) {
  int n = threads > 0 ? threads
                      : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  ThreadSettings settings;
  settings.threads = n;
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  settings.openmp_passive =
      wait != nullptr &&
      (std::string(wait) == "PASSIVE" || std::string(wait) == "passive");
  // OpenBLAS exports openblas_set_num_threads; MKL inside LibTorch does not.
  using SetThreads = void (*)(int);
  auto set_blas_threads = reinterpret_cast<SetThreads>(
      dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set_blas_threads != nullptr) {
    set_blas_threads(n);
    settings.blas_threads = n;
  }
  settings.torch_threads = n;
  torch::set_num_threads(n);
  static bool interop_set = false;  // may only be set once per process
  if (!interop_set) {
    torch::set_num_interop_threads(1);
    interop_set = true;
  }
  return settings;
}

void RecordThreadSettings(const ThreadSettings& settings, RunInfo* info) {
  info->set_threads(settings.threads);
  info->set_torch_threads(settings.torch_threads);
  info->set_blas_threads(settings.blas_threads);
  info->set_openmp_passive(settings.openmp_passive);
}

RunInfo CollectRunInfo(const std::string& experiment, const std::string& preset,
                       const std::string& command_line) {
  RunInfo info;
  info.set_experiment(experiment);
  info.set_preset(preset);
  info.set_git_revision(GitRevision());
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  info.set_machine(absl::StrCat(host, ", ", CpuModel()));
  info.set_cpu_cores(static_cast<int>(std::thread::hardware_concurrency()));
  info.set_torch_version(TORCH_VERSION);
  info.set_protobuf_version(
      google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION));
  info.set_blas(BlasLibrary());
  info.set_command_line(command_line);
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  info.set_start_time_utc(stamp);
  return info;
}

}  // namespace sparsity
