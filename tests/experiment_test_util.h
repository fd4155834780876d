// Helpers for the end-to-end tests of experiment binaries: the test's
// environment and temporary folder, reading files and results, and killing
// a running experiment with SIGKILL once a file appears (kill-and-resume).
#ifndef SPARSITY_TESTS_EXPERIMENT_TEST_UTIL_H_
#define SPARSITY_TESTS_EXPERIMENT_TEST_UTIL_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "proto/results_io.h"

namespace sparsity {

// The value of environment variable `name` (a test failure if unset).
inline std::string Env(const char* name) {
  const char* v = std::getenv(name);
  EXPECT_NE(v, nullptr) << name;
  return v ? v : "";
}

// A path in the test's temporary folder.
inline std::string Tmp(const std::string& leaf) {
  return Env("TEST_TMPDIR") + "/" + leaf;
}

// The Brown corpus folder (the test's BROWN_CA01 is one of its files).
inline std::string Corpus() {
  return std::filesystem::path(Env("BROWN_CA01")).parent_path().string();
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The results file at `path` (a test failure if it cannot be read).
inline Results Read(const std::string& path) {
  absl::StatusOr<Results> r = ReadResults(path);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Results();
}

// The smoke preset of the test's EXPERIMENT writing to `out_dir`, quiet, on
// the test's corpus, with `extra` flags.
inline std::string SmokeCommand(const std::string& out_dir,
                                const std::string& extra) {
  return Env("EXPERIMENT") + " --preset=smoke --quiet --out_dir=" + out_dir +
         " --corpus_dir=" + Corpus() + " " + extra;
}

// `r` without what may differ between two runs of the same config:
// provenance (command line, start time, wall time) and timings.
inline Results WithoutTimings(Results r) {
  r.clear_run();
  google::protobuf::RepeatedPtrField<TrainingRecord>* runs = nullptr;
  switch (r.experiment_case()) {
    case Results::kLayerwiseSparsity:
      runs = r.mutable_layerwise_sparsity()->mutable_runs();
      break;
    case Results::kNeuronDeath:
      runs = r.mutable_neuron_death()->mutable_runs();
      break;
    case Results::kNormGrowth:
      runs = r.mutable_norm_growth()->mutable_runs();
      break;
    case Results::kTopkThresholding:
      runs = r.mutable_topk_thresholding()->mutable_runs();
      break;
    case Results::kGradientSparsity:
      runs = r.mutable_gradient_sparsity()->mutable_runs();
      break;
    default:
      ADD_FAILURE() << "WithoutTimings: no runs in this experiment";
      return r;
  }
  for (TrainingRecord& run : *runs) {
    run.clear_timings();
    for (LossPoint& p : *run.mutable_loss()) p.clear_seconds();
  }
  return r;
}

// Renders the results files in results_dir into out_dir with $RENDER
// (`flags` added, stdout dropped; an error line stays in the test log);
// std::system's status.
inline int RenderReports(const std::string& results_dir,
                         const std::string& out_dir,
                         const std::string& flags = "") {
  return std::system((Env("RENDER") + " " + flags + " --results_dir=" +
                      results_dir + " --out_dir=" + out_dir + " > /dev/null")
                         .c_str());
}

// A named way of damaging a good results file.
using Damage = std::pair<std::string, std::function<void(Results*)>>;

// Each damaged copy of `good` (written as `experiment`.pb in a folder of its
// own) is refused by the renderer ($RENDER) before anything is drawn.
inline void ExpectRendererRefuses(const Results& good,
                                  const std::string& experiment,
                                  const std::vector<Damage>& damage) {
  for (size_t i = 0; i < damage.size(); ++i) {
    const std::string& what = damage[i].first;
    Results damaged = good;
    damage[i].second(&damaged);
    const std::string dir = Tmp("damaged_" + std::to_string(i));
    ASSERT_TRUE(WriteResults(damaged, dir, experiment, false).ok()) << what;
    EXPECT_NE(RenderReports(dir, dir + "/reports", "--skip_png"), 0) << what;
  }
}

// Runs the shell command `command` in the background and kills it with
// SIGKILL as soon as `file` exists (waiting at most 3 minutes). Returns
// whether it was killed that way: false if the file never appeared or the
// command ended first.
inline bool KillWhenFileAppears(const std::string& command,
                                const std::string& file) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
    _exit(127);
  }
  if (pid < 0) return false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (!std::filesystem::exists(file) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const bool appeared = std::filesystem::exists(file);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(appeared) << "no " << file << " appeared";
  EXPECT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";
  return appeared && WIFSIGNALED(status);
}

}  // namespace sparsity

#endif  // SPARSITY_TESTS_EXPERIMENT_TEST_UTIL_H_
