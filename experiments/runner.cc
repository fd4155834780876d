#include "experiments/runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/cli.h"
#include "common/local_port.h"
#include "experiments/launch.h"
#include "experiments/presets.h"
#include "gflags/gflags.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/results_io.h"
#include "train/config_validation.h"
#include "train/data_parallel.h"
#include "train/run_info.h"

DEFINE_string(preset, "default",
              "configuration preset: smoke (seconds, used by tests), default "
              "(minutes on a 2-core CPU), paper (the paper's scale), or a "
              "named extra of the experiment");
DEFINE_string(out_dir, "",
              "folder for the results file NAME.pb (default: results/ for a "
              "committed preset run as-is, else runs/PRESET/)");
DEFINE_bool(resume, false,
            "continue an interrupted sweep in the same output folder: keep "
            "finished runs, resume the interrupted one from its checkpoint");
DEFINE_bool(json, false, "also write the results as JSON (NAME.json)");
DEFINE_bool(quiet, false, "no progress lines");
DEFINE_string(override, "",
              "textproto merged into the config after the preset, e.g. "
              "'base { train { steps: 10 } model { d_ff: 256 } }'; zeros "
              "and false are applied");
DEFINE_string(seeds, "",
              "comma-separated seeds to run instead of the preset's (each "
              "used for both initialisation and data order; replaces every "
              "variant's own seeds too), e.g. 1,2,3");
DEFINE_string(variants, "",
              "comma-separated names of the preset's variants to run");
DEFINE_string(shard, "",
              "I/N: run only shard I (0-based) of N of the sweep's runs into "
              "the shared output folder; the shard that finishes last writes "
              "the results (default: SLURM_ARRAY_TASK_ID / "
              "SLURM_ARRAY_TASK_COUNT when set, else the whole sweep)");
DEFINE_int32(workers, 1,
             "run the sweep in K local processes at once, shard i/K each "
             "with its share of the cores (--threads divided among them "
             "unless given); the last to finish writes the results");
DEFINE_int32(nproc, 1,
             "train every run data-parallel over N local processes (ranks), "
             "like torchrun --standalone --nproc_per_node=N: each rank trains "
             "on 1/N of every batch with cores/N threads (docs/cluster.md); "
             "the ranks of a multi-machine run read "
             "torchrun's RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT "
             "instead");
DEFINE_int32(dp_check_every, 0,
             "data-parallel: also check every N steps that all ranks hold "
             "identical parameters (always checked at the end of each run)");
DEFINE_int32(dp_timeout_s, 600,
             "data-parallel: seconds a rank waits for the others at the "
             "rendezvous and in a training step's collectives (not while "
             "rank 0 probes or writes alone)");
DEFINE_string(tensorboard_dir, "",
              "TensorBoard event files of each run (loss, lr, gradient norm, "
              "tokens/s, probe densities and dead units) go to "
              "DIR/<run>/; default: NAME.runs/tensorboard in the output "
              "folder; 'off': none. View: .venv/bin/tensorboard --logdir DIR");
DEFINE_bool(merge, false,
            "train nothing: write the results from the finished run records "
            "of every shard in the output folder");

// Single-field overrides of the base run config. An unset flag leaves the
// preset's value.
DEFINE_string(steps, "", "training steps: base.train.steps");
DEFINE_string(threads, "", "CPU threads, 0 = all cores: base.train.threads");
DEFINE_string(device, "", "cpu or cuda: base.train.device");
DEFINE_string(checkpoint_every, "",
              "checkpoint every N steps: base.train.checkpoint_every");
DEFINE_string(log_every, "",
              "progress line every N steps: base.train.log_every");
