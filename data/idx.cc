#include "data/idx.h"

#include <zlib.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace sparsity {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDims = 4;
// Larger than any data set this project reads (60,000 x 28 x 28 is 47 MB).
constexpr int64_t kMaxElements = int64_t{1} << 32;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

}  // namespace

absl::StatusOr<IdxArray> ReadIdx(const std::string& path) {
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot open IDX file ", path));
  }
  auto error = [&](const std::string& what) {
    return absl::DataLossError(absl::StrCat("IDX file ", path, ": ", what));
  };
  // Reads exactly n bytes; returns how many were read (-1: stream error).
  auto read = [&](void* out, int64_t n) -> int64_t {
    int64_t done = 0;
    while (done < n) {
      const unsigned chunk =
          static_cast<unsigned>(std::min<int64_t>(n - done, 1 << 30));
      const int got = gzread(file.get(), static_cast<char*>(out) + done, chunk);
      if (got < 0) return -1;
      if (got == 0) break;
      done += got;
    }
    return done;
  };

  uint8_t magic[4];
  const int64_t got_magic = read(magic, 4);
  if (got_magic < 0) return error("corrupt compressed stream");
  if (got_magic < 4) return error("shorter than the 4-byte magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    return error(absl::StrCat("bad magic number (first bytes ", magic[0], " ",
                              magic[1], ", expected 0 0): not an IDX file"));
  }
  if (magic[2] != kUnsignedByte) {
    return error(absl::StrCat("element type 0x", absl::Hex(magic[2]),
                              " is not supported (only 0x08, unsigned bytes)"));
  }
  if (magic[3] < 1 || magic[3] > kMaxDims) {
    return error(absl::StrCat("bad number of dimensions ", magic[3], " (1 to ",
                              kMaxDims, ")"));
  }
  IdxArray out;
  int64_t elements = 1;
  for (int i = 0; i < magic[3]; ++i) {
    uint8_t b[4];
    if (read(b, 4) != 4) return error("truncated in the header (sizes)");
    const int64_t size = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) |
                         (int64_t{b[2]} << 8) | int64_t{b[3]};
    if (size == 0) return error(absl::StrCat("dimension ", i, " has size 0"));
    elements *= size;
    if (elements > kMaxElements) return error("sizes too large");
    out.dims.push_back(size);
  }
  out.data.resize(static_cast<size_t>(elements));
  const int64_t got = read(out.data.data(), elements);
  if (got < 0) return error("corrupt compressed stream");
  if (got < elements) {
    return error(absl::StrCat("truncated: the header promises ", elements,
                              " bytes of data, the file holds ", got));
  }
  uint8_t extra;
  const int64_t more = read(&extra, 1);
  if (more < 0) return error("corrupt compressed stream");
  if (more > 0) {
    return error(absl::StrCat("longer than its header says (", elements,
                              " bytes of data, then more)"));
  }
  return out;
}

std::string EncodeIdx(const std::vector<int64_t>& dims,
                      const std::vector<uint8_t>& data) {
  std::string out = {0, 0, static_cast<char>(kUnsignedByte),
                     static_cast<char>(dims.size())};
  for (int64_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((d >> shift) & 0xff));
    }
  }
  out.append(data.begin(), data.end());
  return out;
}

}  // namespace sparsity
