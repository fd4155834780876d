#include "experiments/runner.h"

#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "experiments/presets.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/results_io.h"
#include "train/run_info.h"

DEFINE_string(preset, "default",
              "configuration preset: smoke (seconds, used by tests), default "
              "(minutes on a 2-core CPU), paper (the paper's scale)");
DEFINE_string(out_dir, "",
              "folder for the results file NAME.pb (default: results/ in the "
              "workspace)");
DEFINE_bool(json, false, "also write the results as JSON (NAME.json)");
DEFINE_bool(quiet, false, "no progress lines");
DEFINE_string(override, "",
              "textproto merged into the config after the preset, e.g. "
              "'train { steps: 10 } model { d_ff: 256 }'");

// Single-field overrides. An unset flag leaves the preset's value.
DEFINE_string(seed, "", "random seed (init and data order): seed");
DEFINE_string(steps, "", "training steps: train.steps");
DEFINE_string(threads, "", "intra-op threads, 0 = all cores: train.threads");
DEFINE_string(log_every, "", "progress line every N steps: train.log_every");
DEFINE_string(d_model, "", "model width: model.d_model");
DEFINE_string(n_layers, "", "transformer blocks: model.n_layers");
DEFINE_string(n_heads, "", "attention heads: model.n_heads");
DEFINE_string(d_ff, "", "MLP hidden units: model.d_ff");
DEFINE_string(max_seq_len, "", "position embeddings: model.max_seq_len");
DEFINE_string(post_norm, "", "true for post-norm blocks: model.post_norm");
DEFINE_string(seq_len, "", "training sequence length: data.seq_len");
DEFINE_string(batch_size, "", "sequences per step: data.batch_size");
DEFINE_string(corpus_dir, "", "Brown corpus folder: data.corpus_dir");
DEFINE_string(lr, "", "peak learning rate: optim.lr");
DEFINE_string(warmup_steps, "", "warmup steps: optim.warmup_steps");
DEFINE_string(probe_every, "", "probe every N steps: probe.every");
DEFINE_string(probe_tokens, "",
              "tokens in the probe batch: probe.batch_tokens");

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
      {"seed", &FLAGS_seed, "seed"},
      {"steps", &FLAGS_steps, "train.steps"},
      {"threads", &FLAGS_threads, "train.threads"},
      {"log_every", &FLAGS_log_every, "train.log_every"},
      {"d_model", &FLAGS_d_model, "model.d_model"},
      {"n_layers", &FLAGS_n_layers, "model.n_layers"},
      {"n_heads", &FLAGS_n_heads, "model.n_heads"},
      {"d_ff", &FLAGS_d_ff, "model.d_ff"},
      {"max_seq_len", &FLAGS_max_seq_len, "model.max_seq_len"},
      {"post_norm", &FLAGS_post_norm, "model.post_norm"},
      {"seq_len", &FLAGS_seq_len, "data.seq_len"},
      {"batch_size", &FLAGS_batch_size, "data.batch_size"},
      {"corpus_dir", &FLAGS_corpus_dir, "data.corpus_dir"},
      {"lr", &FLAGS_lr, "optim.lr"},
      {"warmup_steps", &FLAGS_warmup_steps, "optim.warmup_steps"},
      {"probe_every", &FLAGS_probe_every, "probe.every"},
      {"probe_tokens", &FLAGS_probe_tokens, "probe.batch_tokens"},
  };
  return *flags;
}

// Collects text-format parse errors instead of logging them to stderr, so a
// bad value becomes part of one error line.
class ErrorText : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty())
      text = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, int, const std::string&) override {}
  std::string text;
};

// Parses `text` into `msg` (merging), or returns the first error.
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
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
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
  // Sets only this field of m (TextFormat parses the value by field type).
  ErrorText errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  const bool ok = parser.ParseFieldValueFromString(text, f, m);
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, " is not a valid value for ", path,
                     errors.text.empty() ? "" : " (" + errors.text + ")"));
  }
  return absl::OkStatus();
}

}  // namespace

void InitExperiment(const std::string& experiment, const std::string& summary,
                    int* argc, char*** argv) {
  ReexecWithPassiveOpenMp(*argv);  // see train/run_info.h
  std::string fields;
  for (const FieldFlag& f : FieldFlags()) {
    absl::StrAppend(&fields, "    --", f.flag, " -> ", f.path, "\n");
  }
  gflags::SetUsageMessage(absl::StrCat(
      summary, "\n\n  bazel run //experiments:", experiment,
      " -- [--preset=", absl::StrJoin(PresetsOf(experiment), "|"),
      "] [--out_dir=DIR] [--json] [--FIELD=VALUE ...]\n\n"
      "Writes DIR/",
      experiment,
      ".pb (binary protobuf; DIR defaults to "
      "results/ in the workspace), and DIR/",
      experiment,
      ".json with --json.\n"
      "Presets: experiments/configs/",
      experiment,
      "/*.textproto. Single "
      "fields:\n",
      fields, "  or any field with --override='train { steps: 10 }'."));
  gflags::ParseCommandLineFlags(argc, argv, /*remove_flags=*/true);
  if (*argc > 1) {
    std::fprintf(stderr, "%s: error: unexpected argument '%s' (see --help)\n",
                 experiment.c_str(), (*argv)[1]);
    std::exit(1);
  }
}

absl::Status LoadExperimentConfig(const std::string& experiment,
                                  Message* config) {
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
    if (gflags::GetCommandLineFlagInfoOrDie(f.flag).is_default) continue;
    if (absl::Status s = SetField(config, f.path, *f.value, f.flag); !s.ok()) {
      return s;
    }
  }
  if (!FLAGS_override.empty()) {
    std::unique_ptr<Message> extra(config->New());
    if (!ParseText(FLAGS_override, extra.get(), &error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--override='", FLAGS_override, "' is not a valid ",
          config->GetDescriptor()->name(), " textproto (", error, ")"));
    }
    config->MergeFrom(*extra);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PrepareOutputDir() {
  const std::string dir = FLAGS_out_dir.empty()
                              ? WorkspaceDir() + "/results"
                              : ResolveUserPath(FLAGS_out_dir);
  if (absl::Status s = EnsureWritableDir(dir); !s.ok()) return s;
  return dir;
}

absl::Status WriteExperimentResults(const Results& results,
                                    const std::string& out_dir,
                                    const std::string& experiment) {
  absl::StatusOr<std::string> path =
      WriteResults(results, out_dir, experiment, FLAGS_json);
  if (!path.ok()) return path.status();
  std::printf(
      "wrote %s%s\n", path->c_str(),
      FLAGS_json
          ? absl::StrCat(" and ", out_dir, "/", experiment, ".json").c_str()
          : "");
  return absl::OkStatus();
}

int ExitCode(const std::string& experiment, const absl::Status& status) {
  if (status.ok()) return 0;
  std::fprintf(stderr, "%s: error: %s\n", experiment.c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace sparsity