DEFINE_string(d_model, "", "model width: base.model.d_model");
DEFINE_string(n_layers, "", "transformer blocks: base.model.n_layers");
DEFINE_string(n_heads, "", "attention heads: base.model.n_heads");
DEFINE_string(d_ff, "", "MLP hidden units: base.model.d_ff");
DEFINE_string(max_seq_len, "", "position embeddings: base.model.max_seq_len");
DEFINE_string(post_norm, "", "true for post-norm blocks: base.model.post_norm");
DEFINE_string(seq_len, "", "training sequence length: base.data.seq_len");
DEFINE_string(batch_size, "", "sequences per step: base.data.batch_size");
DEFINE_string(corpus_dir, "", "Brown corpus folder: base.data.corpus_dir");
DEFINE_string(lr, "", "peak learning rate: base.optim.lr");
DEFINE_string(weight_decay, "", "weight decay: base.optim.weight_decay");
DEFINE_string(warmup_steps, "", "warmup steps: base.optim.warmup_steps");
DEFINE_string(probe_every, "", "probe every N steps: base.probe.every");
DEFINE_string(probe_tokens, "",
              "tokens in the probe batch: base.probe.batch_tokens");

namespace sparsity {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

struct FieldFlag {
  const char* flag;
  const std::string* value;
  const char* path;  // dotted field path in the config message
};

const std::vector<FieldFlag>& FieldFlags() {
  static const auto* flags = new std::vector<FieldFlag>{
      {"steps", &FLAGS_steps, "base.train.steps"},
      {"threads", &FLAGS_threads, "base.train.threads"},
      {"device", &FLAGS_device, "base.train.device"},
      {"checkpoint_every", &FLAGS_checkpoint_every,
       "base.train.checkpoint_every"},
      {"log_every", &FLAGS_log_every, "base.train.log_every"},
      {"d_model", &FLAGS_d_model, "base.model.d_model"},
      {"n_layers", &FLAGS_n_layers, "base.model.n_layers"},
      {"n_heads", &FLAGS_n_heads, "base.model.n_heads"},
      {"d_ff", &FLAGS_d_ff, "base.model.d_ff"},
      {"max_seq_len", &FLAGS_max_seq_len, "base.model.max_seq_len"},
      {"post_norm", &FLAGS_post_norm, "base.model.post_norm"},
      {"seq_len", &FLAGS_seq_len, "base.data.seq_len"},
      {"batch_size", &FLAGS_batch_size, "base.data.batch_size"},
      {"corpus_dir", &FLAGS_corpus_dir, "base.data.corpus_dir"},
      {"lr", &FLAGS_lr, "base.optim.lr"},
      {"weight_decay", &FLAGS_weight_decay, "base.optim.weight_decay"},
      {"warmup_steps", &FLAGS_warmup_steps, "base.optim.warmup_steps"},
      {"probe_every", &FLAGS_probe_every, "base.probe.every"},
      {"probe_tokens", &FLAGS_probe_tokens, "base.probe.batch_tokens"},
  };
  return *flags;
}

struct State {
  ExperimentSpec spec;
  std::string command_line;
  std::chrono::steady_clock::time_point start;
  RunInfo info;  // collected at the start: the revision the binary ran at
  ThreadSettings threads;
  int shard = 0, shards = 1;         // --shard or the Slurm array task
  std::vector<std::string> argv;     // as given, for --workers' children
  std::unique_ptr<DataParallel> dp;  // this process's rank, if data-parallel
};
State& GlobalState() {
  static auto* state = new State;
  return *state;
}

// Collects text-format parse errors instead of logging them to stderr, so a
// bad value becomes part of one error line.
class ErrorText : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty()) {
      text = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string text;
};

// Parses `text` into `msg`, merging: every field the text names is set on
// `msg`, zeros included; others keep their values.
bool ParseText(const std::string& text, Message* msg, std::string* error) {
  ErrorText errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  const bool ok = parser.MergeFromString(text, msg);
  *error = errors.text;
  return ok;
}

std::vector<std::string> PresetsOf(const std::string& experiment) {
  std::vector<std::string> names;
  for (const auto& [key, text] : EmbeddedPresets()) {
    if (key.rfind(experiment + "/", 0) == 0) {
      names.push_back(key.substr(experiment.size() + 1));
    }
  }
  return names;
}

bool FlagGiven(const char* name) {
  return !gflags::GetCommandLineFlagInfoOrDie(name).is_default;
}

bool ConfigChangedByFlags() {
  for (const FieldFlag& f : FieldFlags()) {
    if (FlagGiven(f.flag)) return true;
  }
  return !FLAGS_override.empty() || !FLAGS_seeds.empty() ||
         !FLAGS_variants.empty();
}

