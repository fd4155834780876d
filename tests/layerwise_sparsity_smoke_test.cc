// End to end: the smoke preset of //experiments:layerwise_sparsity trains,
// probes and writes a complete results file; the same seed gives the same
// results (timings aside); the renderer turns it into a report with plots.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/results_io.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  EXPECT_NE(v, nullptr) << name;
  return v ? v : "";
}

std::string Tmp(const std::string& leaf) {
  return Env("TEST_TMPDIR") + "/" + leaf;
}

int RunExperiment(const std::string& out_dir, const std::string& extra = "") {
  const std::string corpus = fs::path(Env("BROWN_CA01")).parent_path().string();
  const std::string cmd = Env("EXPERIMENT") + " --preset=smoke --quiet --json" +
                          " --out_dir=" + out_dir + " --corpus_dir=" + corpus +
                          " " + extra;
  return std::system(cmd.c_str());
}

Results WithoutTimings(Results r) {
  RunInfo* run = r.mutable_run();
  run->clear_wall_seconds();
  run->clear_train_seconds();
  run->clear_probe_seconds();
  run->clear_tokens_per_second();
  run->clear_start_time_utc();
  run->clear_command_line();
  for (LossPoint& p : *r.mutable_layerwise_sparsity()->mutable_loss()) {
    p.clear_seconds();
  }
  return r;
}

TEST(LayerwiseSparsitySmoke, WritesCompleteResults) {
  const std::string out = Tmp("run1");
  ASSERT_EQ(RunExperiment(out), 0);
  ASSERT_TRUE(fs::exists(out + "/layerwise_sparsity.json"));
  absl::StatusOr<Results> r = ReadResults(out + "/layerwise_sparsity.pb");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->run().experiment(), "layerwise_sparsity");
  EXPECT_EQ(r->run().preset(), "smoke");
  EXPECT_FALSE(r->run().machine().empty());
  EXPECT_GT(r->run().tokens_per_second(), 0);
  const LayerwiseSparsityResults& e = r->layerwise_sparsity();
  const int64_t steps = e.config().train().steps();
  const int every = e.config().probe().every();
  const int layers = e.config().model().n_layers();
  ASSERT_EQ(e.loss_size(), steps);
  // Probes at 0, every, 2 * every, ... and at the last step.
  ASSERT_EQ(e.probes_size(), steps / every + 1 + (steps % every ? 1 : 0));
  EXPECT_EQ(e.probes(0).step(), 0);
  EXPECT_EQ(e.probes(e.probes_size() - 1).step(), steps);
  EXPECT_EQ(e.probe_tokens(), e.config().probe().batch_tokens());
  for (const Probe& p : e.probes()) {
    ASSERT_EQ(p.layers_size(), layers);
    EXPECT_TRUE(std::isfinite(p.probe_loss()));
    for (const LayerSparsity& l : p.layers()) {
      EXPECT_GE(l.token_density_mean(), 0);
      EXPECT_LE(l.token_density_p10(), l.token_density_p50());
      EXPECT_LE(l.token_density_p50(), l.token_density_p90());
      EXPECT_LE(l.token_density_mean(), l.sequence_union_density() + 1e-6);
      EXPECT_LE(l.sequence_union_density(), l.batch_union_density() + 1e-6);
      EXPECT_LE(l.batch_union_density(), 1.0);
      const bool final_probe = p.step() == steps;
      EXPECT_EQ(l.firing_frequency_size(),
                final_probe ? e.config().model().d_ff() : 0);
    }
  }
  // Training did something: loss fell from ~ln(256).
  EXPECT_LT(e.loss(steps - 1).loss(), e.loss(0).loss() - 0.5);
}

TEST(LayerwiseSparsitySmoke, SameSeedSameResults) {
  ASSERT_EQ(RunExperiment(Tmp("a")), 0);
  ASSERT_EQ(RunExperiment(Tmp("b")), 0);
  ASSERT_EQ(RunExperiment(Tmp("c"), "--seed=2"), 0);
  Results a =
      WithoutTimings(ReadResults(Tmp("a/layerwise_sparsity.pb")).value());
  Results b =
      WithoutTimings(ReadResults(Tmp("b/layerwise_sparsity.pb")).value());
  Results c =
      WithoutTimings(ReadResults(Tmp("c/layerwise_sparsity.pb")).value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(a, c));
  EXPECT_EQ(c.run().seed(), 2);
}

TEST(LayerwiseSparsitySmoke, RendersReportWithPlots) {
  const std::string out = Tmp("render_in");
  ASSERT_EQ(RunExperiment(out), 0);
  fs::remove(out + "/layerwise_sparsity.json");
  const std::string reports = Tmp("render_out");
  const std::string cmd = Env("RENDER") + " --results_dir=" + out +
                          " --out_dir=" + reports + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(reports + "/layerwise_sparsity.md");
  std::stringstream md;
  md << in.rdbuf();
  for (const char* needle :
       {"## Findings", "## Final values per layer", "batch union",
        "layerwise_sparsity_token_density.png", "layerwise_sparsity_loss.png",
        "layerwise_sparsity_batch_union.png",
        "layerwise_sparsity_sequence_union.png", "| 1 |"}) {
    EXPECT_NE(md.str().find(needle), std::string::npos) << needle;
  }
  for (const char* png :
       {"token_density", "batch_union", "sequence_union", "loss"}) {
    const std::string path =
        reports + "/layerwise_sparsity_" + std::string(png) + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    std::ifstream f(path, std::ios::binary);
    char magic[4] = {0};
    f.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << path;
    EXPECT_GT(fs::file_size(path), 5000u) << path;
  }
}

}  // namespace
}  // namespace sparsity
