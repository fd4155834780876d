#include "reports/plot.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  return absl::StrCat(
      "\"", absl::StrReplaceAll(s, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Line colours, one per series index (bands use the same colour, faded).
constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                   "#bcbd22", "#17becf"};

}  // namespace

std::string GnuplotScript(const LinePlot& plot,
                          const std::string& output_name) {
  std::string s;
  absl::StrAppend(&s,
                  "set terminal pngcairo noenhanced size 900,540 font "
                  "'DejaVu Sans,11'\n",
                  "set output ", Quote(output_name), "\n", "set title ",
                  Quote(plot.title), "\n", "set xlabel ", Quote(plot.x_label),
                  "\n", "set ylabel ", Quote(plot.y_label), "\n",
                  "set grid\nset key outside right top\nset autoscale xfix\n");
  if (plot.log_x) absl::StrAppend(&s, "set logscale x\n");
  // Scattered points keep a margin from the frame (autoscale puts the
  // extreme points on it).
  for (const Series& series : plot.series) {
    if (!series.scatter) continue;
    absl::StrAppend(&s,
                    "set offsets graph 0.03, graph 0.03, graph 0.05, "
                    "graph 0.05\n");
    break;
  }
  if (!plot.x_tics.empty()) {
    std::vector<std::string> tics;
    for (double x : plot.x_tics)
      tics.push_back(absl::StrFormat("\"%g\" %g", x, x));
    absl::StrAppend(&s, "set xtics (", absl::StrJoin(tics, ", "), ")\n");
  } else if (plot.x_tic > 0) {
    absl::StrAppend(&s, absl::StrFormat("set xtics %g\n", plot.x_tic));
  }
  if (plot.log_y) absl::StrAppend(&s, "set logscale y\n");
  if (plot.x_min != plot.x_max) {
    absl::StrAppend(
        &s, absl::StrFormat("set xrange [%g:%g]\n", plot.x_min, plot.x_max));
  }
  if (plot.y_min != plot.y_max) {
    absl::StrAppend(
        &s, absl::StrFormat("set yrange [%g:%g]\n", plot.y_min, plot.y_max));
  }
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& series = plot.series[i];
    const bool band = !series.lo.empty() && series.lo.size() == series.x.size();
    absl::StrAppend(&s, "$d", i, " << EOD\n");
    for (size_t j = 0; j < series.x.size(); ++j) {
      absl::StrAppend(&s,
                      absl::StrFormat("%.9g %.9g", series.x[j], series.y[j]));
      if (band) {
        absl::StrAppend(
            &s, absl::StrFormat(" %.9g %.9g", series.lo[j], series.hi[j]));
      }
      absl::StrAppend(&s, "\n");
    }
    absl::StrAppend(&s, "EOD\n");
  }
  absl::StrAppend(&s, "plot ");
  bool first = true;
  auto next = [&]() {
    if (!first) absl::StrAppend(&s, ", \\\n     ");
    first = false;
  };
  // Bands first, so that every line is drawn over them.
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& series = plot.series[i];
    if (series.lo.empty() || series.lo.size() != series.x.size()) continue;
    next();
    absl::StrAppend(&s, "$d", i,
                    " using 1:3:4 with filledcurves fs transparent solid 0.2 "
                    "noborder lc rgb '",
                    kColors[i % 10], "' notitle");
  }
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const Series& series = plot.series[i];
    next();
    // A histogram's points are (left edge, count): gnuplot's "steps" draws
    // each count across its bin ("fsteps" would shift them one bin left).
    const char* style = series.histogram ? "steps"
                        : series.scatter ? "points pt 7 ps 1.0"
                        : series.points  ? "linespoints pt 7 ps 0.6"
                                         : "lines";
    absl::StrAppend(&s, "$d", i, " using 1:2 with ", style, " lw 2 lc rgb '",
                    kColors[i % 10], "' title ", Quote(series.title));
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
  {
    std::ofstream script(dir + "/plot.gp");
    script << GnuplotScript(plot, "plot.png");
  }
  const std::string log_path = dir + "/log.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: run gnuplot in the temporary folder, output to its log file.
    if (chdir(dir.c_str()) != 0) _exit(126);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
      close(log);
    }
    char* const argv[] = {const_cast<char*>("gnuplot"),
                          const_cast<char*>("plot.gp"), nullptr};
    execvp("gnuplot", argv);
    _exit(127);  // exec failed: gnuplot is not installed
  }
  int status = -1;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) status = -1;
  const std::string png = ReadFile(dir + "/plot.png");
  const std::string log = ReadFile(log_path);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (pid < 0) return absl::InternalError("cannot start gnuplot (fork failed)");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::FailedPreconditionError(
        "gnuplot is not installed: run tools/setup.sh");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || png.empty()) {
    return absl::InternalError(
        absl::StrCat("gnuplot failed on '", plot.title,
                     "': ", absl::StrReplaceAll(log, {{"\n", " "}})));
  }
  return png;
}

}  // namespace sparsity
