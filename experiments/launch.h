// Local process launching for the experiment runner: --workers (sweep
// shards) and --nproc (data-parallel ranks, like `torchrun --standalone`)
// start copies of this binary and stop them all when one fails.
#ifndef SPARSITY_EXPERIMENTS_LAUNCH_H_
#define SPARSITY_EXPERIMENTS_LAUNCH_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace sparsity {

// One copy of this binary (/proc/self/exe): its arguments (argv[0]
// included) and environment variables set on top of this process's.
struct ChildProcess {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
};

// Which child failed first and how ("exited with status 1", "was killed by
// signal 9").
struct ChildFailure {
  int index = 0;
  std::string how;
};

// Starts every child and waits for all of them. When one fails, the others
// are stopped (SIGTERM) at once; its failure is returned (nullopt: all
// exited 0). An error if a process cannot be started.
absl::StatusOr<std::optional<ChildFailure>> RunChildren(
    const std::vector<ChildProcess>& children);

}  // namespace sparsity

#endif  // SPARSITY_EXPERIMENTS_LAUNCH_H_
