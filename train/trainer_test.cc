#include "train/trainer.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "models/transformer_lm.h"
#include "train/fused_adamw.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"
#include "train/sparsity_probe.h"

namespace sparsity {
namespace {

OptimConfig Optim() {
  OptimConfig o;
  o.set_lr(3e-3);
  o.set_min_lr(3e-4);
  o.set_warmup_steps(5);
  o.set_weight_decay(0.1);
  o.set_beta1(0.9);
  o.set_beta2(0.95);
  o.set_eps(1e-8);
  o.set_grad_clip(1.0);
  return o;
}

TEST(ScheduledLearningRate, WarmupThenCosineToMin) {
  OptimConfig o = Optim();
  // (proto fields are float: compare to float precision)
  EXPECT_NEAR(ScheduledLearningRate(o, 0, 105), 3e-3 / 5, 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 4, 105), 3e-3, 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 55, 105), (3e-3 + 3e-4) / 2, 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 105, 105), 3e-4, 1e-9);
  EXPECT_LT(ScheduledLearningRate(o, 80, 105),
            ScheduledLearningRate(o, 30, 105));
}

TransformerLM SmallLm() {
  return TransformerLM(TransformerLMOptions(16, 32, 2, 4, 64, 16));
}

TEST(Trainer, LearnsARepeatingPatternAndProbesOnSchedule) {
  torch::manual_seed(0);
  TransformerLM lm = SmallLm();
  TrainConfig train;
  train.set_steps(60);
  train.set_log_every(20);
  Trainer trainer(lm.ptr(), Optim(), train);
  std::vector<int64_t> probe_steps;
  trainer.set_probe(25,
                    [&](int64_t step, int64_t) -> absl::StatusOr<ProbeSummary> {
                      EXPECT_FALSE(torch::GradMode::is_enabled());
                      EXPECT_FALSE(lm->is_training());
                      probe_steps.push_back(step);
                      return ProbeSummary{"density", {0.5, 0.25}};
                    });
  // Batches of "0 1 2 ... 15 0 1 ...": perfectly predictable.
  class Counting : public BatchSource {
   public:
    Batch Next() override {
      return NextTokenBatch(torch::arange(17).remainder(16).repeat({4, 1}));
    }
    int64_t batch_size() const override { return 4; }
    int64_t seq_len() const override { return 16; }
  } data;
  TrainingRecord record;
  absl::Status run = trainer.Run(data, &record);
  ASSERT_TRUE(run.ok()) << run;
  ASSERT_EQ(record.loss_size(), 60);
  EXPECT_GT(record.timings().tokens_per_second(), 0);
  EXPECT_LT(record.loss(59).loss(), 0.2 * record.loss(0).loss());
  EXPECT_EQ(probe_steps, (std::vector<int64_t>{0, 25, 50, 60}));
  EXPECT_TRUE(lm->is_training());
}

TEST(Trainer, NonFiniteLossStopsWithAClearError) {
  torch::manual_seed(0);
  TransformerLM lm = SmallLm();
  {
    torch::NoGradGuard g;
    lm->tok_emb->weight.fill_(std::numeric_limits<float>::quiet_NaN());
  }
  TrainConfig train;
  train.set_steps(3);
  train.set_log_every(1);
  Trainer trainer(lm.ptr(), Optim(), train);
  trainer.set_quiet(true);
  RandomTokenSource data(16, 8, 2, 1);
  TrainingRecord record;
  absl::Status run = trainer.Run(data, &record);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.message().find("at step 0"), std::string::npos) << run;
  EXPECT_NE(run.message().find("nan"), std::string::npos);
}

TEST(SparsityProbe, MeasuresEveryLayerWithoutChangingTheModel) {
  torch::manual_seed(4);
  TransformerLM lm = SmallLm();
  torch::Tensor batch = torch::randint(0, 16, {4, 9}, torch::kLong);
  SparsityProbe probe(NextTokenBatch(batch));
  auto before = lm->parameters()[0].clone();
  SparsityMeasurement m = probe.Measure(*lm);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(probe.tokens(), 32);
  for (const auto& layer : m.layers) {
    EXPECT_EQ(layer.tokens, 32);
    EXPECT_EQ(layer.sequences, 4);
    EXPECT_GT(layer.token_density.mean, 0.2);  // ReLU of ~N(0, s): about half
    EXPECT_LT(layer.token_density.mean, 0.8);
    EXPECT_LE(layer.token_density.mean, layer.sequence_union_density);
    EXPECT_LE(layer.sequence_union_density, layer.batch_union_density);
  }
  EXPECT_NEAR(m.loss, std::log(16.0f), 0.3f);
  EXPECT_TRUE(torch::equal(before, lm->parameters()[0]));
  Probe proto;
  ToProto(m, /*with_firing_frequency=*/true, &proto);
  ASSERT_EQ(proto.layers_size(), 2);
  EXPECT_EQ(proto.layers(1).firing_frequency_size(), 64);
}