// Sets the scalar field at dotted `path` of `msg` from its text form `value`.
absl::Status SetField(Message* msg, const std::string& path,
                      const std::string& value, const std::string& flag) {
  const absl::Status not_applicable = absl::InvalidArgumentError(absl::StrCat(
      "--", flag, " does not apply to this experiment (its config has no ",
      path, ")"));
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  Message* m = msg;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        f->is_repeated()) {
      return not_applicable;
    }
    m = m->GetReflection()->MutableMessage(m, f);
  }
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts.back());
  if (f == nullptr) return not_applicable;
  // Parse through the text format so every scalar type and enum works alike.
  const std::string text = f->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                               ? absl::StrCat("\"", absl::CEscape(value), "\"")
                               : value;
  ErrorText errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFieldValueFromString(text, f, m)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, " is not a valid value for ", path,
                     errors.text.empty() ? "" : " (" + errors.text + ")"));
  }
  return absl::OkStatus();
}

// The device a run config names ("cpu" when it names none).
std::string DeviceName(const RunConfig& run) {
  return run.train().device().empty() ? "cpu" : run.train().device();
}

// The config's SweepConfig (field "sweep"), or nullptr.
SweepConfig* SweepOf(Message* config) {
  const FieldDescriptor* f = config->GetDescriptor()->FindFieldByName("sweep");
  if (f == nullptr || f->message_type() != SweepConfig::descriptor()) {
    return nullptr;
  }
  return static_cast<SweepConfig*>(
      config->GetReflection()->MutableMessage(config, f));
}

// The shard I/N from --shard, else from a Slurm job array
// (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT),
// else 0/1.
absl::Status ParseShard(int* shard, int* shards) {
  std::string text = FLAGS_shard, source = "--shard=";
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
  if (text.empty() && id != nullptr && count != nullptr) {
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    int i = 0, lo = 0;
    if (!absl::SimpleAtoi(id, &i) ||
        (min != nullptr && !absl::SimpleAtoi(min, &lo))) {
      return absl::InvalidArgumentError(
          absl::StrCat("SLURM_ARRAY_TASK_ID=", id, " is not a task number"));
    }
    text = absl::StrCat(i - lo, "/", count);
    source = "the Slurm array task ";
  }
  *shard = 0;
  *shards = 1;
  if (text.empty()) return absl::OkStatus();
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], shard) ||
      !absl::SimpleAtoi(parts[1], shards) || *shards < 1 || *shard < 0 ||
      *shard >= *shards) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, text, ": a shard is I/N with 0 <= I < N (e.g. --shard=0/3)"));
  }
  if (FLAGS_merge) {
    return absl::InvalidArgumentError(
        "--merge assembles every shard's runs: give it without --shard");
  }
  if (FLAGS_workers != 1) {
    return absl::InvalidArgumentError(
        "--workers shards the sweep itself: give it without --shard (or a "
        "Slurm array)");
  }
  return absl::OkStatus();
}

absl::Status ValidateWorkers() {
  if (FLAGS_workers < 1 || FLAGS_workers > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("--workers must be in [1, 256], got ", FLAGS_workers));
  }
  if (FLAGS_workers > 1 && FLAGS_merge) {
    return absl::InvalidArgumentError(
        "--merge trains nothing: give it without --workers");
  }
  return absl::OkStatus();
}

// Each of `k` processes' share of the cores (train.threads when set).
int ThreadsPerProcess(const RunConfig& base, int k) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return base.train().threads() > 0 ? base.train().threads()
                                    : std::max(1, cores / k);
}

