// A rendered report: Markdown text plus the plots it links to, and shared
// Markdown helpers (tables, the provenance block every report opens with).
#ifndef SPARSITY_REPORTS_REPORT_H_
#define SPARSITY_REPORTS_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "proto/results.pb.h"
#include "reports/plot.h"

namespace sparsity {

struct Report {
  std::string name;      // NAME: written as NAME.md
  std::string markdown;  // links plots as NAME_<plot>.png
  std::vector<std::pair<std::string, LinePlot>> plots;  // file name, plot
};

// | a | b |\n|---|---|\n| 1 | 2 |
std::string MarkdownTable(const std::vector<std::string>& header,
                          const std::vector<std::vector<std::string>>& rows);

// "How this was measured": preset, seed, git revision, machine, threads,
// library versions and timings, from the results file.
std::string ProvenanceSection(const RunInfo& run,
                              const std::string& results_file);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_REPORT_H_
