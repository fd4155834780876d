#include "common/cli.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "c10/util/Exception.h"
#include "gflags/gflags.h"
#include "google/protobuf/stubs/logging.h"

namespace sparsity {
namespace {

std::string FirstLine(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

std::string ExceptionMessage(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    return FirstLine(c10->what_without_backtrace());
  }
  return FirstLine(e.what());
}

absl::Status CatchExceptions(const std::function<absl::Status()>& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        "out of memory: the run needs more memory than this machine has; "
        "choose a smaller model, batch or probe");
  } catch (const c10::Error& e) {
    const std::string message = ExceptionMessage(e);
    return message.find("allocate") != std::string::npos
               ? absl::ResourceExhaustedError(
                     absl::StrCat("out of memory: ", message))
               : absl::InternalError(message);
  } catch (const std::exception& e) {
    return absl::InternalError(ExceptionMessage(e));
  } catch (...) {
    return absl::InternalError("unknown exception");
  }
}

void ParseFlags(const std::string& program, const std::string& usage,
                const std::vector<std::string>& own_sources, int* argc,
                char*** argv) {
  HandleHelp(*argc, *argv, usage, own_sources);
  // Protobuf logs some parse failures itself (e.g. invalid UTF-8 in a
  // string field) before the caller's error: every bad input gets one line,
  // the project's, so its log is off.
  google::protobuf::SetLogHandler(nullptr);
  gflags::SetUsageMessage(usage);
  gflags::ParseCommandLineFlags(argc, argv, /*remove_flags=*/true);
  if (*argc > 1) {
    std::fprintf(stderr, "%s: error: unexpected argument '%s' (see --help)\n",
                 program.c_str(), (*argv)[1]);
    std::exit(1);
  }
}

namespace {
constexpr char kFinishedEarly[] = "type.sparsity/finished-early";
}  // namespace

absl::Status FinishedEarly(const std::string& message) {
  absl::Status status = absl::CancelledError(message);
  status.SetPayload(kFinishedEarly, absl::Cord("1"));
  return status;
}

bool IsFinishedEarly(const absl::Status& status) {
  return status.GetPayload(kFinishedEarly).has_value();
}

int RunMain(const std::string& program,
            const std::function<absl::Status()>& body) {
  const absl::Status status = CatchExceptions(body);
  if (status.ok()) return 0;
  if (IsFinishedEarly(status)) {
    std::printf("%s: %s\n", program.c_str(),
                std::string(status.message()).c_str());
    return 0;
  }
  std::fprintf(stderr, "%s: error: %s\n", program.c_str(),
               FirstLine(std::string(status.message())).c_str());
  return 1;
}

void HandleHelp(int argc, char** argv, const std::string& usage,
                const std::vector<std::string>& own_sources) {
  bool help = false, full = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    help |= a == "--help" || a == "-help" || a == "-h" || a == "--helpshort" ||
            a == "-helpshort";
    full |= a == "--helpfull" || a == "-helpfull";
  }
  if (!help && !full) return;
  std::printf("%s\n", usage.c_str());
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);
  std::map<std::string, std::vector<const gflags::CommandLineFlagInfo*>>
      by_file;
  for (const auto& f : flags) {
    for (const std::string& src : own_sources) {
      if (full || f.filename.find(src) != std::string::npos) {
        by_file[f.filename].push_back(&f);
        break;
      }
    }
  }
  for (const auto& [file, list] : by_file) {
    std::printf("\nFlags from %s:\n", file.c_str());
    for (const auto* f : list) {
      std::printf("  --%s (%s)%s\n", f->name.c_str(), f->description.c_str(),
                  f->default_value.empty()
                      ? ""
                      : absl::StrCat(" default: ", f->default_value).c_str());
    }
  }
  if (!full) {
    std::printf(
        "\nLibrary flags (gflags, LibTorch, ...): --helpfull lists them "
        "all.\n");
  }
  std::exit(0);
}

std::string QuotedCommandLine(int argc, char** argv) {
  std::vector<std::string> parts;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain =
        !a.empty() && a.find_first_not_of(
                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789-_=./,:+@%") == std::string::npos;
    if (plain) {
      parts.push_back(a);
    } else {
      std::string q = "'";
      for (char c : a) {
        if (c == '\'') {
          q += "'\\''";
        } else {
          q += c;
        }
      }
      parts.push_back(q + "'");
    }
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace sparsity
