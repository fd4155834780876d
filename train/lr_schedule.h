// Learning-rate schedule: linear warmup from 0 to optim.lr over
// optim.warmup_steps, then cosine decay to optim.min_lr at total_steps.
//
//   double lr = ScheduledLearningRate(optim, step, total_steps);
#ifndef SPARSITY_TRAIN_LR_SCHEDULE_H_
#define SPARSITY_TRAIN_LR_SCHEDULE_H_

#include <cmath>
#include <cstdint>

#include "proto/config.pb.h"

namespace sparsity {

// Learning rate for optimiser step `step` (0-based).
inline double ScheduledLearningRate(const OptimConfig& optim, int64_t step,
                                    int64_t total_steps) {
  const int64_t warmup = optim.warmup_steps();
  if (step < warmup) {
    return optim.lr() * static_cast<double>(step + 1) / warmup;
  }
  const int64_t decay_steps = total_steps - warmup;
  if (decay_steps <= 0) return optim.lr();
  const double progress =
      std::min(1.0, static_cast<double>(step - warmup) / decay_steps);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return optim.min_lr() + (optim.lr() - optim.min_lr()) * cosine;
}

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_LR_SCHEDULE_H_
