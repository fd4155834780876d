#include "data/word_vocabulary.h"

#include "gtest/gtest.h"

namespace sparsity {
namespace {

TEST(WordVocabulary, SplitsOnAnyWhitespace) {
  EXPECT_EQ(WordVocabulary::Split("  The jury\tsaid .\nIt  "),
            (std::vector<std::string_view>{"The", "jury", "said", ".", "It"}));
  EXPECT_TRUE(WordVocabulary::Split(" \n\t").empty());
}

// Counts: the 4, a 3, cat 2, dog 2, bird 1, Cat 1 (case kept).
std::vector<std::string_view> Corpus() {
  return {"the cat sat on a mat", "the dog and the cat",
          "a dog a bird the Cat"};
}

TEST(WordVocabulary, MostFrequentFirstTiesByteWise) {
  // on, sat, mat, and, bird, Cat occur once; "Cat" < "and" < "bird" < ... by
  // byte order (upper case first).
  auto vocab = WordVocabulary::Build(Corpus(), 8);
  ASSERT_TRUE(vocab.ok()) << vocab.status();
  ASSERT_EQ(vocab->size(), 8);
  const std::vector<std::string> expected = {"<unk>", "the", "a",   "cat",
                                             "dog",   "Cat", "and", "bird"};
  for (int32_t id = 0; id < 8; ++id) EXPECT_EQ(vocab->Word(id), expected[id]);
  EXPECT_EQ(vocab->Count(1), 4);
  EXPECT_EQ(vocab->Count(2), 3);
  EXPECT_EQ(vocab->Count(3), 2);
  EXPECT_EQ(vocab->Count(4), 2);
  // mat, on, sat are not kept: 3 occurrences become <unk>.
  EXPECT_EQ(vocab->Count(WordVocabulary::kUnknownId), 3);
  EXPECT_EQ(vocab->distinct_training_words(), 10);
}

TEST(WordVocabulary, TiesDoNotDependOnDocumentOrder) {
  std::vector<std::string_view> reversed = Corpus();
  std::reverse(reversed.begin(), reversed.end());
  auto a = WordVocabulary::Build(Corpus(), 6);
  auto b = WordVocabulary::Build(reversed, 6);
  ASSERT_TRUE(a.ok() && b.ok());
  for (int32_t id = 0; id < 6; ++id) EXPECT_EQ(a->Word(id), b->Word(id));
}

TEST(WordVocabulary, UnknownWordsMapToZero) {
  auto vocab = WordVocabulary::Build(Corpus(), 4);  // <unk> the a cat
  ASSERT_TRUE(vocab.ok());
  EXPECT_EQ(vocab->Encode("the cat  ate a Cat\nfish"),
            (std::vector<int32_t>{1, 3, 0, 2, 0, 0}));
  EXPECT_EQ(vocab->Id("dog"), WordVocabulary::kUnknownId);
  EXPECT_EQ(vocab->Id("<unk>"), WordVocabulary::kUnknownId);
}

TEST(WordVocabulary, ALiteralUnknownTokenIsNotAWord) {
  auto vocab = WordVocabulary::Build({"<unk> <unk> <unk> a a b"}, 10);
  ASSERT_TRUE(vocab.ok());
  EXPECT_EQ(vocab->size(), 3);  // <unk>, a, b
  EXPECT_EQ(vocab->Word(1), "a");
  EXPECT_EQ(vocab->Count(WordVocabulary::kUnknownId), 3);
  EXPECT_EQ(vocab->distinct_training_words(), 2);
}

TEST(WordVocabulary, KeepsAllWordsWhenFewerThanAsked) {
  auto vocab = WordVocabulary::Build(Corpus(), 1000);
  ASSERT_TRUE(vocab.ok());
  EXPECT_EQ(vocab->size(), 11);  // 10 words + <unk>
  EXPECT_EQ(vocab->Count(WordVocabulary::kUnknownId), 0);
  EXPECT_EQ(vocab->Word(10), "sat");  // last of the count-1 words by bytes
}

TEST(WordVocabulary, RejectsASizeWithoutRoomForAWord) {
  EXPECT_FALSE(WordVocabulary::Build(Corpus(), 1).ok());
  EXPECT_FALSE(WordVocabulary::Build(Corpus(), 0).ok());
}

}  // namespace
}  // namespace sparsity
