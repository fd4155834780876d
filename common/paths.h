// Where things are when a binary runs under `bazel run`, a test, or by hand.
//
//   std::string results = WorkspaceDir() + "/results";
//   std::string out = ResolveUserPath(FLAGS_out_dir);  // as the user meant it
#ifndef SPARSITY_COMMON_PATHS_H_
#define SPARSITY_COMMON_PATHS_H_

#include <string>

namespace sparsity {

// The workspace root: $BUILD_WORKSPACE_DIRECTORY under `bazel run`, else ".".
std::string WorkspaceDir();

// A path the user typed: relative paths are taken from the directory
// `bazel run` was started in ($BUILD_WORKING_DIRECTORY), not the runfiles.
std::string ResolveUserPath(const std::string& path);

}  // namespace sparsity

#endif  // SPARSITY_COMMON_PATHS_H_
