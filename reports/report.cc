#include "reports/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sparsity {

std::string MarkdownTable(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows) {
  std::string s = absl::StrCat("| ", absl::StrJoin(header, " | "), " |\n|");
  for (size_t i = 0; i < header.size(); ++i) absl::StrAppend(&s, "---|");
  absl::StrAppend(&s, "\n");
  for (const auto& row : rows) {
    absl::StrAppend(&s, "| ", absl::StrJoin(row, " | "), " |\n");
  }
  return s;
}

std::string ProvenanceSection(const RunInfo& run,
                              const std::string& results_file) {
  const auto minutes = [](double s) {
    return absl::StrFormat("%.1f min", s / 60);
  };
  return MarkdownTable(
      {"run", "value"},
      {
          {"results file", absl::StrCat("`", results_file, "`")},
          {"preset", absl::StrCat("`", run.preset(), "`")},
          {"seed", absl::StrCat(run.seed())},
          {"git revision", absl::StrCat("`", run.git_revision(), "`")},
          {"started (UTC)", run.start_time_utc()},
          {"machine",
           absl::StrFormat("%s (%d cores)", run.machine(), run.cpu_cores())},
          {"threads",
           absl::StrFormat("%d (LibTorch intra-op %d, OpenBLAS %d, OpenMP %s)",
                           run.threads(), run.torch_threads(),
                           run.blas_threads(),
                           run.openmp_passive() ? "passive" : "spinning")},
          {"LibTorch / protobuf",
           absl::StrCat(run.torch_version(), " / ", run.protobuf_version())},
          {"BLAS", absl::StrCat("`", run.blas(), "`")},
          {"wall time", minutes(run.wall_seconds())},
          {"training time (probes excluded)", minutes(run.train_seconds())},
          {"probe time", absl::StrFormat("%.1f s", run.probe_seconds())},
          {"training throughput",
           absl::StrFormat("%.0f tokens/s", run.tokens_per_second())},
      });
}

}  // namespace sparsity
