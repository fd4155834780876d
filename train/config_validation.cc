#include "train/config_validation.h"

#include <unistd.h>

#include <cmath>
#include <string>
#include <vector>

#include "ATen/detail/CUDAHooksInterface.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "models/transformer_lm.h"

namespace sparsity {
namespace {

template <typename T>
absl::Status Positive(const char* name, T value) {
  if (value > 0 && std::isfinite(static_cast<double>(value))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be positive, got ", value));
}

template <typename T>
absl::Status NonNegative(const char* name, T value) {
  if (value >= 0 && std::isfinite(static_cast<double>(value))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, " must be >= 0, got ", value));
}

absl::Status First(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

using google::protobuf::FieldDescriptor;

// The names of an enum's values, for the error.
std::string ValueNames(const google::protobuf::EnumDescriptor& e) {
  std::string names;
  for (int i = 0; i < e.value_count(); ++i) {
    absl::StrAppend(&names, i ? ", " : "", e.value(i)->name());
  }
  return names;
}

// The i-th value (or the value) of field f, when it is an enum or a float,
// checked.
absl::Status CheckScalar(const google::protobuf::Message& m,
                         const FieldDescriptor& f, int i,
                         const std::string& at) {
  const google::protobuf::Reflection& r = *m.GetReflection();
  double x = 0;
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = f.is_repeated() ? r.GetRepeatedEnumValue(m, &f, i)
                                    : r.GetEnumValue(m, &f);
      if (f.enum_type()->FindValueByNumber(v) != nullptr) {
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "config field ", at, " is ", v, ", which ", f.enum_type()->name(),
          " does not define (", ValueNames(*f.enum_type()), ")"));
    }
    case FieldDescriptor::CPPTYPE_FLOAT:
      x = f.is_repeated() ? r.GetRepeatedFloat(m, &f, i) : r.GetFloat(m, &f);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      x = f.is_repeated() ? r.GetRepeatedDouble(m, &f, i) : r.GetDouble(m, &f);
      break;
    default:
      return absl::OkStatus();
  }
  if (std::isfinite(x)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "config field ", at, " is ", x,
      ": it must be a finite number (a float field holds at most 3.4e38)"));
}

absl::Status ValidateFieldValuesAt(const google::protobuf::Message& m,
                                   const std::string& path) {
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name =
        path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    const int n = f->is_repeated() ? m.GetReflection()->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      const std::string at =
          f->is_repeated() ? absl::StrCat(name, "[", i, "]") : name;
      absl::Status s;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        s = ValidateFieldValuesAt(
            f->is_repeated() ? m.GetReflection()->GetRepeatedMessage(m, f, i)
                             : m.GetReflection()->GetMessage(m, f),
            at);
      } else {
        s = CheckScalar(m, *f, i, at);
      }
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateFieldValues(const google::protobuf::Message& message) {
  return ValidateFieldValuesAt(message, "");
}

absl::Status ValidateOptimConfig(const OptimConfig& o) {
  if (absl::Status s = First({
          NonNegative("optim.lr", o.lr()),  // 0: a no-learning control
          NonNegative("optim.min_lr", o.min_lr()),
          NonNegative("optim.warmup_steps", o.warmup_steps()),
          NonNegative("optim.weight_decay", o.weight_decay()),
          NonNegative("optim.grad_clip", o.grad_clip()),
          Positive("optim.eps", o.eps()),
      });
      !s.ok()) {
    return s;
  }
  if (o.beta1() < 0 || o.beta1() >= 1 || o.beta2() < 0 || o.beta2() >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("optim.beta1 and optim.beta2 must be in [0, 1), got ",
                     o.beta1(), " and ", o.beta2()));
  }
  if (o.min_lr() > o.lr()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "optim.min_lr (", o.min_lr(), ") exceeds optim.lr (", o.lr(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDevice(const std::string& name,
                            const std::string& device) {
  if (device != "cpu" && device != "cuda") {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be cpu or cuda, got '", device, "'"));
  }
  // isBuilt: libtorch_cuda is loaded (at::hasCUDA() also needs a device).
  if (device == "cuda" && !at::detail::getCUDAHooks().isBuilt()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, " is cuda but this LibTorch (", TORCH_VERSION,
        ") was built without CUDA; point --repo_env=TORCH_PATH at a CUDA "
        "LibTorch or use the project's (tools/setup.sh)"));
  }
  if (device == "cuda" && !torch::cuda::is_available()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name,
        " is cuda but LibTorch sees no CUDA device on this machine (no GPU, "
        "or no NVIDIA driver); use --device=cpu"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTrainConfig(const TrainConfig& t) {
  if (absl::Status s =
          First({Positive("train.steps", t.steps()),
                 Positive("train.log_every", t.log_every()),
                 NonNegative("train.threads", t.threads()),
                 NonNegative("train.checkpoint_every", t.checkpoint_every())});
      !s.ok()) {
    return s;
  }
  if (t.steps() > kMaxSteps) {
    return absl::InvalidArgumentError(absl::StrCat(
        "train.steps must be at most ", kMaxSteps, ", got ", t.steps()));
  }
  if (t.threads() > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "train.threads must be at most ", kMaxThreads, ", got ", t.threads()));
  }
  if (t.has_device()) return ValidateDevice("train.device", t.device());
  return absl::OkStatus();
}

