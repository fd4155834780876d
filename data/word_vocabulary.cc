#include "data/word_vocabulary.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sparsity {

std::vector<std::string_view> WordVocabulary::Split(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && absl::ascii_isspace(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && !absl::ascii_isspace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

absl::StatusOr<WordVocabulary> WordVocabulary::Build(
    const std::vector<std::string_view>& training_texts, int64_t size) {
  if (size < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a word vocabulary needs at least 2 entries (<unk> and one word), "
        "got ",
        size));
  }
  if (size > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("word vocabulary size ", size, " is too large"));
  }
  absl::flat_hash_map<std::string_view, int64_t> counts;
  int64_t total = 0;
  for (std::string_view text : training_texts) {
    for (std::string_view word : Split(text)) {
      // A literal "<unk>" in the text is the unknown token, not a word.
      if (word != kUnknownWord) ++counts[word];
      ++total;
    }
  }
  std::vector<std::pair<std::string_view, int64_t>> ranked(counts.begin(),
                                                           counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  const size_t kept = std::min<size_t>(ranked.size(), size - 1);
  WordVocabulary vocab;
  vocab.distinct_ = static_cast<int64_t>(ranked.size());
  vocab.words_.emplace_back(kUnknownWord);
  vocab.counts_.push_back(0);
  int64_t kept_total = 0;
  for (size_t i = 0; i < kept; ++i) {
    const int32_t id = static_cast<int32_t>(vocab.words_.size());
    vocab.words_.emplace_back(ranked[i].first);
    vocab.counts_.push_back(ranked[i].second);
    vocab.ids_.emplace(vocab.words_.back(), id);
    kept_total += ranked[i].second;
  }
  vocab.counts_[kUnknownId] = total - kept_total;
  return vocab;
}

int32_t WordVocabulary::Id(std::string_view word) const {
  // Debian's Abseil has its own string_view: look up through it (no copy).
  auto it = ids_.find(absl::string_view(word.data(), word.size()));
  return it == ids_.end() ? kUnknownId : it->second;
}

std::vector<int32_t> WordVocabulary::Encode(std::string_view text) const {
  std::vector<int32_t> ids;
  for (std::string_view word : Split(text)) ids.push_back(Id(word));
  return ids;
}

}  // namespace sparsity
