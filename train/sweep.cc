#include "train/sweep.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/types/optional.h"
#include "common/cli.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/results_io.h"
#include "train/config_validation.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

std::string FileStem(const std::string& run_name) {
  return absl::StrReplaceAll(run_name, {{"/", "__"}});
}

}  // namespace

std::string RunCheckpointPath(const std::string& work_dir,
                              const std::string& run_name) {
  return absl::StrCat(work_dir, "/", FileStem(run_name), ".ckpt");
}

absl::StatusOr<std::vector<SweepRun>> ExpandSweep(const RunConfig& base,
                                                  const SweepConfig& sweep) {
  std::vector<Variant> variants(sweep.variants().begin(),
                                sweep.variants().end());
  if (variants.empty()) {
    Variant v;
    v.set_name("base");
    v.set_description("the base config");
    v.set_role("reference");
    variants.push_back(v);
  }
  std::vector<Seeds> seeds(sweep.seeds().begin(), sweep.seeds().end());
  if (seeds.empty()) {
    Seeds s;
    s.set_init(base.init_seed());
    s.set_data(base.data_seed());
    seeds.push_back(s);
  }
  std::set<std::string> names;
  std::map<std::string, RunConfig> patches;  // resolved through `extends`
  std::vector<SweepRun> runs;
  for (const Variant& v : variants) {
    if (!ValidName(v.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "variant name '", v.name(), "' must be non-empty [A-Za-z0-9_.-]"));
    }
    if (!names.insert(v.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("variant '", v.name(), "' is listed twice"));
    }
    RunConfig& patch = patches[v.name()];
    if (!v.extends().empty()) {
      const auto parent = patches.find(v.extends());
      if (parent == patches.end() || v.extends() == v.name()) {
        return absl::InvalidArgumentError(
            absl::StrCat("variant ", v.name(), " extends '", v.extends(),
                         "', which is not an earlier variant of the sweep"));
      }
      patch = parent->second;
    }
    patch.MergeFrom(v.patch());
    const std::vector<Seeds> own(v.seeds().begin(), v.seeds().end());
    for (const Seeds& s : own.empty() ? seeds : own) {
      SweepRun run;
      run.variant = v.name();
      run.description = v.description();
      run.role = v.role();
      run.config = base;
      run.config.MergeFrom(patch);
      if (s.has_init()) run.config.set_init_seed(s.init());
      if (s.has_data()) run.config.set_data_seed(s.data());
      const std::string seed_suffix = absl::StrCat(
          "/i", run.config.init_seed(), "-d", run.config.data_seed());
      run.name = absl::StrCat(v.name(), seed_suffix);
      // A variant name alone means that variant's run with these seeds.
      if (!run.config.init_from().empty() &&
          run.config.init_from().find('/') == std::string::npos) {
        run.config.set_init_from(
            absl::StrCat(run.config.init_from(), seed_suffix));
      }
      if (absl::Status st = ValidateRunConfig(run.config); !st.ok()) {
        return absl::Status(st.code(), variants.size() > 1 || v.name() != "base"
                                           ? absl::StrCat("variant ", v.name(),
                                                          ": ", st.message())
                                           : std::string(st.message()));
      }
      runs.push_back(std::move(run));
    }
  }
  std::set<std::string> run_names;
  for (const SweepRun& r : runs) {
    const std::string& from = r.config.init_from();
    if (!from.empty() && run_names.count(from) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("run ", r.name, ": init_from '", from,
                       "' is not an earlier run of this sweep (runs are named "
                       "<variant>/i<init>-d<data>)"));
    }
    if (!run_names.insert(r.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("run ", r.name, " appears twice (repeated seeds?)"));
    }
  }
  return runs;
}

std::vector<int> ShardOfRuns(const std::vector<SweepRun>& runs, int shards) {
  std::vector<int> shard(runs.size(), 0);
  std::map<std::string, int> by_name;
  int next = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string& from = runs[i].config.init_from();
    auto source = by_name.find(from);
    shard[i] = !from.empty() && source != by_name.end()
                   ? source->second
                   : next++ % std::max(shards, 1);
    by_name[runs[i].name] = shard[i];
  }
  return shard;
}

