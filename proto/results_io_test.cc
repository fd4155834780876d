#include "proto/results_io.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
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
  r.mutable_run()->set_preset("smoke");
  auto* e = r.mutable_layerwise_sparsity();
  e->mutable_config()->mutable_base()->mutable_model()->set_d_model(64);
  auto* run = e->add_runs();
  run->set_init_seed(7);
  auto* probe = run->add_probes();
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
  EXPECT_EQ(back->layerwise_sparsity().runs(0).init_seed(), 7u);
  const auto& layer = back->layerwise_sparsity().runs(0).probes(0).layers(0);
  EXPECT_FLOAT_EQ(layer.token_density_mean(), 0.25f);
  EXPECT_EQ(back->layerwise_sparsity().config().base().model().d_model(), 64);
  // No temporary files are left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ResultsIo, AWriteWithoutJsonRemovesTheStaleJson) {
  const std::string dir = TempDir("stale_json");
  ASSERT_TRUE(WriteResults(MakeResults(), dir, "exp", /*json=*/true).ok());
  ASSERT_TRUE(WriteResults(MakeResults(), dir, "exp", /*json=*/false).ok());
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"exp.pb"}));
}

TEST(ResultsIo, AKillAfterTheJournalIsFinishedByTheNextReader) {
  // State a process killed between its two renames leaves behind: the old
  // pair in place, both new temporaries written, the journal committed.
  const std::string dir = TempDir("killed_mid_commit");
  Results old_results = MakeResults();
  old_results.mutable_run()->set_preset("old");
  ASSERT_TRUE(WriteResults(old_results, dir, "exp", /*json=*/true).ok());
  Results fresh = MakeResults();
  fresh.mutable_run()->set_preset("new");
  fresh.set_end_marker(kResultsEndMarker);
  std::ofstream(dir + "/exp.pb.tmp.AAAAAA", std::ios::binary)
      << fresh.SerializeAsString();
  std::ofstream(dir + "/exp.json.tmp.BBBBBB") << JsonExport(fresh);
  // The first rename happened, the second did not.
  fs::rename(dir + "/exp.pb.tmp.AAAAAA", dir + "/exp.pb");
  std::ofstream(dir + "/.sparsity-commit.4242")
      << "rename\texp.pb.tmp.AAAAAA\texp.pb\n"
      << "rename\texp.json.tmp.BBBBBB\texp.json\n";
  // A journal another killed writer never committed.
  std::ofstream(dir + "/.sparsity-commit.77.tmp.CCCCCC") << "rename\tx\ty\n";
  auto back = ReadResults(dir + "/exp.pb");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->run().preset(), "new");
  EXPECT_NE(Slurp(dir + "/exp.json").find("\"new\""), std::string::npos);
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"exp.json", "exp.pb"}));
}

TEST(ResultsIo, ALiveWritersFilesAreLeftAlone) {
  // Another process of this host still writing (the parent: alive) and one
  // that is gone (a child that has exited).
  const std::string host = WriterTag().substr(0, WriterTag().rfind('-'));
  const std::string live = absl::StrCat(host, "-", getppid());
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  const std::string gone = absl::StrCat(host, "-", child);
  const std::string dir = TempDir("two_writers");
  fs::create_directories(dir);
  std::ofstream(dir + "/exp.pb.tmp." + live + ".AAAAAA") << "being written";
  std::ofstream(dir + "/.sparsity-commit." + live + ".tmp." + live + ".B")
      << "rename\tx\ty\n";
  std::ofstream(dir + "/exp.pb.tmp." + gone + ".CCCCCC") << "half a file";
  std::ofstream(dir + "/.sparsity-commit." + gone + ".tmp." + gone + ".D")
      << "rename\tx\ty\n";
  // A writer on another host is never taken for gone.
  std::ofstream(dir + "/.sparsity-commit.elsewhere-1.tmp.elsewhere-1.E")
      << "rename\tx\ty\n";
  ASSERT_TRUE(WriteResults(MakeResults(), dir, "exp", /*json=*/false).ok());
  std::vector<std::string> kept = {
      ".sparsity-commit." + live + ".tmp." + live + ".B",
      ".sparsity-commit.elsewhere-1.tmp.elsewhere-1.E", "exp.pb",
      "exp.pb.tmp." + live + ".AAAAAA"};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(Listing(dir), kept);
}

TEST(ResultsIo, AJournalWhoseTemporaryIsGoneIsAnError) {
  const std::string dir = TempDir("lost_temporary");
  fs::create_directories(dir);
  std::ofstream(dir + "/.sparsity-commit.99")
      << "rename\texp.pb.tmp.ZZZZZZ\texp.pb\n";
  absl::Status s = FinishInterruptedCommits(dir);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("exp.pb"), std::string::npos);
}

TEST(ResultsIo, TemporariesOfAKilledWriteAreRemovedByTheNextWrite) {
  const std::string dir = TempDir("killed_before_commit");
  ASSERT_TRUE(WriteResults(MakeResults(), dir, "exp", /*json=*/true).ok());
  std::ofstream(dir + "/exp.pb.tmp.CCCCCC") << "half a file";
  std::ofstream(dir + "/exp.json.tmp.DDDDDD") << "{";
  ASSERT_TRUE(WriteResults(MakeResults(), dir, "exp", /*json=*/true).ok());
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"exp.json", "exp.pb"}));
}

TEST(JsonExport, EveryFieldWithZerosAndInt64AsNumbers) {
  Results r = MakeResults();
  auto* probe = r.mutable_layerwise_sparsity()->mutable_runs(0)->add_probes();
  probe->set_step(0);
  probe->add_layers()->set_layer(0);
  probe->set_tokens_seen(int64_t{1} << 40);
  const std::string json = JsonExport(r);
  EXPECT_NE(json.find("\"step\": 0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"layer\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"tokens_seen\": 1099511627776"), std::string::npos);
  EXPECT_NE(json.find("\"dead_units\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"command_line\": \"\""), std::string::npos);
  EXPECT_NE(json.find("\"firing_frequency\": []"), std::string::npos);
  EXPECT_NE(json.find("\"source\": \"SOURCE_UNSPECIFIED\""), std::string::npos);
  // Only the experiment that is set, of the oneof.
  EXPECT_EQ(json.find("\"performance\""), std::string::npos);
  // NaN is not JSON: written as a string.
  probe->set_probe_loss(std::nanf(""));
  EXPECT_NE(JsonExport(r).find("\"probe_loss\": \"NaN\""), std::string::npos);
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