absl::Status ValidateDataConfig(const DataConfig& d, const ModelConfig& m) {
  if (d.source() == DataConfig::SOURCE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "data.source must be set (BROWN, RANDOM_TOKENS or FASHION_MNIST)");
  }
  const bool images = d.source() == DataConfig::FASHION_MNIST;
  if (images != (m.family() == ModelConfig::VIT)) {
    return absl::InvalidArgumentError(
        images ? "data.source FASHION_MNIST needs model.family VIT"
               : "model.family VIT needs data.source FASHION_MNIST");
  }
  if (d.image_stream() != DataConfig::IMAGES && !images) {
    return absl::InvalidArgumentError(
        "data.image_stream applies to data.source FASHION_MNIST only");
  }
  if (d.has_label_noise() &&
      (!images || d.image_stream() != DataConfig::IMAGES)) {
    return absl::InvalidArgumentError(
        "data.label_noise applies to data.source FASHION_MNIST with "
        "image_stream IMAGES only");
  }
  if (d.train_examples() != 0 && !images) {
    return absl::InvalidArgumentError(
        "data.train_examples applies to data.source FASHION_MNIST only");
  }
  // Fashion-MNIST's training set (data/image_data.cc checks the files).
  constexpr int kTrainImages = 60000;
  if (d.train_examples() < 0 || d.train_examples() > kTrainImages) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.train_examples must be in [1, ", kTrainImages,
        "] (0 or unset: all training images), got ", d.train_examples()));
  }
  if (!(d.label_noise() >= 0 && d.label_noise() <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.label_noise must be a fraction in [0, 1], got ",
                     d.label_noise()));
  }
  if (images) {
    if (absl::Status s = Positive("data.batch_size", d.batch_size()); !s.ok()) {
      return s;
    }
    if (d.batch_size() > kMaxBatchTokens / 64) {
      return absl::InvalidArgumentError(
          absl::StrCat("data.batch_size must be at most ", kMaxBatchTokens / 64,
                       " images, got ", d.batch_size()));
    }
    return absl::OkStatus();
  }
  if (d.tokenizer() == DataConfig::WORDS) {
    if (d.source() != DataConfig::BROWN) {
      return absl::InvalidArgumentError(
          "data.tokenizer WORDS needs data.source BROWN (random tokens are "
          "ids already)");
    }
    if (m.vocab_size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model.vocab_size must be at least 2 for words (<unk> and one "
          "word), got ",
          m.vocab_size()));
    }
  } else if (d.source() == DataConfig::BROWN && m.vocab_size() < 256) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model.vocab_size must be at least 256 for bytes, got ", m.vocab_size(),
        " (data.tokenizer WORDS for a word vocabulary)"));
  }
  if (absl::Status s = First({Positive("data.seq_len", d.seq_len()),
                              Positive("data.batch_size", d.batch_size())});
      !s.ok()) {
    return s;
  }
  if (d.seq_len() > m.max_seq_len()) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.seq_len (", d.seq_len(),
                     ") exceeds model.max_seq_len (", m.max_seq_len(), ")"));
  }
  if (static_cast<int64_t>(d.seq_len()) * d.batch_size() > kMaxBatchTokens) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.batch_size x data.seq_len must be at most ", kMaxBatchTokens,
        " tokens, got ", static_cast<int64_t>(d.seq_len()) * d.batch_size()));
  }
  if (d.heldout_fraction() <= 0 || d.heldout_fraction() >= 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.heldout_fraction must be in (0, 1), got ", d.heldout_fraction()));
  }
  return absl::OkStatus();
}

