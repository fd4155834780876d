#include "proto/results_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace sparsity {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Writes to a unique temporary file beside `path`; returns its name.
absl::StatusOr<std::string> WriteTemp(const std::string& path,
                                      const std::string& contents) {
  std::string tmpl = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create a file beside ", path, ": ", ErrnoText()));
  }
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = ErrnoText();
      close(fd);
      unlink(tmpl.c_str());
      return absl::InternalError(absl::StrCat("writing ", path, ": ", why));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    std::string why = ErrnoText();
    unlink(tmpl.c_str());
    return absl::InternalError(absl::StrCat("writing ", path, ": ", why));
  }
  chmod(tmpl.c_str(), 0644);
  return tmpl;
}

absl::Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return absl::OkStatus();
  std::string partial;
  std::stringstream ss(dir);
  std::string part;
  if (dir[0] == '/') partial = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create directory ", partial, ": ", ErrnoText()));
    }
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("output path ", dir, " is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string WorkspaceDir() {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return ws != nullptr ? ws : ".";
}

std::string ResolveUserPath(const std::string& path) {
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || wd == nullptr) return path;
  return absl::StrCat(wd, "/", path);
}

absl::Status EnsureWritableDir(const std::string& dir) {
  if (absl::Status s = MakeDirs(dir); !s.ok()) return s;
  if (access(dir.c_str(), W_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "output directory ", dir, " is not writable: ", ErrnoText()));
  }
  return absl::OkStatus();
}

absl::Status WriteFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& path_and_contents) {
  std::vector<std::string> temps;
  auto cleanup = [&temps]() {
    for (const std::string& t : temps) unlink(t.c_str());
  };
  for (const auto& [path, contents] : path_and_contents) {
    absl::StatusOr<std::string> tmp = WriteTemp(path, contents);
    if (!tmp.ok()) {
      cleanup();
      return tmp.status();
    }
    temps.push_back(*tmp);
  }
  for (size_t i = 0; i < temps.size(); ++i) {
    const std::string& dest = path_and_contents[i].first;
    if (std::rename(temps[i].c_str(), dest.c_str()) != 0) {
      std::string why = ErrnoText();
      for (size_t j = i; j < temps.size(); ++j) unlink(temps[j].c_str());
      return absl::InternalError(
          absl::StrCat("cannot rename into ", dest, ": ", why));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> WriteResults(const Results& results,
                                         const std::string& dir,
                                         const std::string& name, bool json) {
  if (absl::Status s = EnsureWritableDir(dir); !s.ok()) return s;
  Results complete = results;
  complete.set_end_marker(kResultsEndMarker);
  std::string wire;
  if (!complete.SerializeToString(&wire)) {
    return absl::InternalError("cannot serialise results");
  }
  const std::string pb_path = absl::StrCat(dir, "/", name, ".pb");
  std::vector<std::pair<std::string, std::string>> files = {{pb_path, wire}};
  if (json) {
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    auto st =
        google::protobuf::util::MessageToJsonString(complete, &text, options);
    if (!st.ok()) {
      return absl::InternalError(
          absl::StrCat("cannot convert results to JSON: ", st.ToString()));
    }
    files.emplace_back(absl::StrCat(dir, "/", name, ".json"), text);
  }
  if (absl::Status s = WriteFilesAtomically(files); !s.ok()) return s;
  return pb_path;
}

absl::StatusOr<Results> ReadResults(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open results file ", path, ": ", ErrnoText()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  Results results;
  if (!results.ParseFromString(buffer.str())) {
    return absl::DataLossError(absl::StrCat(
        "results file ", path, " is corrupt (not a Results protobuf)"));
  }
  if (results.end_marker() != kResultsEndMarker) {
    return absl::DataLossError(absl::StrCat(
        "results file ", path, " is truncated or incomplete (no end marker)"));
  }
  if (results.experiment_case() == Results::EXPERIMENT_NOT_SET) {
    return absl::DataLossError(
        absl::StrCat("results file ", path, " names no experiment"));
  }
  return results;
}

}  // namespace sparsity