// --workers=K: this process runs shard i/K in child i (this binary, the
// same flags) and waits; one that fails stops the others. The child that
// finishes last writes the results.
absl::Status RunWorkers(const RunConfig& base, const OutputPaths& paths) {
  const int k = FLAGS_workers;
  std::vector<ChildProcess> children(k);
  for (int i = 0; i < k; ++i) {
    children[i].args = GlobalState().argv;
    for (std::string a :
         {std::string("--workers=1"), absl::StrCat("--shard=", i, "/", k),
          absl::StrCat("--threads=", ThreadsPerProcess(base, k))}) {
      children[i].args.push_back(a);
    }
  }
  absl::StatusOr<std::optional<ChildFailure>> failed = RunChildren(children);
  if (!failed.ok()) return failed.status();
  if (failed->has_value()) {
    const int i = (*failed)->index;
    return absl::AbortedError(absl::StrCat(
        "--workers: worker ", i, "/", k, " (shard ", i, "/", k, ") ",
        (*failed)->how,
        " (its error is above); the others were stopped; rerun with --resume "
        "to continue from the finished runs in ",
        paths.work_dir));
  }
  return FinishedEarly(absl::StrCat(k, " workers finished; the last wrote ",
                                    paths.out_dir, "/", paths.name, ".pb"));
}

// Set in the ranks --nproc starts: a rank whose collective fails because
// another rank stopped exits 1 without a line of its own, since the
// launcher names the rank that failed first.
constexpr char kLaunchedRank[] = "SPARSITY_LAUNCHED_RANK";