absl::Status ValidateProbeConfig(const ProbeConfig& p, const ModelConfig& m) {
  if (absl::Status s =
          First({Positive("probe.every", p.every()),
                 Positive("probe.batch_tokens", p.batch_tokens())});
      !s.ok()) {
    return s;
  }
  if (m.family() == ModelConfig::VIT) {
    // A patch size that does not divide the image is the model's error
    // (ValidateModelConfig), reported first; nothing to check here.
    if (m.patch_size() <= 0 || 28 % m.patch_size() != 0) {
      return absl::OkStatus();
    }
    // Whole images: batch_tokens / tokens per image of them (the data layer
    // checks that the test set holds that many).
    const int64_t side = 28 / m.patch_size();
    const int64_t tokens = side * side + 1;
    if (p.batch_tokens() < tokens || p.batch_tokens() > kMaxBatchTokens) {
      return absl::InvalidArgumentError(absl::StrCat(
          "probe.batch_tokens must be in [", tokens, ", ", kMaxBatchTokens,
          "] (one image is ", tokens, " tokens), got ", p.batch_tokens()));
    }
    return absl::OkStatus();
  }
  if (absl::Status s = Positive("probe.seq_len", p.seq_len()); !s.ok()) {
    return s;
  }
  if (p.seq_len() > m.max_seq_len()) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe.seq_len (", p.seq_len(),
                     ") exceeds model.max_seq_len (", m.max_seq_len(), ")"));
  }
  if (p.batch_tokens() > kMaxBatchTokens) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe.batch_tokens must be at most ", kMaxBatchTokens,
                     ", got ", p.batch_tokens()));
  }
  if (p.batch_tokens() % p.seq_len() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "probe.batch_tokens (", p.batch_tokens(),
        ") must be a multiple of probe.seq_len (", p.seq_len(), ")"));
  }
  return absl::OkStatus();
}

double EstimateRunBytes(const RunConfig& run) {
  const ModelConfig& m = run.model();
  const bool vit = m.family() == ModelConfig::VIT;
  // The ViT: a sequence is an image's patches + CLS; logits per image only.
  const double vit_tokens =
      vit && m.patch_size() > 0
          ? (28.0 / m.patch_size()) * (28.0 / m.patch_size()) + 1
          : 0;
  const double d = m.d_model(), f = m.d_ff(),
               v = vit ? m.num_classes() : m.vocab_size(), l = m.n_layers(),
               h = m.n_heads(), s = vit ? vit_tokens : m.max_seq_len();
  const double params = v * d * (m.tied_head() ? 1 : 2) + s * d +
                        l * (4 * d * d + 2 * d * f + 9 * d + f) + 2 * d;
  const double seq = vit ? vit_tokens : run.data().seq_len();
  const double tokens = static_cast<double>(run.data().batch_size()) * seq;
  // Per layer and token: ~12 d-wide tensors, 3 f-wide, 3 attention rows.
  const double per_token = l * (12 * d + 3 * f + 3 * h * seq) + 4 * v;
  const double probe_tokens = run.probe().batch_tokens();
  const double probe_seq = vit ? vit_tokens : run.probe().seq_len();
  // Held-out and training probe batches, one at a time.
  const double probe = probe_tokens * (f + 2 * d + h * probe_seq + v);
  // Each attention layer keeps a [max_seq_len, max_seq_len] mask buffer
  // (two while it is built).
  const double masks = l * s * s + s * s;
  return 4.0 * (4 * params + tokens * per_token + probe + masks);
}

absl::Status ValidateRunConfig(const RunConfig& run) {
  if (absl::Status s = First({
          ValidateModelConfig(run.model()),
          ValidateDataConfig(run.data(), run.model()),
          ValidateOptimConfig(run.optim()),
          ValidateTrainConfig(run.train()),
          ValidateProbeConfig(run.probe(), run.model()),
      });
      !s.ok()) {
    return s;
  }
  if (!run.has_init_seed() || !run.has_data_seed()) {
    return absl::InvalidArgumentError(
        "init_seed and data_seed must be set (in the preset, a variant or "
        "--seeds)");
  }
  const double pages = static_cast<double>(sysconf(_SC_PHYS_PAGES));
  const double page_size = static_cast<double>(sysconf(_SC_PAGE_SIZE));
  const double physical = pages * page_size;
  const double need = EstimateRunBytes(run);
  if (physical > 0 && need > 0.9 * physical) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "this config needs about %.1f GiB (parameters, optimiser state and "
        "activations) but the machine has %.1f GiB: choose a smaller model, "
        "batch or probe",
        need / (1 << 30), physical / (1 << 30)));
  }
  return absl::OkStatus();
}

}  // namespace sparsity
