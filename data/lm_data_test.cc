#include "data/lm_data.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/batching.h"
#include "gtest/gtest.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

// A hand-made corpus of 4 documents; with held-out fraction 0.25 one is held
// out. Every document repeats its own word, so which one is held out shows
// in the vocabulary.
std::string MakeCorpus() {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/corpus";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const char* names[] = {"ca01", "ca02", "cb01", "cb02"};
  const char* own[] = {"alpha", "beta", "gamma", "delta"};
  for (int d = 0; d < 4; ++d) {
    std::ofstream f(dir + "/" + names[d]);
    for (int line = 0; line < 10; ++line) {
      f << "\n\tthe/at " << own[d] << "/nn is/bez here/rb ./.\n";
    }
  }
  return dir;
}

DataConfig Words(const std::string& dir) {
  DataConfig data;
  data.set_source(DataConfig::BROWN);
  data.set_corpus_dir(dir);
  data.set_tokenizer(DataConfig::WORDS);
  data.set_seq_len(4);
  data.set_batch_size(2);
  data.set_heldout_fraction(0.25);
  data.set_split_seed(3);
  return data;
}

ProbeConfig Probe() {
  ProbeConfig probe;
  probe.set_batch_tokens(8);
  probe.set_seq_len(4);
  return probe;
}

TEST(MakeLmData, WordVocabularyComesFromTrainingDocumentsOnly) {
  const std::string dir = MakeCorpus();
  // 100 entries: room for every word, so only held-out words are unknown.
  auto data = MakeLmData(Words(dir), Probe(), 100, 1);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_documents, 3);
  EXPECT_EQ(data->heldout_documents, 1);
  // the, is, here, "." and the three training documents' own words.
  EXPECT_EQ(data->distinct_training_words, 7);
  EXPECT_EQ(data->vocabulary_size, 8);
  EXPECT_EQ(data->train_tokens, 3 * 10 * 5);
  EXPECT_EQ(data->train_unknown_fraction, 0.0);
  // The held-out document reads "the OWN is here ." over and over, and its
  // own word is in no training document: each probe row (5 consecutive
  // tokens: its first input and its 4 targets) holds exactly one <unk>.
  const torch::Tensor rows =
      torch::cat({data->probe.inputs.slice(1, 0, 1), data->probe.targets}, 1);
  ASSERT_EQ(rows.size(1), 5);
  EXPECT_TRUE(rows.eq(0).sum(1).eq(1).all().item<bool>()) << rows;
  EXPECT_LT(rows.max().item<int64_t>(), 8);
  EXPECT_DOUBLE_EQ(
      data->probe_unknown_fraction,
      data->probe.targets.eq(0).to(torch::kDouble).mean().item<double>());
}

TEST(MakeLmData, SmallWordVocabularyCountsUnknownTrainingTokens) {
  const std::string dir = MakeCorpus();
  // 3 entries: <unk> and two words. The shared words the, is, here, "."
  // occur 30 times each in the training documents, each own word 10 times;
  // ties go to the byte-wise smaller word, so "." and "here" are kept.
  auto data = MakeLmData(Words(dir), Probe(), 3, 1);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->vocabulary_size, 3);
  // the, is and the own word are unknown: 3 of every 5 training words.
  EXPECT_DOUBLE_EQ(data->train_unknown_fraction, 0.6);
}

TEST(MakeLmData, BytesKeepTheSameSplit) {
  const std::string dir = MakeCorpus();
  DataConfig bytes = Words(dir);
  bytes.set_tokenizer(DataConfig::BYTES);
  auto b = MakeLmData(bytes, Probe(), 256, 1);
  auto w = MakeLmData(Words(dir), Probe(), 100, 1);
  ASSERT_TRUE(b.ok() && w.ok());
  EXPECT_EQ(b->train_documents, w->train_documents);
  ASSERT_EQ(b->heldout_indices.size(), 1u);
  EXPECT_EQ(b->heldout_indices, w->heldout_indices);
  EXPECT_EQ(b->vocabulary_size, 0);
  EXPECT_FALSE(MakeLmData(bytes, Probe(), 100, 1).ok());  // < 256 for bytes
  EXPECT_FALSE(MakeLmData(Words(dir), Probe(), 1, 1).ok());
}

}  // namespace
}  // namespace sparsity
