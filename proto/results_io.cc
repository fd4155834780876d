#include "proto/results_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace sparsity {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Writes to a unique temporary file beside `path`; returns its name.
// Who writes: "<host>-<pid>", the host name with every character but
// [A-Za-z0-9-] as '_' (so a tag holds no '.'). Temporary files and commit
// journals carry it, so that a process cleaning up after a killed writer
// leaves alone the files of a writer that is still running (shards of one
// sweep write into one folder at once).
std::string ThisWriterTag() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::string tag = host;
  for (char& c : tag) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  return absl::StrCat(tag, "-", getpid());
}

// Whether the writer `tag` is gone: a process of this host that no longer
// runs, this process itself, or a name from before tags (legacy). A writer
// on another host is never taken for gone.
bool WriterGone(const std::string& tag) {
  const size_t dash = tag.rfind('-');
  int pid = 0;
  if (dash == std::string::npos ||
      !absl::SimpleAtoi(tag.substr(dash + 1), &pid) || pid <= 0) {
    return true;  // legacy: mkstemp's random suffix alone
  }
  const std::string mine = ThisWriterTag();
  if (tag.substr(0, dash) != mine.substr(0, mine.rfind('-'))) return false;
  if (pid == getpid()) return true;
  return kill(pid, 0) != 0 && errno == ESRCH;
}

// The writer tag in the name `rest` (what follows ".tmp." or the journal
// prefix): up to the next '.'.
std::string TagOf(const std::string& rest) {
  return rest.substr(0, rest.find('.'));
}

absl::StatusOr<std::string> WriteTemp(const std::string& path,
                                      const std::string& contents) {
  std::string tmpl = absl::StrCat(path, ".tmp.", ThisWriterTag(), ".XXXXXX");
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

constexpr char kJournal[] = ".sparsity-commit";

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The bytes of the file at `path`; `what` names it in the error.
absl::StatusOr<std::string> ReadFileBytes(const std::string& path,
                                          const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", what, path, ": ", ErrnoText()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Removes temporaries an earlier, killed write of `path` left behind (not
// those of a writer still running).
void RemoveStaleTemps(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string prefix = fs::path(path).filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(DirOf(path), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 &&
        WriterGone(TagOf(name.substr(prefix.size())))) {
      fs::remove(e.path(), ec);
    }
  }
}

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<int>(c));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendJsonDouble(double v, int digits, std::string* out) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    absl::StrAppendFormat(out, "%.*g", digits, v);
  }
}

void AppendJson(const google::protobuf::Message& m, int indent,
                std::string* out);

void AppendJsonValue(const google::protobuf::Message& m,
                     const google::protobuf::FieldDescriptor* f, int index,
                     int indent, std::string* out) {
  using FD = google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      break;
    case FD::CPPTYPE_INT64:
      absl::StrAppend(
          out, rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
      break;
    case FD::CPPTYPE_UINT32:
      absl::StrAppend(
          out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      break;
    case FD::CPPTYPE_UINT64:
      absl::StrAppend(
          out, rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
      break;
    case FD::CPPTYPE_FLOAT:
      AppendJsonDouble(
          rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), 9, out);
      break;
    case FD::CPPTYPE_DOUBLE:
      AppendJsonDouble(
          rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), 17,
          out);
      break;
    case FD::CPPTYPE_BOOL:
      *out += (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                  ? "true"
                  : "false";
      break;
    case FD::CPPTYPE_ENUM:
      AppendJsonString(
          (rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name(),
          out);
      break;
    case FD::CPPTYPE_STRING:
      AppendJsonString(
          rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f), out);
      break;
    case FD::CPPTYPE_MESSAGE:
      AppendJson(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f),
                 indent, out);
      break;
  }
}

void AppendJson(const google::protobuf::Message& m, int indent,
                std::string* out) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  const std::string pad(indent + 2, ' ');
  *out += "{";
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    // Of a real oneof, only the member that is set.
    if (f->real_containing_oneof() != nullptr && !r->HasField(m, f)) continue;
    absl::StrAppend(out, first ? "\n" : ",\n", pad, "\"", f->name(), "\": ");
    first = false;
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      *out += "[";
      for (int j = 0; j < n; ++j) {
        if (j > 0) *out += ", ";
        AppendJsonValue(m, f, j, indent + 2, out);
      }
      *out += "]";
    } else {
      AppendJsonValue(m, f, -1, indent + 2, out);
    }
  }
  if (!first) absl::StrAppend(out, "\n", std::string(indent, ' '));
  *out += "}";
}

}  // namespace

std::string JsonExport(const google::protobuf::Message& message) {
  std::string out;
  AppendJson(message, 0, &out);
  out += "\n";
  return out;
}

absl::Status EnsureWritableDir(const std::string& dir) {
  if (absl::Status s = MakeDirs(dir); !s.ok()) return s;
  if (access(dir.c_str(), W_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "output directory ", dir, " is not writable: ", ErrnoText()));
  }
  return absl::OkStatus();
}

