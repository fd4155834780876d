#include "train/data_parallel.h"

#include <cstdlib>
#include <functional>
#include <thread>

#include "common/local_port.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

// Runs body(rank's DataParallel) on `world` ranks, one thread each.
void OnRanks(int world, const DataParallel::Options& options,
             const std::function<void(DataParallel&)>& body) {
  const absl::StatusOr<int> port_or = FreeLocalPort();
  ASSERT_TRUE(port_or.ok()) << port_or.status();
  const int port = *port_or;
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      DistributedEnv env;
      env.rank = r;
      env.world_size = world;
      env.master_port = port;
      absl::StatusOr<std::unique_ptr<DataParallel>> dp =
          DataParallel::Connect(env, torch::kCPU, options);
      ASSERT_TRUE(dp.ok()) << dp.status();
      body(**dp);
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(ShardBatch, EachRankGetsItsRowsInOrder) {
  Batch global{torch::arange(12).reshape({6, 2}), torch::arange(6)};
  const Batch second = ShardBatch(global, 1, 3);
  EXPECT_TRUE(torch::equal(second.inputs, torch::tensor({{4, 5}, {6, 7}})));
  EXPECT_TRUE(torch::equal(second.targets, torch::tensor({2, 3})));
  EXPECT_TRUE(torch::equal(ShardBatch(global, 0, 1).inputs, global.inputs));
}

TEST(DistributedEnvFromEnvironment, ReadsTorchrunNamesAndRejectsBadOnes) {
  unsetenv("RANK");
  unsetenv("WORLD_SIZE");
  absl::StatusOr<DistributedEnv> alone = DistributedEnvFromEnvironment();
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->world_size, 1);
  setenv("RANK", "1", 1);
  setenv("WORLD_SIZE", "4", 1);
  setenv("MASTER_ADDR", "node7", 1);
  setenv("MASTER_PORT", "1234", 1);
  absl::StatusOr<DistributedEnv> env = DistributedEnvFromEnvironment();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->rank, 1);
  EXPECT_EQ(env->world_size, 4);
  EXPECT_EQ(env->master_addr, "node7");
  EXPECT_EQ(env->master_port, 1234);
  setenv("RANK", "4", 1);
  EXPECT_FALSE(DistributedEnvFromEnvironment().ok());
  setenv("RANK", "x", 1);
  EXPECT_NE(DistributedEnvFromEnvironment().status().message().find("RANK"),
            std::string::npos);
  for (const char* v : {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) {
    unsetenv(v);
  }
}

// Each rank's gradients are r + 1 times a known pattern; the average over
// 3 ranks is twice the pattern, in every bucket (small buckets: several).
TEST(DataParallel, AveragesGradientsAndLossInBuckets) {
  DataParallel::Options options;
  options.bucket_bytes = 64;  // 16 floats: the 40-element tensor alone
  OnRanks(3, options, [](DataParallel& dp) {
    std::vector<torch::Tensor> params = {torch::zeros({3, 4}),
                                         torch::zeros({40}), torch::zeros({5}),
                                         torch::zeros({2})};
    for (size_t i = 0; i < params.size(); ++i) {
      if (i == 3) continue;  // no gradient: left alone
      params[i].mutable_grad() =
          (dp.rank() + 1) * torch::arange(params[i].numel())
                                .to(torch::kFloat)
                                .reshape(params[i].sizes());
    }
    float loss = static_cast<float>(dp.rank());
    ASSERT_TRUE(dp.AverageGradients(params, &loss).ok());
    EXPECT_FLOAT_EQ(loss, 1.0f);
    for (size_t i = 0; i < 3; ++i) {
      const torch::Tensor want =
          2 * torch::arange(params[i].numel()).to(torch::kFloat);
      EXPECT_TRUE(torch::allclose(params[i].grad().reshape({-1}), want));
    }
    EXPECT_FALSE(params[3].grad().defined());
    EXPECT_GT(dp.TakeAllReduceSeconds(), 0);
  });
}

TEST(DataParallel, BroadcastsRankZerosValuesAndChecksReplicas) {
  OnRanks(2, {}, [](DataParallel& dp) {
    std::vector<torch::Tensor> params = {
        torch::full({2, 3}, static_cast<float>(dp.rank())),
        torch::full({4}, 10.0f + dp.rank())};
    EXPECT_FALSE(dp.CheckReplicas(params, 7).ok());
    ASSERT_TRUE(dp.Broadcast(params).ok());
    EXPECT_TRUE(torch::equal(params[0], torch::zeros({2, 3})));
    EXPECT_TRUE(torch::equal(params[1], torch::full({4}, 10.0f)));
    EXPECT_TRUE(dp.CheckReplicas(params, 8).ok());
    if (dp.rank() == 1) params[1][2] = 10.5f;  // one element on one rank
    const absl::Status diverged = dp.CheckReplicas(params, 9);
    EXPECT_NE(diverged.message().find("after step 9"), std::string::npos)
        << diverged;
    EXPECT_NE(diverged.message().find("0.5"), std::string::npos) << diverged;
  });
}

TEST(DataParallel, AgreeNamesTheDisagreement) {
  OnRanks(2, {}, [](DataParallel& dp) {
    EXPECT_TRUE(dp.Agree(5, "the step").ok());
    const absl::Status s = dp.Agree(dp.rank() * 3, "the resume step");
    EXPECT_NE(s.message().find("the resume step (0 to 3)"), std::string::npos)
        << s;
    torch::Tensor counts = torch::tensor({1, dp.rank()}, torch::kInt32);
    ASSERT_TRUE(dp.SumInPlace(counts).ok());
    EXPECT_TRUE(torch::equal(counts, torch::tensor({2, 1}, torch::kInt32)));
    torch::Tensor norms = torch::tensor({1.0f * dp.rank(), 2.0f});
    ASSERT_TRUE(dp.MaxInPlace(norms).ok());
    EXPECT_TRUE(torch::equal(norms, torch::tensor({1.0f, 2.0f})));
    EXPECT_EQ(dp.backend_name(), "gloo");
  });
}

}  // namespace
}  // namespace sparsity