// Counts calls and checks that gradients exist after backward.
class CountingCallback : public TrainingCallback {
 public:
  absl::Status AfterBackward(int64_t step, Model& model) override {
    ++after_backward;
    bool all = true;
    for (const auto& p : model.parameters()) all &= p.grad().defined();
    grads_present &= all;
    return absl::OkStatus();
  }
  absl::Status AfterStep(int64_t step, Model&) override {
    steps.push_back(step);
    return step == stop_at ? absl::AbortedError("stop requested")
                           : absl::OkStatus();
  }
  int after_backward = 0;
  bool grads_present = true;
  std::vector<int64_t> steps;
  int64_t stop_at = -1;
};

TEST(Trainer, CallbacksRunEveryStepAndCanStopTheRun) {
  torch::manual_seed(0);
  TransformerLM lm = SmallLm();
  TrainConfig train;
  train.set_steps(5);
  train.set_log_every(5);
  Trainer trainer(lm.ptr(), Optim(), train);
  trainer.set_quiet(true);
  CountingCallback cb;
  trainer.add_callback(&cb);
  RandomTokenSource data(16, 8, 2, 1);
  TrainingRecord record;
  ASSERT_TRUE(trainer.Run(data, &record).ok());
  EXPECT_EQ(cb.after_backward, 5);
  EXPECT_TRUE(cb.grads_present);
  EXPECT_EQ(cb.steps, (std::vector<int64_t>{0, 1, 2, 3, 4}));

  Trainer again(lm.ptr(), Optim(), train);
  again.set_quiet(true);
  CountingCallback stopper;
  stopper.stop_at = 2;
  again.add_callback(&stopper);
  TrainingRecord r2;
  EXPECT_EQ(again.Run(data, &r2).code(), absl::StatusCode::kAborted);
}

TEST(Trainer, ProbesMayAskForGradientsWithoutChangingTraining) {
  // Two identical runs, one with a probe that computes gradients of the
  // loss on its own batch: the training curves must be identical.
  TrainConfig train;
  train.set_steps(6);
  train.set_log_every(100);
  std::vector<TrainingRecord> records;
  int grad_probes = 0;
  for (bool with_probe : {false, true}) {
    torch::manual_seed(5);
    TransformerLM lm = SmallLm();
    Trainer trainer(lm.ptr(), Optim(), train);
    trainer.set_quiet(true);
    if (with_probe) {
      trainer.set_probe(
          2,
          [&](int64_t, int64_t) -> absl::StatusOr<ProbeSummary> {
            EXPECT_TRUE(torch::GradMode::is_enabled());
            Batch b = NextTokenBatch(torch::randint(0, 16, {2, 9}));
            lm->Loss(b, nullptr).backward();
            for (auto& p : lm->parameters()) p.mutable_grad().reset();
            ++grad_probes;
            return ProbeSummary{};
          },
          /*needs_grad=*/true);
    }
    RandomTokenSource data(16, 8, 2, 1);
    TrainingRecord record;
    ASSERT_TRUE(trainer.Run(data, &record).ok());
    records.push_back(record);
  }
  EXPECT_EQ(grad_probes, 4);  // steps 0, 2, 4, 6
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(records[0].loss(i).loss(), records[1].loss(i).loss()) << i;
  }
}

TEST(MakeOptimizer, SgdOrAdamWWithDecayOnMatricesOnly) {
  TransformerLM lm = SmallLm();
  OptimConfig o = Optim();
  auto adamw = MakeOptimizer(o, lm->parameters());
  ASSERT_NE(dynamic_cast<torch::optim::AdamW*>(adamw.get()), nullptr);
  // Fused unless the config says otherwise.
  EXPECT_NE(dynamic_cast<FusedAdamW*>(adamw.get()), nullptr);
  OptimConfig unfused = o;
  unfused.set_fused(false);
  EXPECT_EQ(
      dynamic_cast<FusedAdamW*>(MakeOptimizer(unfused, lm->parameters()).get()),
      nullptr);
  ASSERT_EQ(adamw->param_groups().size(), 2u);
  for (const auto& p : adamw->param_groups()[0].params()) EXPECT_GE(p.dim(), 2);
  for (const auto& p : adamw->param_groups()[1].params()) EXPECT_EQ(p.dim(), 1);
  o.set_optimizer(OptimConfig::SGD);
  o.set_momentum(0.9);
  auto sgd = MakeOptimizer(o, lm->parameters());
  ASSERT_NE(dynamic_cast<torch::optim::SGD*>(sgd.get()), nullptr);
  SetLearningRate(*sgd, 0.25);
  for (auto& g : sgd->param_groups()) EXPECT_EQ(g.options().get_lr(), 0.25);
}