// Every run's batch splits into `ranks` equal shards.
absl::Status CheckBatchesSplit(const std::vector<SweepRun>& runs, int ranks) {
  for (const SweepRun& run : runs) {
    if (absl::Status s =
            CheckBatchSplits(run.config.data().batch_size(), ranks);
        !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("run ", run.name, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

// --nproc=N: the ranks of a data-parallel run on this machine, with
// torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT); one that fails stops the others. Rank 0 writes the results.
absl::Status RunRanks(const RunConfig& base, const OutputPaths& paths) {
  const int n = FLAGS_nproc;
  absl::StatusOr<int> port = FreeLocalPort();
  if (!port.ok()) return port.status();
  std::vector<ChildProcess> children(n);
  for (int r = 0; r < n; ++r) {
    children[r].args = GlobalState().argv;
    children[r].args.push_back("--nproc=1");
    children[r].args.push_back(
        absl::StrCat("--threads=", ThreadsPerProcess(base, n)));
    if (r > 0) children[r].args.push_back("--quiet");
    children[r].env = {{kLaunchedRank, "1"},
                       {"RANK", absl::StrCat(r)},
                       {"LOCAL_RANK", absl::StrCat(r)},
                       {"WORLD_SIZE", absl::StrCat(n)},
                       {"MASTER_ADDR", "127.0.0.1"},
                       {"MASTER_PORT", absl::StrCat(*port)}};
  }
  absl::StatusOr<std::optional<ChildFailure>> failed = RunChildren(children);
  if (!failed.ok()) return failed.status();
  if (failed->has_value()) {
    return absl::AbortedError(absl::StrCat(
        "--nproc: rank ", (*failed)->index, " of ", n, " ", (*failed)->how,
        absl::StartsWith((*failed)->how, "exited") ? " (its error is above)"
                                                   : "",
        "; the other ranks were stopped; nothing half-written is left: rerun "
        "with --resume to continue from the last checkpoint in ",
        paths.work_dir));
  }
  return FinishedEarly(absl::StrCat(n, " ranks finished; rank 0 wrote ",
                                    paths.out_dir, "/", paths.name, ".pb"));
}

absl::Status ValidateNproc() {
  if (FLAGS_nproc < 1 || FLAGS_nproc > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("--nproc must be in [1, 64], got ", FLAGS_nproc));
  }
  if (FLAGS_dp_check_every < 0 || FLAGS_dp_timeout_s < 1) {
    return absl::InvalidArgumentError(
        "--dp_check_every must be >= 0 and --dp_timeout_s >= 1");
  }
  const bool env_ranks = std::getenv("WORLD_SIZE") != nullptr;
  if ((FLAGS_nproc > 1 || env_ranks) &&
      (FLAGS_workers > 1 || FLAGS_merge || !FLAGS_shard.empty() ||
       std::getenv("SLURM_ARRAY_TASK_ID") != nullptr)) {
    return absl::InvalidArgumentError(
        "data-parallel runs (--nproc or WORLD_SIZE) train every run over all "
        "ranks: give them without --workers, --shard, --merge or a Slurm "
        "array");
  }
  return absl::OkStatus();
}

// This process's rank of a data-parallel group when WORLD_SIZE is set (by
// --nproc, torchrun or an srun script; WORLD_SIZE=1 takes the data-parallel
// path alone, as torchrun --nproc_per_node=1 does); else nullptr.
absl::StatusOr<DataParallel*> ConnectRanks(const RunConfig& base) {
  if (std::getenv("WORLD_SIZE") == nullptr) return nullptr;
  absl::StatusOr<DistributedEnv> env = DistributedEnvFromEnvironment();
  if (!env.ok()) return env.status();
  DataParallel::Options options;
  options.check_every = FLAGS_dp_check_every;
  options.timeout = std::chrono::seconds(FLAGS_dp_timeout_s);
  const torch::Device device(base.train().device() == "cuda" ? torch::kCUDA
                                                             : torch::kCPU);
  absl::StatusOr<std::unique_ptr<DataParallel>> dp =
      DataParallel::Connect(*env, device, options);
  if (!dp.ok()) return dp.status();
  GlobalState().dp = *std::move(dp);
  return GlobalState().dp.get();
}

absl::Status ApplySweepFlags(Message* config) {
  if (absl::Status s = ValidateWorkers(); !s.ok()) return s;
  if (absl::Status s = ValidateNproc(); !s.ok()) return s;
  if (absl::Status s = ParseShard(&GlobalState().shard, &GlobalState().shards);
      !s.ok()) {
    return s;
  }
  if (FLAGS_seeds.empty() && FLAGS_variants.empty()) return absl::OkStatus();
  SweepConfig* sweep = SweepOf(config);
  if (sweep == nullptr) {
    return absl::InvalidArgumentError(
        "--seeds and --variants do not apply to this experiment (no sweep)");
  }
  if (!FLAGS_seeds.empty()) {
    sweep->clear_seeds();
    for (Variant& v : *sweep->mutable_variants()) v.clear_seeds();
    for (absl::string_view part : absl::StrSplit(FLAGS_seeds, ',')) {
      uint64_t seed;
      if (!absl::SimpleAtoi(part, &seed)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--seeds=", FLAGS_seeds, ": '", part, "' is not a seed (>= 0)"));
      }
      Seeds* s = sweep->add_seeds();
      s->set_init(seed);
      s->set_data(seed);
    }
  }
  if (!FLAGS_variants.empty()) {
    std::vector<std::string> wanted = absl::StrSplit(FLAGS_variants, ',');
    std::vector<std::string> known;
    for (const Variant& v : sweep->variants()) known.push_back(v.name());
    if (known.empty()) known.push_back("base");
    // A kept variant carries its whole patch: what it `extends` may not be
    // kept.
    std::map<std::string, RunConfig> resolved;
    for (const Variant& v : sweep->variants()) {
      RunConfig& patch = resolved[v.name()];
      if (auto parent = resolved.find(v.extends()); !v.extends().empty() &&
                                                    parent != resolved.end() &&
                                                    v.extends() != v.name()) {
        patch = parent->second;
      }
      patch.MergeFrom(v.patch());
    }
    google::protobuf::RepeatedPtrField<Variant> kept;
    for (const std::string& name : wanted) {
      bool found = false;
      for (const Variant& v : sweep->variants()) {
        if (v.name() == name) {
          Variant* k = kept.Add();
          *k = v;
          if (!v.extends().empty() && resolved.count(v.extends()) > 0) {
            *k->mutable_patch() = resolved[v.name()];
            k->clear_extends();
          }
          found = true;
        }
      }
      if (!found && !(name == "base" && sweep->variants().empty())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--variants: no variant '", name, "' (this preset has ",
            absl::StrJoin(known, ", "), ")"));
      }
    }
    if (!sweep->variants().empty()) sweep->mutable_variants()->Swap(&kept);
  }
  return absl::OkStatus();
}

}  // namespace

void InitExperiment(const ExperimentSpec& spec, int* argc, char*** argv) {
  State& state = GlobalState();
  state.spec = spec;
  // Under `bazel run` argv[0] is a path in Bazel's output tree: record the
  // command a reader can paste instead.
  state.command_line = QuotedCommandLine(*argc, *argv);
  if (std::getenv("BUILD_WORKSPACE_DIRECTORY") != nullptr) {
    const std::string args = QuotedCommandLine(*argc - 1, *argv + 1);
    state.command_line =
        absl::StrCat("bazel run //experiments:", spec.name,
                     args.empty() ? "" : absl::StrCat(" -- ", args));
  }
  state.start = std::chrono::steady_clock::now();
  state.argv.assign(*argv, *argv + *argc);
  std::string fields;
  for (const FieldFlag& f : FieldFlags()) {
    absl::StrAppend(&fields, "    --", f.flag, " -> ", f.path, "\n");
  }
  const std::string usage = absl::StrCat(
      spec.summary, "\n\n  bazel run //experiments:", spec.name,
      " -- [--preset=", absl::StrJoin(PresetsOf(spec.name), "|"),
      "] [--out_dir=DIR] [--resume] [--json] [--shard=I/N | --workers=K | "
      "--nproc=N | "
      "--merge] "
      "[--FIELD=VALUE ...]\n\n"
      "Presets (experiments/configs/",
      spec.name, "/*.textproto): ", absl::StrJoin(PresetsOf(spec.name), ", "),
      ". Committed to results/: ", absl::StrJoin(spec.committed_presets, ", "),
      ".\nWrites DIR/NAME.pb (binary protobuf) and, with --json, "
      "DIR/NAME.json; run records and checkpoints go to DIR/NAME.runs/. NAME "
      "is ",
      spec.name, ", or ", spec.name,
      "_PRESET for a committed preset other than default (so that its "
      "results sit beside default's in results/).\nSingle fields of the base "
      "run config:\n",
      fields, "  or any field with --override='base { train { steps: 10 } }'.");
  ParseFlags(spec.name, usage, {"experiments/", "common/"}, argc, argv);
  state.info = CollectRunInfo(spec.name, FLAGS_preset, state.command_line);
}

absl::Status LoadExperimentConfig(Message* config) {
  const std::string& experiment = GlobalState().spec.name;
  const auto& presets = EmbeddedPresets();
  auto it = presets.find(experiment + "/" + FLAGS_preset);
  if (it == presets.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown preset '", FLAGS_preset, "' for ", experiment, " (choose ",
        absl::StrJoin(PresetsOf(experiment), ", "), ")"));
  }
  std::string error;
  config->Clear();
  if (!ParseText(it->second, config, &error)) {
    return absl::InternalError(absl::StrCat("embedded preset ", it->first,
                                            " does not parse: ", error));
  }
  for (const FieldFlag& f : FieldFlags()) {
    if (!FlagGiven(f.flag)) continue;
    if (absl::Status s = SetField(config, f.path, *f.value, f.flag); !s.ok()) {
      return s;
    }
  }
  if (!FLAGS_override.empty() && !ParseText(FLAGS_override, config, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--override='", FLAGS_override, "' is not a valid ",
        config->GetDescriptor()->name(), " textproto (", error, ")"));
  }
  if (absl::Status s = ApplySweepFlags(config); !s.ok()) return s;
  // Enums and floats that parse but mean nothing (optimizer: 99, nan, inf).
  return ValidateFieldValues(*config);
}

