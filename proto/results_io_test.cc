#include "proto/results_io.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

std::string TempDir(const std::string& leaf) {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(t ? t : "/tmp") + "/" + leaf;
  fs::remove_all(dir);
  return dir;
}

Results MakeResults() {
  Results r;
  r.mutable_run()->set_experiment("layerwise_sparsity");
  r.mutable_run()->set_seed(7);
  auto* e = r.mutable_layerwise_sparsity();
  e->mutable_config()->mutable_model()->set_d_model(64);
  auto* probe = e->add_probes();
  probe->set_step(100);
  auto* layer = probe->add_layers();
  layer->set_layer(0);
  layer->set_token_density_mean(0.25f);
  layer->add_firing_frequency(0.5f);
  return r;
}

TEST(ResultsIo, RoundTripBinaryAndJson) {
  const std::string dir = TempDir("roundtrip/nested");
  auto path = WriteResults(MakeResults(), dir, "exp", /*json=*/true);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir + "/exp.pb");
  EXPECT_TRUE(fs::exists(dir + "/exp.json"));
  auto back = ReadResults(*path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->run().seed(), 7);
  const auto& layer = back->layerwise_sparsity().probes(0).layers(0);
  EXPECT_FLOAT_EQ(layer.token_density_mean(), 0.25f);
  EXPECT_EQ(back->layerwise_sparsity().config().model().d_model(), 64);
  // No temporary files are left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

TEST(ResultsIo, RejectsTruncatedFileAtEveryLength) {
  const std::string dir = TempDir("truncated");
  auto path = WriteResults(MakeResults(), dir, "exp", /*json=*/false);
  ASSERT_TRUE(path.ok());
  std::ifstream in(*path, std::ios::binary);
  std::string wire((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  ASSERT_GT(wire.size(), 10u);
  for (size_t len = 0; len < wire.size(); ++len) {
    const std::string cut = dir + "/cut.pb";
    std::ofstream(cut, std::ios::binary) << wire.substr(0, len);
    EXPECT_FALSE(ReadResults(cut).ok()) << "accepted a " << len << "-byte cut";
  }
}

TEST(ResultsIo, RejectsGarbageAndMissingFiles) {
  const std::string dir = TempDir("garbage");
  fs::create_directories(dir);
  std::ofstream(dir + "/bad.pb") << "this is not a protobuf \xff\xff\xff";
  EXPECT_EQ(ReadResults(dir + "/bad.pb").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadResults(dir + "/missing.pb").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ResultsIo, UnwritableDirectoryFailsCleanly) {
  if (geteuid() == 0) {
    // root ignores permissions; use a path under a regular file instead.
    const std::string dir = TempDir("file_parent");
    fs::create_directories(dir);
    std::ofstream(dir + "/plain") << "x";
    auto path = WriteResults(MakeResults(), dir + "/plain/sub", "exp", false);
    EXPECT_FALSE(path.ok());
    return;
  }
  const std::string dir = TempDir("readonly");
  fs::create_directories(dir);
  chmod(dir.c_str(), 0555);
  auto path = WriteResults(MakeResults(), dir, "exp", false);
  EXPECT_FALSE(path.ok());
  EXPECT_FALSE(fs::exists(dir + "/exp.pb"));
}

}  // namespace
}  // namespace sparsity
