#include "train/trainer.h"

#include "gtest/gtest.h"
#include "train/lr_schedule.h"
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
  Trainer trainer(lm, Optim(), train);
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
    torch::Tensor Next() override {
      return torch::arange(17).remainder(16).repeat({4, 1});
    }
    int64_t batch_size() const override { return 4; }
    int64_t seq_len() const override { return 16; }
  } data;
  auto run = trainer.Run(data);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->loss.size(), 60u);
  EXPECT_EQ(run->tokens, 60 * 64);
  EXPECT_LT(run->loss.back().loss(), 0.2 * run->loss.front().loss());
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
  Trainer trainer(lm, Optim(), train);
  trainer.set_quiet(true);
  RandomTokenSource data(16, 8, 2, 1);
  auto run = trainer.Run(data);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("at step 0"), std::string::npos)
      << run.status();
  EXPECT_NE(run.status().message().find("nan"), std::string::npos);
}

TEST(SparsityProbe, MeasuresEveryLayerWithoutChangingTheModel) {
  torch::manual_seed(4);
  TransformerLM lm = SmallLm();
  torch::Tensor batch = torch::randint(0, 16, {4, 9}, torch::kLong);
  SparsityProbe probe(batch);
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

}  // namespace
}  // namespace sparsity