namespace {

// Carries out one journal (names relative to `dir`), then removes it.
absl::Status CarryOut(const std::string& dir, const std::string& journal) {
  std::ifstream in(journal);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() == 3 && f[0] == "rename") {
      const std::string tmp = absl::StrCat(dir, "/", f[1]);
      const std::string dest = absl::StrCat(dir, "/", f[2]);
      if (access(tmp.c_str(), F_OK) == 0) {
        if (std::rename(tmp.c_str(), dest.c_str()) != 0) {
          return absl::InternalError(
              absl::StrCat("cannot finish an interrupted write into ", dest,
                           ": ", ErrnoText()));
        }
      } else if (access(dest.c_str(), F_OK) != 0) {
        unlink(journal.c_str());
        return absl::DataLossError(
            absl::StrCat("an interrupted write of ", dest,
                         " cannot be finished: its temporary file is gone"));
      }
    } else if (f.size() == 2 && f[0] == "remove") {
      unlink(absl::StrCat(dir, "/", f[1]).c_str());
    }
  }
  unlink(journal.c_str());
  return absl::OkStatus();
}

}  // namespace

absl::Status FinishInterruptedCommits(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string prefix = absl::StrCat(kJournal, ".");
  std::error_code ec;
  std::vector<std::string> journals;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // Only a writer that is gone: another may be committing right now.
    if (!WriterGone(TagOf(name.substr(prefix.size())))) continue;
    if (name.find(".tmp.") != std::string::npos) {
      fs::remove(e.path(), ec);  // a journal a killed writer never committed
    } else {
      journals.push_back(e.path().string());
    }
  }
  std::sort(journals.begin(), journals.end());
  for (const std::string& journal : journals) {
    if (absl::Status s = CarryOut(dir, journal); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string WriterTag() { return ThisWriterTag(); }

absl::Status WriteFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& path_and_contents,
    const std::vector<std::string>& remove) {
  if (path_and_contents.empty() && remove.empty()) return absl::OkStatus();
  const std::string dir =
      DirOf(path_and_contents.empty() ? remove[0] : path_and_contents[0].first);
  for (const auto& [path, contents] : path_and_contents) {
    if (DirOf(path) != dir) {
      return absl::InvalidArgumentError(absl::StrCat(
          "one atomic write spans two folders: ", dir, " and ", DirOf(path)));
    }
  }
  if (absl::Status s = FinishInterruptedCommits(dir); !s.ok()) return s;
  std::vector<std::string> temps;
  auto cleanup = [&temps]() {
    for (const std::string& t : temps) unlink(t.c_str());
  };
  std::string journal_text;
  for (const auto& [path, contents] : path_and_contents) {
    RemoveStaleTemps(path);
    absl::StatusOr<std::string> tmp = WriteTemp(path, contents);
    if (!tmp.ok()) {
      cleanup();
      return tmp.status();
    }
    temps.push_back(*tmp);
    absl::StrAppend(&journal_text, "rename\t", BaseName(*tmp), "\t",
                    BaseName(path), "\n");
  }
  for (const std::string& path : remove) {
    absl::StrAppend(&journal_text, "remove\t", BaseName(path), "\n");
  }
  // The commit point: once the journal is in place, the write will complete
  // (here, or in FinishInterruptedCommits after a kill).
  // One journal per writer: two processes writing into one folder do not
  // overwrite each other's.
  const std::string journal =
      absl::StrCat(dir, "/", kJournal, ".", WriterTag());
  absl::StatusOr<std::string> journal_tmp = WriteTemp(journal, journal_text);
  if (!journal_tmp.ok() ||
      std::rename(journal_tmp->c_str(), journal.c_str()) != 0) {
    if (journal_tmp.ok()) unlink(journal_tmp->c_str());
    cleanup();
    return absl::InternalError(
        absl::StrCat("cannot write the commit journal in ", dir));
  }
  return CarryOut(dir, journal);
}

absl::Status WriteProtoAtomically(const google::protobuf::Message& message,
                                  const std::string& path) {
  std::string wire;
  if (!message.SerializeToString(&wire)) {
    return absl::InternalError(absl::StrCat("cannot serialise ", path));
  }
  return WriteFilesAtomically({{path, wire}});
}

absl::Status ReadProto(const std::string& path,
                       google::protobuf::Message* message) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path, "");
  if (!bytes.ok()) return bytes.status();
  if (!message->ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat(path, " is corrupt"));
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
  const std::string json_path = absl::StrCat(dir, "/", name, ".json");
  std::vector<std::pair<std::string, std::string>> files = {{pb_path, wire}};
  std::vector<std::string> remove;
  if (json) {
    files.emplace_back(json_path, JsonExport(complete));
  } else {
    remove.push_back(json_path);
  }
  if (absl::Status s = WriteFilesAtomically(files, remove); !s.ok()) return s;
  return pb_path;
}

absl::StatusOr<Results> ReadResults(const std::string& path) {
  if (absl::Status s = FinishInterruptedCommits(DirOf(path)); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> bytes = ReadFileBytes(path, "results file ");
  if (!bytes.ok()) return bytes.status();
  Results results;
  if (!results.ParseFromString(*bytes)) {
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
