#include "reports/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace sparsity {
namespace {

std::string Quote(const std::string& s) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

}  // namespace

std::string GnuplotScript(const LinePlot& plot, const std::string& output) {
  std::string s;
  absl::StrAppend(&s,
                  "set terminal pngcairo size 900,540 font 'DejaVu Sans,11'\n",
                  "set output ", Quote(output), "\n", "set title ",
                  Quote(plot.title), "\n", "set xlabel ", Quote(plot.x_label),
                  "\n", "set ylabel ", Quote(plot.y_label), "\n",
                  "set grid\nset key outside right top\nset autoscale xfix\n");
  if (plot.log_y) absl::StrAppend(&s, "set logscale y\n");
  if (plot.y_min != plot.y_max) {
    absl::StrAppend(
        &s, absl::StrFormat("set yrange [%g:%g]\n", plot.y_min, plot.y_max));
  }
  for (size_t i = 0; i < plot.series.size(); ++i) {
    absl::StrAppend(&s, "$d", i, " << EOD\n");
    const Series& series = plot.series[i];
    for (size_t j = 0; j < series.x.size(); ++j) {
      absl::StrAppend(&s,
                      absl::StrFormat("%.9g %.9g\n", series.x[j], series.y[j]));
    }
    absl::StrAppend(&s, "EOD\n");
  }
  absl::StrAppend(&s, "plot ");
  for (size_t i = 0; i < plot.series.size(); ++i) {
    if (i > 0) absl::StrAppend(&s, ", \\\n     ");
    absl::StrAppend(&s, "$d", i, " using 1:2 with ",
                    plot.series[i].points ? "linespoints pt 7 ps 0.6" : "lines",
                    " lw 2 title ", Quote(plot.series[i].title));
  }
  absl::StrAppend(&s, "\n");
  return s;
}

absl::StatusOr<std::string> RenderPng(const LinePlot& plot) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/sparsity_plot.XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary folder for plots");
  }
  const std::string script_path = dir + "/plot.gp";
  const std::string png_path = dir + "/plot.png";
  std::ofstream(script_path) << GnuplotScript(plot, png_path);
  const std::string cmd =
      absl::StrCat("gnuplot ", script_path, " > ", dir, "/log.txt 2>&1");
  const int rc = std::system(cmd.c_str());
  std::ifstream in(png_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::ifstream log_in(dir + "/log.txt");
  std::stringstream log;
  log << log_in.rdbuf();
  std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  if (rc != 0 || bytes.str().empty()) {
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {
      return absl::FailedPreconditionError(
          "gnuplot is not installed: run tools/setup.sh");
    }
    return absl::InternalError(
        absl::StrCat("gnuplot failed on '", plot.title, "': ", log.str()));
  }
  return bytes.str();
}

}  // namespace sparsity