namespace {

// Whether this process writes: always, but for ranks other than 0 of a
// data-parallel group.
bool Lead(const SweepOptions& options) {
  return options.dp == nullptr || options.dp->lead();
}

// Whether run `i` (record at `path`) is finished already. Data-parallel:
// after rank 0 has written what it wrote so far (the last run's record and
// checkpoints), with every rank taking the same decision.
absl::StatusOr<bool> FinishedEarlier(const SweepOptions& options, int i,
                                     const std::string& path) {
  if (options.dp != nullptr) {
    if (absl::Status s = options.dp->Barrier(); !s.ok()) return s;
  }
  const bool finished = options.resume && fs::exists(path);
  if (options.dp == nullptr) return finished;
  if (absl::Status s = options.dp->Agree(
          i * 2 + (finished ? 1 : 0),
          "which run comes next and whether it is finished (does every rank "
          "see the same output folder?)");
      !s.ok()) {
    return s;
  }
  return finished;
}

std::string RecordPath(const SweepOptions& options, const SweepRun& run) {
  return absl::StrCat(options.work_dir, "/", FileStem(run.name), ".record.pb");
}

// Without resume: removes the records and checkpoints of this process's
// runs (all of the folder's when unsharded).
void StartOver(const std::vector<SweepRun>& runs, const std::vector<int>& mine,
               const SweepOptions& options) {
  int removed = 0;
  std::error_code ec;
  if (options.shards <= 1) {
    for (const auto& e : fs::directory_iterator(options.work_dir, ec)) {
      const std::string n = e.path().filename().string();
      if (absl::EndsWith(n, ".record.pb") || absl::EndsWith(n, ".ckpt")) {
        removed += fs::remove(e.path(), ec) ? 1 : 0;
      }
    }
  } else {
    for (size_t i = 0; i < runs.size(); ++i) {
      if (!mine[i]) continue;
      removed += fs::remove(RecordPath(options, runs[i]), ec) ? 1 : 0;
      removed +=
          fs::remove(RunCheckpointPath(options.work_dir, runs[i].name), ec) ? 1
                                                                            : 0;
    }
  }
  if (removed > 0 && !options.quiet) {
    std::printf(
        "sweep: starting over: removed %d record/checkpoint file(s) of an "
        "earlier sweep from %s (--resume continues one instead)\n",
        removed, options.work_dir.c_str());
  }
}

// A finished run's record, checked against the run's config.
absl::StatusOr<TrainingRecord> ReadRecord(const std::string& path,
                                          const SweepRun& run) {
  TrainingRecord done;
  if (absl::Status s = ReadProto(path, &done); !s.ok()) return s;
  if (!SameResultsConfig(done.config(), run.config)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " was made with a different config than ", run.name,
                     "; run without --resume to start over"));
  }
  return done;
}

// Trains one run of the sweep and writes its record.
absl::StatusOr<TrainingRecord> TrainAndRecord(const SweepRun& run,
                                              const std::vector<RunHook>& hooks,
                                              const SweepOptions& options,
                                              const std::string& label) {
  RunOptions run_options;
  run_options.checkpoint_path = RunCheckpointPath(options.work_dir, run.name);
  run_options.resume = options.resume;
  if (!run.config.init_from().empty()) {
    run_options.init_checkpoint_path =
        RunCheckpointPath(options.work_dir, run.config.init_from());
  }
  run_options.quiet = options.quiet;
  run_options.progress_prefix = absl::StrCat("[", label, "] ");
  run_options.dp = options.dp;
  if (!options.tensorboard_dir.empty()) {
    run_options.tensorboard_dir =
        absl::StrCat(options.tensorboard_dir, "/", FileStem(run.name));
  }
  absl::StatusOr<TrainingRecord> record;
  const absl::Status status = CatchExceptions([&] {
    record = TrainOne(run, hooks, run_options);
    return record.status();
  });
  if (!status.ok()) {
    // Nothing half-made stays behind: a work folder that holds nothing
    // (the run failed before its first checkpoint) is removed. Complete
    // checkpoints and records stay for --resume.
    // Not when sharded: another shard may be about to write into it.
    // A run that failed before its first checkpoint keeps no event files.
    std::error_code ec;
    if (Lead(options) && !run_options.tensorboard_dir.empty() &&
        !fs::exists(run_options.checkpoint_path, ec)) {
      fs::remove_all(run_options.tensorboard_dir, ec);
      if (fs::is_empty(options.tensorboard_dir, ec)) {
        fs::remove(options.tensorboard_dir, ec);
      }
    }
    if (options.shards <= 1 && Lead(options) &&
        fs::is_empty(options.work_dir, ec)) {
      fs::remove(options.work_dir, ec);
    }
    return absl::Status(status.code(),
                        absl::StrCat(run.name, ": ", status.message()));
  }
  if (!Lead(options)) return record;
  if (absl::Status s = WriteProtoAtomically(*record, RecordPath(options, run));
      !s.ok()) {
    return s;
  }
  return record;
}

