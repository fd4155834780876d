// Plots rendered with gnuplot (Debian package gnuplot-nox) to PNG: lines,
// points, min..max bands (over seeds) and histograms, on linear or log axes.
//
//   LinePlot plot{"Token density per layer", "step", "density"};
//   Series s{"layer 0", xs, ys};
//   s.lo = mins; s.hi = maxs;            // optional band around the line
//   plot.series.push_back(s);
//   std::string script = GnuplotScript(plot, "NAME_token_density.png");
//   absl::StatusOr<std::string> png = RenderPng(plot);
//
// Data are passed inline (gnuplot datablocks), so a plot depends only on its
// LinePlot value, and the script (kept beside each PNG as NAME.gp) is the
// plot's data in a form that any gnuplot can redraw.
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
  // Band from lo to hi around the line (e.g. min..max over seeds); empty:
  // none. Same length as x when set.
  std::vector<double> lo;
  std::vector<double> hi;
  bool points = false;     // draw points too (sparse series)
  bool scatter = false;    // points only, no line (x need not rise)
  bool histogram = false;  // draw as steps (x: bin left edges, y: counts)
};

struct LinePlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  bool log_x = false;
  bool log_y = false;
  double y_min = 0;  // y range; y_min == y_max: automatic
  double x_min = 0;  // x range; x_min == x_max: automatic (on a log axis
  double x_max = 0;  // with x_tic, tics start at x_min)
  double y_max = 0;
  double x_tic = 0;  // spacing of x tics; 0: automatic
  // Tics at exactly these x values, labelled with %g (e.g. the learning
  // rates of a sweep on a log axis); overrides x_tic.
  std::vector<double> x_tics;
};

// The gnuplot script that draws `plot` into the PNG file `output_name`
// (relative to gnuplot's working folder).
std::string GnuplotScript(const LinePlot& plot, const std::string& output_name);

// Runs gnuplot (fork + exec, no shell) in a fresh temporary folder and
// returns the PNG's bytes. Fails with the command that installs gnuplot when
// it is missing.
absl::StatusOr<std::string> RenderPng(const LinePlot& plot);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_PLOT_H_
