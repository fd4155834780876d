#include "train/tensorboard.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/crc32c.h"
#include "gtest/gtest.h"
#include "proto/tensorboard.pb.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

uint64_t ReadLittleEndian(const std::string& bytes, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return v;
}

// The events of a TFRecord file, every checksum verified.
std::vector<tensorboard::Event> ReadEvents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  std::vector<tensorboard::Event> events;
  size_t at = 0;
  while (at < bytes.size()) {
    const uint64_t length = ReadLittleEndian(bytes, at, 8);
    EXPECT_EQ(ReadLittleEndian(bytes, at + 8, 4),
              MaskedCrc32c(bytes.substr(at, 8)));
    const std::string data = bytes.substr(at + 12, length);
    EXPECT_EQ(ReadLittleEndian(bytes, at + 12 + length, 4), MaskedCrc32c(data));
    events.emplace_back();
    EXPECT_TRUE(events.back().ParseFromString(data));
    at += 16 + length;
  }
  EXPECT_EQ(at, bytes.size());
  return events;
}

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  fs::remove_all(dir);
  return dir;
}

TEST(TfRecord, FramesTheEmptyRecordAsTheFormatSays) {
  const std::string framed = TfRecord("");
  ASSERT_EQ(framed.size(), 16u);
  EXPECT_EQ(framed.substr(0, 8), std::string(8, '\0'));
  EXPECT_EQ(ReadLittleEndian(framed, 8, 4),
            MaskCrc32c(Crc32c(std::string(8, '\0'))));
  EXPECT_EQ(ReadLittleEndian(framed, 12, 4), 0xa282ead8u);  // mask of crc 0
}

TEST(EventFileWriter, WritesTheVersionThenScalars) {
  const std::string dir = TempDir("writer");
  absl::StatusOr<std::unique_ptr<EventFileWriter>> w =
      EventFileWriter::Open(dir);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_NE((*w)->path().find("/events.out.tfevents."), std::string::npos);
  ASSERT_TRUE((*w)->AddScalar("train/loss", 3, 2.5).ok());
  ASSERT_TRUE((*w)->AddScalar("probe/density/layer_1", 7, 0.25).ok());
  ASSERT_TRUE((*w)->Flush().ok());
  const std::vector<tensorboard::Event> events = ReadEvents((*w)->path());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_EQ(events[1].step(), 3);
  EXPECT_EQ(events[1].summary().value(0).tag(), "train/loss");
  EXPECT_FLOAT_EQ(events[1].summary().value(0).simple_value(), 2.5f);
  EXPECT_EQ(events[2].step(), 7);
  EXPECT_EQ(events[2].summary().value(0).tag(), "probe/density/layer_1");
  EXPECT_GT(events[2].wall_time(), 1.7e9);
  RemoveEventFiles(dir);
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(TensorBoardLogger, LogsEachStepAndEachProbeOnce) {
  const std::string dir = TempDir("logger");
  absl::StatusOr<std::unique_ptr<EventFileWriter>> w =
      EventFileWriter::Open(dir);
  ASSERT_TRUE(w.ok());
  const std::string path = (*w)->path();
  TensorBoardLogger logger(*std::move(w), /*tokens_per_step=*/100);
  TrainingRecord record;
  Probe& p0 = *record.add_probes();
  p0.set_step(0);
  p0.set_probe_loss(5);
  LayerSparsity& l0 = *p0.add_layers();
  l0.set_layer(0);
  l0.set_token_density_mean(0.5f);
  l0.set_dead_units(3);
  LossPoint& point = *record.add_loss();
  point.set_step(1);
  point.set_loss(4);
  point.set_lr(0.01f);
  point.set_grad_norm(2);
  point.set_seconds(0.5f);
  ASSERT_TRUE(logger.AfterLogged(0, record).ok());
  *record.add_loss() = point;
  record.mutable_loss(1)->set_step(2);
  ASSERT_TRUE(logger.AfterLogged(1, record).ok());
  std::vector<std::pair<std::string, int64_t>> seen;
  float tokens_per_second = 0;
  for (const tensorboard::Event& e : ReadEvents(path)) {
    for (const auto& v : e.summary().value()) {
      seen.emplace_back(v.tag(), e.step());
      if (v.tag() == "train/tokens_per_second") {
        tokens_per_second = v.simple_value();
      }
    }
  }
  const std::vector<std::pair<std::string, int64_t>> want = {
      {"train/loss", 1},
      {"train/lr", 1},
      {"train/grad_norm", 1},
      {"train/tokens_per_second", 1},
      {"probe/loss", 0},
      {"probe/density/layer_0", 0},
      {"probe/dead_units/layer_0", 0},
      {"train/loss", 2},
      {"train/lr", 2},
      {"train/grad_norm", 2},
      {"train/tokens_per_second", 2}};
  EXPECT_EQ(seen, want);
  EXPECT_FLOAT_EQ(tokens_per_second, 200);
}

}  // namespace
}  // namespace sparsity
