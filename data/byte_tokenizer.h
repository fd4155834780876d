// Byte-level tokenizer: one token per byte, vocabulary of 256. No unknown
// tokens and no training, so every run sees the same vocabulary.
//
//   std::vector<int32_t> ids = ByteTokenizer::Encode("hello");  // 0..255
//   std::string text = ByteTokenizer::Decode(ids);
#ifndef SPARSITY_DATA_BYTE_TOKENIZER_H_
#define SPARSITY_DATA_BYTE_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparsity {

class ByteTokenizer {
 public:
  static constexpr int kVocabSize = 256;

  static std::vector<int32_t> Encode(std::string_view text) {
    std::vector<int32_t> ids;
    ids.reserve(text.size());
    for (char c : text) ids.push_back(static_cast<uint8_t>(c));
    return ids;
  }
  static std::string Decode(const std::vector<int32_t>& ids) {
    std::string text;
    text.reserve(ids.size());
    for (int32_t id : ids) text.push_back(static_cast<char>(id));
    return text;
  }
};

}  // namespace sparsity

#endif  // SPARSITY_DATA_BYTE_TOKENIZER_H_
