// Shared mechanics of every experiment binary: flags, presets, overrides,
// output folder, results writing and error reporting. An experiment's main():
//
//   int main(int argc, char** argv) {
//     InitExperiment("layerwise_sparsity", "what it measures", &argc, &argv);
//     LayerwiseSparsityConfig config;
//     absl::Status s = LoadExperimentConfig("layerwise_sparsity", &config);
//     ...
//     return ExitCode("layerwise_sparsity", status);
//   }
//
// Command-line contract (all experiments):
//   --preset=smoke|default|paper   the embedded preset to start from
//   --steps=N --seed=N --d_model=N ...   override single config fields
//   --override='train { steps: 10 }'     any fields, as textproto
//   --out_dir=DIR   results go to DIR/<experiment>.pb (default: results/ in
//                   the workspace); --json also writes DIR/<experiment>.json
//   --quiet         no progress lines
#ifndef SPARSITY_EXPERIMENTS_RUNNER_H_
#define SPARSITY_EXPERIMENTS_RUNNER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gflags/gflags.h"
#include "google/protobuf/message.h"
#include "proto/results.pb.h"

DECLARE_string(preset);
DECLARE_string(out_dir);
DECLARE_bool(json);
DECLARE_bool(quiet);

namespace sparsity {

// Sets the usage text (listing the presets of `experiment` and the
// overridable fields) and parses the command line.
void InitExperiment(const std::string& experiment, const std::string& summary,
                    int* argc, char*** argv);

// Fills `config` from the preset named by --preset, then applies the
// single-field flags that were given and --override. Unknown presets, flags
// that do not apply to this config and malformed values are errors.
absl::Status LoadExperimentConfig(const std::string& experiment,
                                  google::protobuf::Message* config);

// The output folder (--out_dir, else <workspace>/results), created and
// checked writable before any work starts.
absl::StatusOr<std::string> PrepareOutputDir();

// Writes `results` atomically to DIR/<experiment>.pb (and .json with --json)
// and prints where it went.
absl::Status WriteExperimentResults(const Results& results,
                                    const std::string& out_dir,
                                    const std::string& experiment);

// 0 for OK; otherwise prints "<experiment>: error: <message>" on one line to
// stderr and returns 1.
int ExitCode(const std::string& experiment, const absl::Status& status);

}  // namespace sparsity

#endif  // SPARSITY_EXPERIMENTS_RUNNER_H_
