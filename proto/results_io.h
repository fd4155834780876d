// Reading and writing results files (binary protobuf, optionally JSON).
//
//   sparsity::Results r = ...;
//   absl::StatusOr<std::string> path =
//       sparsity::WriteResults(r, "results", "layerwise_sparsity",
//       /*json=*/true);
//   absl::StatusOr<sparsity::Results> back = sparsity::ReadResults(*path);
//
// Writes are atomic: each file is written to a temporary name in the target
// directory and renamed into place only when every file is complete, so a
// failed or interrupted write never leaves a partial result behind.
#ifndef SPARSITY_PROTO_RESULTS_IO_H_
#define SPARSITY_PROTO_RESULTS_IO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/results.pb.h"

namespace sparsity {

inline constexpr char kResultsEndMarker[] = "sparsity-results-v1";

// Writes `results` (its end marker set) to `dir`/`name`.pb and, if `json`,
// also `dir`/`name`.json. Creates `dir` if needed. Returns the .pb path.
absl::StatusOr<std::string> WriteResults(const Results& results,
                                         const std::string& dir,
                                         const std::string& name, bool json);

// Reads and validates a results file: rejects unreadable, corrupt, truncated
// (end marker missing) files and files that name no experiment.
absl::StatusOr<Results> ReadResults(const std::string& path);

// Writes several files so that either all of them appear or none does (each
// written to a temporary first; renamed only after all writes succeeded).
absl::Status WriteFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& path_and_contents);

// The workspace root: $BUILD_WORKSPACE_DIRECTORY under `bazel run`, else ".".
std::string WorkspaceDir();

// A path the user typed: relative paths are taken from the directory
// `bazel run` was started in ($BUILD_WORKING_DIRECTORY), not the runfiles.
std::string ResolveUserPath(const std::string& path);

// Makes `dir` (and parents) and checks that a file can be created in it.
absl::Status EnsureWritableDir(const std::string& dir);

}  // namespace sparsity

#endif  // SPARSITY_PROTO_RESULTS_IO_H_