absl::StatusOr<OutputPaths> PrepareOutput() {
  const ExperimentSpec& spec = GlobalState().spec;
  const bool committed =
      std::find(spec.committed_presets.begin(), spec.committed_presets.end(),
                FLAGS_preset) != spec.committed_presets.end();
  OutputPaths paths;
  if (!FLAGS_out_dir.empty()) {
    paths.out_dir = ResolveUserPath(FLAGS_out_dir);
  } else if (committed && !ConfigChangedByFlags()) {
    paths.out_dir = WorkspaceDir() + "/results";
  } else {
    paths.out_dir = absl::StrCat(WorkspaceDir(), "/runs/", FLAGS_preset);
    if (!FLAGS_quiet) {
      std::printf(
          "%s: results go to %s (not results/: only the committed "
          "preset(s) %s, unchanged, write there; --out_dir chooses)\n",
          spec.name.c_str(), paths.out_dir.c_str(),
          absl::StrJoin(spec.committed_presets, ", ").c_str());
    }
  }
  paths.name = committed && FLAGS_preset != "default"
                   ? absl::StrCat(spec.name, "_", FLAGS_preset)
                   : spec.name;
  paths.work_dir = absl::StrCat(paths.out_dir, "/", paths.name, ".runs");
  if (absl::Status s = EnsureWritableDir(paths.out_dir); !s.ok()) return s;
  return paths;
}