// Every run's record in sweep order: `trained` where this process made it,
// else read from the work folder; FinishedEarly (or, merging, an error)
// when some are not there yet.
absl::StatusOr<std::vector<TrainingRecord>> Assemble(
    const std::vector<SweepRun>& runs,
    std::vector<absl::optional<TrainingRecord>>* trained,
    const SweepOptions& options) {
  std::vector<TrainingRecord> records;
  std::vector<std::string> missing;
  for (size_t i = 0; i < runs.size(); ++i) {
    if ((*trained)[i].has_value()) {
      records.push_back(*std::move((*trained)[i]));
      continue;
    }
    const std::string path = RecordPath(options, runs[i]);
    if (!fs::exists(path)) {
      missing.push_back(runs[i].name);
      continue;
    }
    absl::StatusOr<TrainingRecord> done = ReadRecord(path, runs[i]);
    if (!done.ok()) return done.status();
    records.push_back(*std::move(done));
  }
  if (missing.empty()) return records;
  const std::string which =
      absl::StrCat(missing.size(), " of ", runs.size(), " runs (", missing[0],
                   missing.size() > 1 ? ", ..." : "", ")");
  if (options.merge_only) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--merge: ", which, " are not finished in ", options.work_dir,
        "; run their shards (with --resume) first"));
  }
  return FinishedEarly(absl::StrCat(
      "shard ", options.shard, "/", options.shards, " is done; ", which,
      " of other shards are not finished yet: the shard that finishes last "
      "writes the results (or run with --merge once all are done)"));
}

}  // namespace

absl::StatusOr<std::vector<TrainingRecord>> RunSweep(
    const std::vector<SweepRun>& runs, const std::vector<RunHook>& hooks,
    const SweepOptions& options) {
  using Clock = std::chrono::steady_clock;
  if (absl::Status s = EnsureWritableDir(options.work_dir); !s.ok()) return s;
  if (Lead(options)) {
    if (absl::Status s = FinishInterruptedCommits(options.work_dir); !s.ok()) {
      return s;
    }
  }
  const std::vector<int> shard_of = ShardOfRuns(runs, options.shards);
  std::vector<int> mine(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    mine[i] = !options.merge_only && shard_of[i] == options.shard;
  }
  if (!options.resume && !options.merge_only && Lead(options)) {
    StartOver(runs, mine, options);
  }
  const int n = static_cast<int>(runs.size());
  int to_train = 0;
  for (int m : mine) to_train += m;
  std::vector<absl::optional<TrainingRecord>> trained(runs.size());
  double trained_seconds = 0;
  int done = 0;
  // "; sweep ETA 7m30s" for `remaining` runs at the mean time of the runs
  // trained so far; empty before the first.
  auto eta = [&](int remaining) -> std::string {
    if (done == 0 || remaining == 0) return "";
    return absl::StrCat("; sweep ETA ",
                        FormatDuration(trained_seconds / done * remaining));
  };
  int left = to_train;
  for (int i = 0; i < n; ++i) {
    if (!mine[i]) continue;
    const SweepRun& run = runs[i];
    const std::string label =
        absl::StrFormat("run %d/%d %s", i + 1, n, run.name);
    absl::StatusOr<bool> finished =
        FinishedEarlier(options, i, RecordPath(options, run));
    if (!finished.ok()) return finished.status();
    if (*finished) {
      absl::StatusOr<TrainingRecord> kept =
          ReadRecord(RecordPath(options, run), run);
      if (!kept.ok()) return kept.status();
      if (!options.quiet) {
        std::printf("sweep: %s finished earlier: kept (%s)\n", label.c_str(),
                    RecordPath(options, run).c_str());
      }
      trained[i] = *std::move(kept);
      --left;
      continue;
    }
    if (!options.quiet) {
      std::printf(
          "sweep: %s: %s%s\n", label.c_str(),
          run.description.empty() ? "starting" : run.description.c_str(),
          eta(left).c_str());
      std::fflush(stdout);
    }
    const auto start = Clock::now();
    absl::StatusOr<TrainingRecord> record =
        TrainAndRecord(run, hooks, options, label);
    if (!record.ok()) return record.status();
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    trained_seconds += seconds;
    ++done;
    --left;
    if (!options.quiet) {
      std::printf("sweep: %s done in %s%s\n", label.c_str(),
                  FormatDuration(seconds).c_str(), eta(left).c_str());
      std::fflush(stdout);
    }
    trained[i] = *std::move(record);
  }
  if (!Lead(options)) {
    return FinishedEarly(absl::StrCat("rank ", options.dp->rank(), " of ",
                                      options.dp->world_size(),
                                      " is done; rank 0 writes the results"));
  }
  return Assemble(runs, &trained, options);
}

absl::Status RequireReferenceVariant(const std::vector<SweepRun>& runs,
                                     const std::string& reference) {
  for (const SweepRun& r : runs) {
    if (r.variant == reference) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "reference variant '", reference, "' is not among the runs"));
}

}  // namespace sparsity
