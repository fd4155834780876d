// Renders results files into Markdown reports with PNG plots.
//
//   bazel run //reports:render                       # results/ -> reports/
//   bazel run //reports:render -- --results_dir=DIR --out_dir=OUT
//
// Every DIR/*.pb becomes OUT/NAME.md plus OUT/NAME_*.png. All inputs are read
// and validated, and all plots drawn, before anything is written; the files
// are then written atomically, so a bad input leaves OUT untouched.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gflags/gflags.h"
#include "proto/results_io.h"
#include "reports/layerwise_sparsity_report.h"
#include "reports/performance_report.h"
#include "reports/plot.h"
#include "reports/report.h"

DEFINE_string(
    results_dir, "",
    "folder of results files *.pb (default: results/ in the workspace)");
DEFINE_string(out_dir, "",
              "folder for the reports (default: reports/ in the workspace)");

namespace sparsity {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<Report> BuildReport(const Results& results,
                                   const std::string& file_name) {
  switch (results.experiment_case()) {
    case Results::kLayerwiseSparsity:
      if (results.layerwise_sparsity().probes_size() == 0 ||
          results.layerwise_sparsity().loss_size() == 0) {
        return absl::DataLossError(
            absl::StrCat(file_name, " holds no probes or no loss curve"));
      }
      return LayerwiseSparsityReport(results, file_name);
    case Results::kPerformance:
      if (results.performance().samples_size() == 0) {
        return absl::DataLossError(
            absl::StrCat(file_name, " holds no samples"));
      }
      return PerformanceReport(results, file_name);
    case Results::EXPERIMENT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(file_name, ": no renderer for this experiment"));
}

absl::Status Render() {
  const std::string results_dir = FLAGS_results_dir.empty()
                                      ? WorkspaceDir() + "/results"
                                      : ResolveUserPath(FLAGS_results_dir);
  const std::string out_dir = FLAGS_out_dir.empty()
                                  ? WorkspaceDir() + "/reports"
                                  : ResolveUserPath(FLAGS_out_dir);
  std::error_code ec;
  if (!fs::is_directory(results_dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("results folder ", results_dir, " does not exist"));
  }
  std::vector<std::string> inputs;
  for (const auto& entry : fs::directory_iterator(results_dir, ec)) {
    if (entry.path().extension() == ".pb")
      inputs.push_back(entry.path().string());
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no results files (*.pb) in ", results_dir));
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& path : inputs) {
    absl::StatusOr<Results> results = ReadResults(path);
    if (!results.ok()) return results.status();
    const std::string file_name = fs::path(path).filename().string();
    absl::StatusOr<Report> report = BuildReport(*results, file_name);
    if (!report.ok()) return report.status();
    files.emplace_back(absl::StrCat(out_dir, "/", report->name, ".md"),
                       report->markdown);
    for (const auto& [png_name, plot] : report->plots) {
      absl::StatusOr<std::string> png = RenderPng(plot);
      if (!png.ok()) return png.status();
      files.emplace_back(absl::StrCat(out_dir, "/", png_name), *png);
    }
  }
  if (absl::Status s = EnsureWritableDir(out_dir); !s.ok()) return s;
  if (absl::Status s = WriteFilesAtomically(files); !s.ok()) return s;
  for (const auto& [path, contents] : files) {
    if (fs::path(path).extension() == ".md")
      std::printf("wrote %s\n", path.c_str());
  }
  std::printf("rendered %zu results file(s) into %zu file(s) in %s\n",
              inputs.size(), files.size(), out_dir.c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "Renders results files into Markdown reports with plots.\n\n"
      "  bazel run //reports:render -- [--results_dir=DIR] [--out_dir=OUT]\n\n"
      "Each DIR/NAME.pb becomes OUT/NAME.md and OUT/NAME_*.png (defaults: "
      "results/ and reports/ in the workspace).");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (argc > 1) {
    std::fprintf(stderr,
                 "render: error: unexpected argument '%s' (see --help)\n",
                 argv[1]);
    return 1;
  }
  absl::Status s = sparsity::Render();
  if (!s.ok()) {
    std::fprintf(stderr, "render: error: %s\n",
                 std::string(s.message()).c_str());
    return 1;
  }
  return 0;
}