// Trains `steps` steps of a fresh seeded model; with `stop_after` > 0, the
// first trainer stops there (as if killed after its checkpoint) and a new
// process-like trainer resumes from the checkpoint.
TrainingRecord TrainPossiblyInterrupted(int64_t steps, int64_t stop_after,
                                        const std::string& ckpt,
                                        OptimConfig optim) {
  TrainConfig train;
  train.set_steps(steps);
  train.set_log_every(100);
  auto make = [&]() {
    torch::manual_seed(7);
    return SmallLm();
  };
  TrainingRecord record;
  if (stop_after > 0) {
    TransformerLM lm = make();
    Trainer trainer(lm.ptr(), optim, train);
    trainer.set_quiet(true);
    trainer.set_checkpoint(ckpt, static_cast<int>(stop_after));
    CountingCallback stopper;
    stopper.stop_at = stop_after;  // fails the step after the checkpoint
    trainer.add_callback(&stopper);
    RandomTokenSource data(16, 8, 2, 3);
    TrainingRecord partial;
    EXPECT_FALSE(trainer.Run(data, &partial).ok());
    torch::manual_seed(12345);  // the global RNG moves on in between
  }
  TransformerLM lm = make();
  Trainer trainer(lm.ptr(), optim, train);
  trainer.set_quiet(true);
  RandomTokenSource data(16, 8, 2, 3);
  if (stop_after > 0) {
    EXPECT_TRUE(trainer.Resume(ckpt, &record).ok());
    EXPECT_EQ(record.loss_size(), stop_after);
    data.Skip(record.loss_size());
  }
  EXPECT_TRUE(trainer.Run(data, &record).ok());
  return record;
}

void ExpectSameCurve(const TrainingRecord& a, const TrainingRecord& b) {
  ASSERT_EQ(a.loss_size(), b.loss_size());
  for (int i = 0; i < a.loss_size(); ++i) {
    EXPECT_EQ(a.loss(i).loss(), b.loss(i).loss()) << i;
    EXPECT_EQ(a.loss(i).grad_norm(), b.loss(i).grad_norm()) << i;
    EXPECT_EQ(a.loss(i).lr(), b.loss(i).lr()) << i;
  }
}

TEST(Checkpoint, ResumedRunEqualsUninterruptedAdamW) {
  const std::string ckpt =
      std::string(std::getenv("TEST_TMPDIR")) + "/adamw.ckpt";
  TrainingRecord straight = TrainPossiblyInterrupted(12, 0, ckpt, Optim());
  TrainingRecord resumed = TrainPossiblyInterrupted(12, 5, ckpt, Optim());
  ExpectSameCurve(straight, resumed);
  EXPECT_EQ(resumed.timings().resumed(), 1);
}

TEST(Checkpoint, ResumedRunEqualsUninterruptedSgd) {
  OptimConfig o = Optim();
  o.set_optimizer(OptimConfig::SGD);
  o.set_momentum(0.9);
  const std::string ckpt =
      std::string(std::getenv("TEST_TMPDIR")) + "/sgd.ckpt";
  ExpectSameCurve(TrainPossiblyInterrupted(10, 0, ckpt, o),
                  TrainPossiblyInterrupted(10, 4, ckpt, o));
}

TEST(Checkpoint, CorruptFileIsAClearError) {
  const std::string ckpt =
      std::string(std::getenv("TEST_TMPDIR")) + "/corrupt.ckpt";
  { std::ofstream(ckpt) << "not a checkpoint"; }
  TransformerLM lm = SmallLm();
  TrainConfig train;
  train.set_steps(2);
  Trainer trainer(lm.ptr(), Optim(), train);
  TrainingRecord record;
  absl::Status s = trainer.Resume(ckpt, &record);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("corrupt.ckpt"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.message().begin(), s.message().end(), '\n'), 0);
}

}  // namespace
}  // namespace sparsity