absl::StatusOr<std::vector<TrainingRecord>> RunExperimentSweep(
    const std::vector<SweepRun>& runs, const RunConfig& base,
    const std::vector<RunHook>& hooks, const OutputPaths& paths) {
  if (FLAGS_workers > 1) return RunWorkers(base, paths);
  if (FLAGS_nproc > 1) {
    if (absl::Status s = CheckBatchesSplit(runs, FLAGS_nproc); !s.ok()) {
      return s;
    }
    return RunRanks(base, paths);
  }
  absl::StatusOr<DataParallel*> dp = ConnectRanks(base);
  if (!dp.ok()) return dp.status();
  if (*dp != nullptr) {
    if (absl::Status s = CheckBatchesSplit(runs, (*dp)->world_size());
        !s.ok()) {
      return s;
    }
  }
  const ThreadSettings threads = ConfigureCpu(base.train().threads());
  GlobalState().threads = threads;
  if (!FLAGS_quiet) {
    std::printf(
        "%s: %zu run(s) (%s); %d threads (LibTorch %d); device %s; "
        "checkpoints in %s\n",
        GlobalState().spec.name.c_str(), runs.size(),
        absl::StrJoin(
            runs, ", ",
            [](std::string* out, const SweepRun& r) { out->append(r.name); })
            .c_str(),
        threads.threads, threads.torch_threads, DeviceName(base).c_str(),
        paths.work_dir.c_str());
    std::fflush(stdout);
  }
  SweepOptions options{paths.work_dir, FLAGS_resume, FLAGS_quiet};
  options.shard = GlobalState().shard;
  options.shards = GlobalState().shards;
  options.merge_only = FLAGS_merge;
  options.dp = *dp;
  if (FLAGS_tensorboard_dir != "off") {
    options.tensorboard_dir = FLAGS_tensorboard_dir.empty()
                                  ? paths.work_dir + "/tensorboard"
                                  : ResolveUserPath(FLAGS_tensorboard_dir);
  }
  if (*dp != nullptr && !(*dp)->lead()) options.quiet = true;
  if (*dp != nullptr && !options.quiet) {
    std::printf("%s: data-parallel over %d ranks (%s), rank 0 writes\n",
                GlobalState().spec.name.c_str(), (*dp)->world_size(),
                (*dp)->backend_name().c_str());
  }
  absl::StatusOr<std::vector<TrainingRecord>> records =
      RunSweep(runs, hooks, options);
  if (!records.ok() && IsPeerFailure(records.status()) &&
      std::getenv(kLaunchedRank) != nullptr) {
    std::fflush(stdout);
    std::_Exit(1);  // written so far: complete files only (atomic writes)
  }
  return records;
}

RunInfo ExperimentRunInfo(const RunConfig& base) {
  const State& state = GlobalState();
  RunInfo info = state.info;
  info.set_config_overridden(ConfigChangedByFlags());
  RecordThreadSettings(state.threads, &info);
  info.set_device(DeviceName(base));
  if (state.dp != nullptr) {
    info.set_data_parallel_ranks(state.dp->world_size());
    info.set_data_parallel_backend(state.dp->backend_name());
  }
  info.set_wall_seconds(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - state.start)
                            .count());
  return info;
}

absl::Status WriteExperimentResults(const Results& results,
                                    const OutputPaths& paths) {
  const std::string& name = paths.name;
  absl::StatusOr<std::string> path =
      WriteResults(results, paths.out_dir, name, FLAGS_json);
  if (!path.ok()) return path.status();
  std::printf(
      "wrote %s%s\n", path->c_str(),
      FLAGS_json
          ? absl::StrCat(" and ", paths.out_dir, "/", name, ".json").c_str()
          : "");
  return absl::OkStatus();
}

}  // namespace sparsity
