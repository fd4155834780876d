#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "train/lr_schedule.h"

namespace sparsity {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (seconds < 60) return absl::StrFormat("%.1fs", seconds);
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

Trainer::Trainer(TransformerLM model, const OptimConfig& optim,
                 const TrainConfig& train)
    : model_(std::move(model)), optim_(optim), train_(train) {}

absl::Status Trainer::RunProbe(int64_t step, int64_t tokens, TrainingRun* run) {
  if (!probe_) return absl::OkStatus();
  const auto start = Clock::now();
  model_->eval();
  absl::StatusOr<ProbeSummary> summary;
  {
    torch::NoGradGuard no_grad;
    summary = probe_(step, tokens);
  }
  model_->train();
  run->probe_seconds += SecondsSince(start);
  if (!summary.ok()) return summary.status();
  last_probe_ = *std::move(summary);
  return absl::OkStatus();
}

void Trainer::PrintProgress(int64_t step, const LossPoint& point,
                            double tokens_per_second, double elapsed) const {
  const double eta =
      step > 0 ? elapsed / step * static_cast<double>(train_.steps() - step)
               : 0;
  std::string layers;
  for (double v : last_probe_.per_layer)
    absl::StrAppend(&layers, absl::StrFormat(" %.3f", v));
  std::printf(
      "step %*lld/%lld | loss %.4f | lr %.2e | grad %.2f | %.0f tok/s | %s%s "
      "| %s elapsed | ETA %s\n",
      static_cast<int>(std::to_string(train_.steps()).size()),
      static_cast<long long>(step), static_cast<long long>(train_.steps()),
      point.loss(), point.lr(), point.grad_norm(), tokens_per_second,
      last_probe_.label.empty() ? "probe -" : last_probe_.label.c_str(),
      layers.c_str(), FormatDuration(elapsed).c_str(),
      FormatDuration(eta).c_str());
  std::fflush(stdout);
}

absl::StatusOr<TrainingRun> Trainer::Run(BatchSource& data) {
  // AdamW with decoupled weight decay on weight matrices and embeddings only
  // (biases and LayerNorm parameters are not decayed).
  // Collected once: the module tree is walked here, not twice per step.
  std::vector<torch::Tensor> params = model_->parameters();
  std::vector<torch::Tensor> decay, no_decay;
  for (const torch::Tensor& p : params) {
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  auto options = torch::optim::AdamWOptions(optim_.lr())
                     .betas({optim_.beta1(), optim_.beta2()})
                     .eps(optim_.eps());
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 options.weight_decay(optim_.weight_decay())));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    options.weight_decay(0.0)));
  torch::optim::AdamW optimizer(std::move(groups));

  TrainingRun run;
  run.loss.reserve(train_.steps());
  const int64_t tokens_per_step = data.batch_size() * data.seq_len();
  model_->train();
  if (probe_at_start_) {
    if (absl::Status s = RunProbe(0, 0, &run); !s.ok()) return s;
  }
  const auto start = Clock::now();
  for (int64_t step = 0; step < train_.steps(); ++step) {
    const auto step_start = Clock::now();
    const double lr = ScheduledLearningRate(optim_, step, train_.steps());
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
    torch::Tensor batch = data.Next();
    for (torch::Tensor& p : params) p.mutable_grad().reset();
    torch::Tensor loss = model_->NextTokenLoss(batch, train_observer_);
    const float loss_value = loss.item<float>();
    if (!std::isfinite(loss_value)) {
      return absl::InternalError(absl::StrFormat(
          "training loss became %f at step %d (lr %.3g): the run diverged; "
          "lower optim.lr or raise optim.warmup_steps",
          loss_value, step, lr));
    }
    loss.backward();
    const double max_norm = optim_.grad_clip() > 0
                                ? optim_.grad_clip()
                                : std::numeric_limits<double>::infinity();
    const double grad_norm =
        torch::nn::utils::clip_grad_norm_(params, max_norm);
    optimizer.step();
    run.tokens += tokens_per_step;
    const double step_seconds = SecondsSince(step_start);
    run.train_seconds += step_seconds;

    LossPoint& point = run.loss.emplace_back();
    point.set_step(step + 1);
    point.set_loss(loss_value);
    point.set_lr(static_cast<float>(lr));
    point.set_grad_norm(static_cast<float>(grad_norm));
    point.set_seconds(static_cast<float>(step_seconds));

    const bool last = step + 1 == train_.steps();
    if (probe_every_ > 0 && ((step + 1) % probe_every_ == 0 || last)) {
      if (absl::Status s = RunProbe(step + 1, run.tokens, &run); !s.ok()) {
        return s;
      }
    }
    if (!quiet_ && ((step + 1) % train_.log_every() == 0 || last)) {
      PrintProgress(step + 1, point, run.tokens / run.train_seconds,
                    SecondsSince(start));
    }
  }
  run.tokens_per_second =
      run.train_seconds > 0 ? run.tokens / run.train_seconds : 0;
  return run;
}

}  // namespace sparsity
