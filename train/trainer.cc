#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ATen/record_function.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "train/checkpoint.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"

namespace sparsity {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// f() with autograd recording only when `needs_grad`.
template <typename F>
auto WithGradIf(bool needs_grad, F&& f) {
  if (needs_grad) return f();
  torch::NoGradGuard no_grad;
  return f();
}

absl::Status DivergedError(float loss, int64_t step, double lr) {
  return absl::InternalError(absl::StrFormat(
      "training loss became %f at step %d (lr %.3g): the run diverged; "
      "lower optim.lr or raise optim.warmup_steps",
      loss, step, lr));
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (seconds < 60) return absl::StrFormat("%.1fs", seconds);
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

Trainer::Trainer(std::shared_ptr<Model> model, const OptimConfig& optim,
                 const TrainConfig& train)
    : model_(std::move(model)),
      optim_(optim),
      train_(train),
      // Collected once: the module tree is walked here, not twice per step.
      params_(model_->parameters()),
      optimizer_(MakeOptimizer(optim_, model_->named_parameters())) {}

absl::Status Trainer::Resume(const std::string& path, TrainingRecord* record) {
  if (absl::Status s = LoadCheckpoint(path, *model_, *optimizer_, record);
      !s.ok()) {
    return s;
  }
  record->mutable_timings()->set_resumed(record->timings().resumed() + 1);
  return absl::OkStatus();
}

absl::Status Trainer::RunProbe(int64_t step, int64_t tokens,
                               TrainingRecord* record) {
  if (!probe_ || !lead()) return absl::OkStatus();
  const auto start = Clock::now();
  model_->eval();
  absl::StatusOr<ProbeSummary> summary =
      WithGradIf(probe_needs_grad_, [&] { return probe_(step, tokens); });
  for (const ProbeMeasurement& m : probe_measurements_) {
    if (!summary.ok()) break;
    absl::Status s =
        WithGradIf(m.needs_grad, [&] { return m.measure(step, *model_); });
    if (!s.ok()) summary = s;
  }
  model_->train();
  Timings& t = *record->mutable_timings();
  t.set_probe_seconds(t.probe_seconds() + SecondsSince(start));
  if (!summary.ok()) return summary.status();
  last_probe_ = *std::move(summary);
  return absl::OkStatus();
}

absl::Status Trainer::RunFinalMeasurements(TrainingRecord* record) {
  if (final_measurements_.empty() || !lead()) return absl::OkStatus();
  const auto start = Clock::now();
  model_->eval();
  absl::Status status;
  {
    torch::NoGradGuard no_grad;
    for (const auto& measure : final_measurements_) {
      status = measure(*model_);
      if (!status.ok()) break;
    }
  }
  model_->train();
  Timings& t = *record->mutable_timings();
  t.set_probe_seconds(t.probe_seconds() + SecondsSince(start));
  return status;
}

void Trainer::PrintProgress(int64_t step, const LossPoint& point,
                            double tokens_per_second, double elapsed,
                            int64_t steps_this_session) const {
  const double eta = steps_this_session > 0
                         ? elapsed / steps_this_session *
                               static_cast<double>(train_.steps() - step)
                         : 0;
  std::string layers;
  for (double v : last_probe_.per_layer) {
    absl::StrAppend(&layers, absl::StrFormat(" %.3f", v));
  }
  std::printf(
      "%sstep %*lld/%lld | loss %.4f | lr %.2e | grad %.2f | %.0f tok/s | "
      "%s%s | %s elapsed | ETA %s\n",
      progress_prefix_.c_str(),
      static_cast<int>(std::to_string(train_.steps()).size()),
      static_cast<long long>(step), static_cast<long long>(train_.steps()),
      point.loss(), point.lr(), point.grad_norm(), tokens_per_second,
      last_probe_.label.empty() ? "probe -" : last_probe_.label.c_str(),
      layers.c_str(), FormatDuration(elapsed).c_str(),
      FormatDuration(eta).c_str());
  std::fflush(stdout);
}

absl::Status Trainer::StartDataParallel(const BatchSource& data,
                                        int64_t first) {
  if (dp_ == nullptr) return absl::OkStatus();
  if (absl::Status s = CheckBatchSplits(data.batch_size(), dp_->world_size());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = dp_->Agree(first, "the step the run starts from");
      !s.ok()) {
    return s;
  }
  dp_->TakeAllReduceSeconds();
  return dp_->Broadcast(params_);
}

Batch Trainer::NextBatch(BatchSource& data, const torch::Device& device) const {
  const Batch global = data.Next();
  if (dp_ == nullptr) return global.To(device);
  return ShardBatch(global, dp_->rank(), dp_->world_size()).To(device);
}

absl::Status Trainer::CallCallbacks(int64_t step, bool after_step) {
  for (TrainingCallback* c : callbacks_) {
    if (!lead() && !c->EveryRank()) continue;
    absl::Status s = after_step ? c->AfterStep(step, *model_)
                                : c->AfterBackward(step, *model_);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<Trainer::StepResult> Trainer::TrainStep(
    BatchSource& data, const torch::Device& device, int64_t step, double lr,
    double max_norm) {
  SetLearningRate(*optimizer_, lr);
  const Batch batch = NextBatch(data, device);
  for (torch::Tensor& p : params_) p.mutable_grad().reset();
  torch::Tensor loss = model_->Loss(batch, train_observer_);
  StepResult result;
  result.loss = loss.item<float>();
  // Data-parallel: the loss is checked once averaged, so that every rank
  // stops at the same step with the same message.
  if (dp_ == nullptr && !std::isfinite(result.loss)) {
    return DivergedError(result.loss, step, lr);
  }
  loss.backward();
  if (dp_ != nullptr) {
    if (absl::Status s = dp_->AverageGradients(params_, &result.loss);
        !s.ok()) {
      return s;
    }
    if (!std::isfinite(result.loss)) {
      return DivergedError(result.loss, step, lr);
    }
  }
  if (absl::Status s = CallCallbacks(step, /*after_step=*/false); !s.ok()) {
    return s;
  }
  {
    RECORD_USER_SCOPE("optimizer");  // for profilers (bench/step_profile.h)
    result.grad_norm = torch::nn::utils::clip_grad_norm_(params_, max_norm);
    optimizer_->step();
  }
  model_->ApplyConstraints(step);
  if (absl::Status s = CallCallbacks(step, /*after_step=*/true); !s.ok()) {
    return s;
  }
  return result;
}

absl::Status Trainer::EndStep(int64_t done, int64_t tokens,
                              TrainingRecord* record) {
  const bool last = done == train_.steps();
  // Every rank at once, before rank 0's measurements.
  if (dp_ != nullptr && (last || (dp_->options().check_every > 0 &&
                                  done % dp_->options().check_every == 0))) {
    if (absl::Status s = dp_->CheckReplicas(params_, done); !s.ok()) return s;
  }
  const bool probe_step =
      probe_every_ > 0 && (done % probe_every_ == 0 || last);
  if (probe_step) {
    if (absl::Status s = RunProbe(done, tokens, record); !s.ok()) return s;
  }
  if (last) {
    if (absl::Status s = RunFinalMeasurements(record); !s.ok()) return s;
  }
  // The other ranks wait (without --dp_timeout_s) while rank 0 measures.
  if (dp_ != nullptr && (probe_step || last)) {
    if (absl::Status s = dp_->Barrier(); !s.ok()) return s;
  }
  if (!lead()) return absl::OkStatus();
  for (TrainingCallback* c : callbacks_) {
    if (absl::Status s = c->AfterLogged(done - 1, *record); !s.ok()) return s;
  }
  if (!checkpoint_path_.empty() &&
      (last || (checkpoint_every_ > 0 && done % checkpoint_every_ == 0))) {
    return SaveCheckpoint(checkpoint_path_, *model_, *optimizer_, *record);
  }
  return absl::OkStatus();
}

absl::Status Trainer::Run(BatchSource& data, TrainingRecord* record) {
  const torch::Device device = model_->device();
  const int64_t first = record->loss_size();
  const int64_t steps = train_.steps();
  if (first > steps) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the record already holds ", first, " steps, more than ", steps));
  }
  record->mutable_loss()->Reserve(static_cast<int>(steps));
  const int64_t tokens_per_step = data.batch_tokens();
  Timings& timings = *record->mutable_timings();
  model_->train();
  // Wall time accumulates over sessions (a resumed run continues the sum
  // its checkpoint holds), so the record's wall time is the run's own.
  const double wall_before = timings.wall_seconds();
  const auto start = Clock::now();
  if (absl::Status s = StartDataParallel(data, first); !s.ok()) return s;
  if (first == 0 && probe_at_start_) {
    if (absl::Status s = RunProbe(0, 0, record); !s.ok()) return s;
  }
  const double max_norm = optim_.grad_clip() > 0
                              ? optim_.grad_clip()
                              : std::numeric_limits<double>::infinity();
  for (int64_t step = first; step < steps; ++step) {
    const auto step_start = Clock::now();
    const double lr = ScheduledLearningRate(optim_, step, steps);
    absl::StatusOr<StepResult> result =
        TrainStep(data, device, step, lr, max_norm);
    if (!result.ok()) return result.status();
    const double step_seconds = SecondsSince(step_start);
    timings.set_train_seconds(timings.train_seconds() + step_seconds);
    if (dp_ != nullptr) {
      timings.set_allreduce_seconds(timings.allreduce_seconds() +
                                    dp_->TakeAllReduceSeconds());
    }
    LossPoint& point = *record->add_loss();
    point.set_step(step + 1);
    point.set_loss(result->loss);
    point.set_lr(static_cast<float>(lr));
    point.set_grad_norm(static_cast<float>(result->grad_norm));
    point.set_seconds(static_cast<float>(step_seconds));
    const int64_t tokens = (step + 1) * tokens_per_step;
    timings.set_tokens_per_second(
        timings.train_seconds() > 0 ? tokens / timings.train_seconds() : 0);
    timings.set_wall_seconds(wall_before + SecondsSince(start));
    if (absl::Status s = EndStep(step + 1, tokens, record); !s.ok()) return s;
    if (!quiet_ && lead() &&
        ((step + 1) % train_.log_every() == 0 || step + 1 == steps)) {
      PrintProgress(step + 1, point, timings.tokens_per_second(),
                    SecondsSince(start), step + 1 - first);
    }
  }
  timings.set_wall_seconds(wall_before + SecondsSince(start));
  return absl::OkStatus();
}

}  // namespace sparsity
