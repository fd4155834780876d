// Reading and writing results files (binary protobuf, optionally JSON).
//
//   sparsity::Results r = ...;
//   absl::StatusOr<std::string> path =
//       sparsity::WriteResults(r, "results", "layerwise_sparsity",
//                              /*json=*/true);
//   absl::StatusOr<sparsity::Results> back = sparsity::ReadResults(*path);
//
// Writes are all-or-none: every file is first written to a temporary name
// beside its destination; a commit journal of this writer
// (.sparsity-commit.TAG, TAG = WriterTag(), naming the renames and the
// deletions, e.g. a stale
// NAME.json when this write has none, relative to the folder) is then put in
// place atomically, the renames are done and the journal removed. A process
// killed after the journal landed has its commit finished by the next writer
// or reader of that folder (FinishInterruptedCommits); one killed before it
// leaves only temporaries, which the next write of the same files removes.
// Temporaries and journals carry their writer's tag, and only those of a
// writer that is gone (a process of this host no longer running) are
// finished or removed: several processes (the shards of a sweep) may write
// into one folder at once.
#ifndef SPARSITY_PROTO_RESULTS_IO_H_
#define SPARSITY_PROTO_RESULTS_IO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/paths.h"
#include "google/protobuf/message.h"
#include "proto/results.pb.h"

namespace sparsity {

inline constexpr char kResultsEndMarker[] = "sparsity-results-v1";

// Writes `results` (its end marker set) to `dir`/`name`.pb and, if `json`,
// also `dir`/`name`.json (JsonExport); without `json`, an older
// `dir`/`name`.json is removed in the same commit so it never goes stale.
// Creates `dir` if needed. Returns the .pb path.
absl::StatusOr<std::string> WriteResults(const Results& results,
                                         const std::string& dir,
                                         const std::string& name, bool json);

// Reads and validates a results file: rejects unreadable, corrupt, truncated
// (end marker missing) files and files that name no experiment.
absl::StatusOr<Results> ReadResults(const std::string& path);

// Writes binary protobuf `message` to `path` atomically (temp + rename).
absl::Status WriteProtoAtomically(const google::protobuf::Message& message,
                                  const std::string& path);
// Reads a binary protobuf written by WriteProtoAtomically.
absl::Status ReadProto(const std::string& path,
                       google::protobuf::Message* message);

// Writes several files, all in one folder, so that either all of them appear
// (and every path in `remove` is gone) or none does. See the file comment.
// "<host>-<pid>" of this process, the host name's characters other than
// [A-Za-z0-9-] as '_'.
std::string WriterTag();

absl::Status WriteFilesAtomically(
    const std::vector<std::pair<std::string, std::string>>& path_and_contents,
    const std::vector<std::string>& remove = {});

// Completes a commit that a killed process left half done in `dir`.
absl::Status FinishInterruptedCommits(const std::string& dir);

// JSON with every field, zeros and empty values included (so that pandas
// gets every column), int64 as JSON numbers, enums by name, proto field
// names. Non-finite floats become the strings "NaN", "Infinity",
// "-Infinity". Unset members of a oneof are left out.
std::string JsonExport(const google::protobuf::Message& message);

// Makes `dir` (and parents) and checks that a file can be created in it.
absl::Status EnsureWritableDir(const std::string& dir);

}  // namespace sparsity

#endif  // SPARSITY_PROTO_RESULTS_IO_H_
