// Line plots rendered with gnuplot (Debian package gnuplot-nox) to PNG.
//
//   LinePlot plot{"Token density per layer", "step", "density", {}};
//   plot.series.push_back({"layer 0", xs, ys});
//   absl::StatusOr<std::string> png = RenderPng(plot);
//
// Data are passed inline (gnuplot datablocks), so a plot depends only on its
// LinePlot value; the same value gives the same bytes.
#ifndef SPARSITY_REPORTS_PLOT_H_
#define SPARSITY_REPORTS_PLOT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sparsity {

struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  bool points = false;  // draw points too (sparse series)
};

struct LinePlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  bool log_y = false;
  double y_min = 0;  // y range; y_min == y_max: automatic
  double y_max = 0;
};

// The gnuplot script that draws `plot` to the PNG file `output_path`.
std::string GnuplotScript(const LinePlot& plot, const std::string& output_path);

// Runs gnuplot and returns the PNG's bytes. Fails with the command that
// installs gnuplot when it is missing.
absl::StatusOr<std::string> RenderPng(const LinePlot& plot);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_PLOT_H_
