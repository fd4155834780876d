// What every binary's main() shares: the project's own --help, the full
// command line for provenance, and one error line instead of a stack trace.
//
//   int main(int argc, char** argv) {
//     const std::string command_line = QuotedCommandLine(argc, argv);
//     HandleHelp(argc, argv, "usage text ...", {"experiments/"});
//     gflags::ParseCommandLineFlags(&argc, &argv, true);
//     return RunMain("render", [&] { return Render(); });
//   }
#ifndef SPARSITY_COMMON_CLI_H_
#define SPARSITY_COMMON_CLI_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sparsity {

// Runs `body`, turning an exception into a Status: std::bad_alloc and
// LibTorch allocation failures into ResourceExhausted ("out of memory: ..."),
// any other exception into Internal with its message (one line).
absl::Status CatchExceptions(const std::function<absl::Status()>& body);

// Handles --help (HandleHelp), parses the flags and rejects stray arguments
// ("<program>: error: unexpected argument ..." and exit 1).
void ParseFlags(const std::string& program, const std::string& usage,
                const std::vector<std::string>& own_sources, int* argc,
                char*** argv);

// Runs `body` and turns its outcome into an exit code: 0 for OK; otherwise
// one line "<program>: error: <message>" on stderr and 1. Exceptions are
// caught here too (c10::Error without its backtrace, std::bad_alloc as "out
// of memory", any std::exception), so a user never sees a stack trace.
// A status that ends a program successfully with a message that is not an
// error (e.g. "this shard is done; others are still running"): RunMain
// prints its message on stdout and returns 0.
absl::Status FinishedEarly(const std::string& message);
bool IsFinishedEarly(const absl::Status& status);

int RunMain(const std::string& program,
            const std::function<absl::Status()>& body);

// The message of an exception as one line (c10::Error: without backtrace).
std::string ExceptionMessage(const std::exception& e);

// If argv holds --help, -help, -h or --helpshort: prints `usage`, then the
// flags defined in source files whose path contains one of `own_sources`
// (the project's flags, not LibTorch's or gflags' own), then a pointer to
// --helpfull, and exits 0. --helpfull: every flag of every library, exit 0.
void HandleHelp(int argc, char** argv, const std::string& usage,
                const std::vector<std::string>& own_sources);

// argv joined with spaces, each argument shell-quoted when it needs it, so
// the line can be pasted back into a shell.
std::string QuotedCommandLine(int argc, char** argv);

}  // namespace sparsity

#endif  // SPARSITY_COMMON_CLI_H_
