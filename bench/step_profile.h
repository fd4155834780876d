// What a training step spends its time on, and the time of its matrix
// products alone (its "matmul floor"), from LibTorch's profiler hooks
// (at::RecordFunction callbacks on the calling thread, which on CPU also
// runs autograd's backward).
//
//   StepProfiler profiler;                  // observes until destroyed
//   trainer.Run(data, &record);             // e.g. 10 steps
//   StepBreakdown b = profiler.Breakdown();
//
//   std::vector<GemmCall> gemms = CaptureGemms([&] { one_step(); });
//   double floor = TimeGemms(gemms, 20);    // median seconds per replay
//
// Categories, from the scopes the code opens (RECORD_USER_SCOPE in
// models/attention.cc, models/mlp.cc and train/trainer.cc) and op names:
//   attention  ops inside a SelfAttention forward, and their backward
//   mlp        ops inside an Mlp forward, and their backward
//   norms      LayerNorm forward and backward
//   optimizer  gradient clipping and the optimiser step
//   other      embeddings, residual adds, the LM head, the loss, the data
// Backward ops are attributed to the forward op that created their autograd
// node (by its sequence number). Only top-level ops are timed (an op's
// nested ops are part of it). Matrix products (aten::mm, addmm, bmm,
// baddbmm) are also timed on their own, at any depth: the products inside
// fused kernels (LibTorch's fused attention) are not ops and count as
// non-GEMM time of their category. Times are host wall times: on CUDA they
// time kernel launches, not kernels (the training step's own time, which
// waits for the GPU every step, is what to compare there). One profiler at a
// time, one step at a time: the state is shared without locks by the thread
// that runs the step and autograd's device threads, which take turns.
#ifndef SPARSITY_BENCH_STEP_PROFILE_H_
#define SPARSITY_BENCH_STEP_PROFILE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ATen/core/ivalue.h"
#include "ATen/record_function.h"
#include "c10/core/ScalarType.h"

namespace sparsity {

inline constexpr std::array<const char*, 5> kStepCategories = {
    "attention", "mlp", "norms", "optimizer", "other"};

struct StepBreakdown {
  // Seconds per category (kStepCategories order): all of its top-level ops,
  // and the matrix products among them.
  std::array<double, kStepCategories.size()> seconds{};
  std::array<double, kStepCategories.size()> gemm_seconds{};
  std::array<int64_t, kStepCategories.size()> gemms{};  // products run
  int64_t ops = 0;                                      // top-level ops timed
};

class StepProfiler {
 public:
  StepProfiler();  // starts observing this thread
  ~StepProfiler();
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  StepBreakdown Breakdown() const;

 private:
  at::CallbackHandle handle_;
};

// One matrix product as the step called it: the operator and its arguments
// (tensors by shape, strides and dtype; other arguments by value).
struct GemmCall {
  std::string name;      // aten::addmm
  std::string overload;  // "" for the default
  struct Arg {
    bool is_tensor = false;
    std::vector<int64_t> sizes, strides;
    c10::ScalarType dtype = c10::ScalarType::Float;
    c10::Device device = c10::kCPU;
    c10::IValue value;  // when !is_tensor
  };
  std::vector<Arg> args;
  double flops = 0;  // 2 x multiply-adds (addmm's bias adds not counted)
};

// The matrix products `step` runs, in order, on this thread.
std::vector<GemmCall> CaptureGemms(const std::function<void()>& step);

// Runs the captured products on random tensors of the same shapes and
// strides (through the dispatcher, so with the same kernels and threads),
// `repeats` (> 0) times after one untimed pass; the mean seconds of a pass
// (the same estimator as a training step's wall time / steps).
double TimeGemms(const std::vector<GemmCall>& gemms, int repeats);

}  // namespace sparsity

#endif  // SPARSITY_BENCH_STEP_PROFILE_H_
