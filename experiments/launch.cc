#include "experiments/launch.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace sparsity {
namespace {

std::string HowItEnded(int status) {
  if (WIFSIGNALED(status)) {
    return absl::StrCat("was killed by signal ", WTERMSIG(status));
  }
  return absl::StrCat("exited with status ", WEXITSTATUS(status));
}

// In the child: its environment, then this binary with its arguments.
[[noreturn]] void ExecChild(const ChildProcess& child) {
  for (const auto& [name, value] : child.env) {
    setenv(name.c_str(), value.c_str(), 1);
  }
  std::vector<std::string> args = child.args;
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);
  execv("/proc/self/exe", c_args.data());
  _exit(127);
}

}  // namespace

absl::StatusOr<std::optional<ChildFailure>> RunChildren(
    const std::vector<ChildProcess>& children) {
  std::vector<pid_t> pids;
  for (const ChildProcess& child : children) {
    const pid_t pid = fork();
    if (pid == 0) ExecChild(child);
    if (pid < 0) {
      for (pid_t p : pids) kill(p, SIGTERM);
      for (pid_t p : pids) waitpid(p, nullptr, 0);
      return absl::InternalError("could not start a process (fork failed)");
    }
    pids.push_back(pid);
  }
  std::optional<ChildFailure> failed;
  for (size_t left = pids.size(); left > 0; --left) {
    int status = 0;
    const pid_t pid = wait(&status);
    if (pid < 0) break;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    if (failed.has_value()) continue;
    failed =
        ChildFailure{static_cast<int>(std::find(pids.begin(), pids.end(), pid) -
                                      pids.begin()),
                     HowItEnded(status)};
    for (pid_t p : pids) {
      if (p != pid) kill(p, SIGTERM);
    }
  }
  return failed;
}

}  // namespace sparsity
