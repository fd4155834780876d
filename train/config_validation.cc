#include "train/config_validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"

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

}  // namespace

absl::Status ValidateOptimConfig(const OptimConfig& o) {
  if (absl::Status s = First({
          Positive("optim.lr", o.lr()),
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

absl::Status ValidateTrainConfig(const TrainConfig& t) {
  return First({Positive("train.steps", t.steps()),
                Positive("train.log_every", t.log_every()),
                NonNegative("train.threads", t.threads())});
}

absl::Status ValidateDataConfig(const DataConfig& d, const ModelConfig& m) {
  if (d.source() == DataConfig::SOURCE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "data.source must be set (BROWN or RANDOM_TOKENS)");
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
  if (d.heldout_fraction() <= 0 || d.heldout_fraction() >= 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "data.heldout_fraction must be in (0, 1), got ", d.heldout_fraction()));
  }
  return absl::OkStatus();
}

absl::Status ValidateProbeConfig(const ProbeConfig& p, const ModelConfig& m) {
  if (absl::Status s = First({Positive("probe.every", p.every()),
                              Positive("probe.batch_tokens", p.batch_tokens()),
                              Positive("probe.seq_len", p.seq_len())});
      !s.ok()) {
    return s;
  }
  if (p.seq_len() > m.max_seq_len()) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe.seq_len (", p.seq_len(),
                     ") exceeds model.max_seq_len (", m.max_seq_len(), ")"));
  }
  if (p.batch_tokens() % p.seq_len() != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "probe.batch_tokens (", p.batch_tokens(),
        ") must be a multiple of probe.seq_len (", p.seq_len(), ")"));
  }
  return absl::OkStatus();
}

}  // namespace sparsity
