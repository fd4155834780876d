#include "reports/report.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "metrics/percentile.h"

namespace sparsity {

std::string Report::AddPlot(const std::string& suffix, const std::string& alt,
                            LinePlot plot) {
  const std::string file = absl::StrCat(name, "_", suffix, ".png");
  plots.emplace_back(file, std::move(plot));
  return absl::StrCat("![", alt, "](", file, ")");
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

double Quantile(std::vector<double> v, double q) {
  return v.empty() ? 0 : Percentile(std::move(v), 100 * q);
}

Runs WithRole(const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
              const std::string& role) {
  Runs out;
  for (const TrainingRecord& t : runs) {
    if (t.role() == role) out.push_back(&t);
  }
  return out;
}

const TrainingRecord* WithSameSeeds(const Runs& runs,
                                    const TrainingRecord& run) {
  for (const TrainingRecord* r : runs) {
    if (r->init_seed() == run.init_seed() &&
        r->data_seed() == run.data_seed()) {
      return r;
    }
  }
  return nullptr;
}

SeedPairs PairBySeeds(const Runs& a, const Runs& b) {
  SeedPairs pairs;
  for (const TrainingRecord* x : a) {
    const TrainingRecord* y = WithSameSeeds(b, *x);
    if (y == nullptr) continue;
    pairs.a.push_back(x);
    pairs.b.push_back(y);
  }
  return pairs;
}

const Probe& FinalProbe(const TrainingRecord& run) {
  return run.probes(run.probes_size() - 1);
}

std::vector<double> Differences(const std::vector<double>& a,
                                const std::vector<double>& b) {
  std::vector<double> d;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    d.push_back(a[i] - b[i]);
  return d;
}

Spread SpreadOf(const std::vector<double>& values) {
  Spread s;
  if (values.empty()) return s;
  s.n = static_cast<int>(values.size());
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  for (double v : values) s.mean += v / s.n;
  return s;
}

std::vector<Runs> ByVariant(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs) {
  std::vector<Runs> out;
  for (const TrainingRecord& run : runs) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Runs& g) {
      return g[0]->variant() == run.variant();
    });
    if (it == out.end()) {
      out.push_back({&run});
    } else {
      it->push_back(&run);
    }
  }
  return out;
}

std::string Pct(double fraction) {
  return absl::StrFormat("%.1f%%", 100 * fraction);
}

std::string PctSpread(const Spread& s) {
  if (s.n <= 1) return Pct(s.mean);
  return absl::StrFormat("%.1f%% (%.1f–%.1f)", 100 * s.mean, 100 * s.min,
                         100 * s.max);
}

std::string NumSpread(const Spread& s, const char* format) {
  const absl::FormatSpec<double> spec(format);
  std::string out = absl::StrFormat(spec, s.mean);
  if (s.n > 1) {
    absl::StrAppend(&out, " (", absl::StrFormat(spec, s.min), "–",
                    absl::StrFormat(spec, s.max), ")");
  }
  return out;
}

Series BandSeries(const std::string& title, const std::vector<double>& x,
                  const std::vector<std::vector<double>>& rows) {
  Series s;
  s.title = title;
  s.x = x;
  const bool band = rows.size() > 1;
  for (size_t p = 0; p < x.size(); ++p) {
    std::vector<double> at;
    for (const auto& row : rows) at.push_back(row[p]);
    const Spread sp = SpreadOf(at);
    s.y.push_back(sp.mean);
    if (band) {
      s.lo.push_back(sp.min);
      s.hi.push_back(sp.max);
    }
  }
  return s;
}

LinePlot PerLayerBandPlot(
    const std::string& title, const std::string& x_label,
    const std::string& y_label, const std::vector<double>& x,
    const std::vector<std::vector<std::vector<double>>>& values) {
  LinePlot plot{title, x_label, y_label, {}};
  const size_t layers =
      values.empty() || values[0].empty() ? 0 : values[0][0].size();
  for (size_t l = 0; l < layers; ++l) {
    std::vector<std::vector<double>> rows;
    for (const auto& run : values) {
      std::vector<double> row;
      for (const auto& point : run) row.push_back(point[l]);
      rows.push_back(std::move(row));
    }
    Series s = BandSeries(absl::StrCat("layer ", l), x, rows);
    s.points = x.size() <= 40;
    plot.series.push_back(std::move(s));
  }
  return plot;
}

Series HistogramSeries(const std::string& title,
                       const std::vector<double>& values, int bins, double lo,
                       double hi, bool log_bins, double scale) {
  Series s;
  s.title = title;
  s.histogram = true;
  std::vector<double> edges(bins + 1);
  for (int i = 0; i <= bins; ++i) {
    const double t = static_cast<double>(i) / bins;
    edges[i] = log_bins ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
  }
  std::vector<double> counts(bins, 0);
  for (double v : values) {
    if (!(v >= lo && v <= hi)) continue;
    int b = static_cast<int>(std::upper_bound(edges.begin(), edges.end(), v) -
                             edges.begin()) -
            1;
    b = std::clamp(b, 0, bins - 1);
    counts[b] += 1;
  }
  for (int i = 0; i < bins; ++i) {
    s.x.push_back(edges[i]);
    s.y.push_back(counts[i] / scale);
  }
  // Close the last step at the right edge.
  s.x.push_back(edges[bins]);
  s.y.push_back(counts[bins - 1] / scale);
  return s;
}

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

namespace {

// The recorded BLAS. Runs before 946eb4f recorded the first mapped library
// whose name contains "blas", which with a CUDA LibTorch is cuBLAS (loaded,
// not used on the CPU): shown as the BLAS LibTorch reports, with that note.
std::string BlasText(const std::string& blas) {
  const size_t comma = blas.find(", ");
  if (comma != std::string::npos &&
      blas.find("cublas", comma) != std::string::npos) {
    return absl::StrCat("`", blas.substr(0, comma),
                        "` (this run also recorded a cuBLAS path, by a bug "
                        "of the recording since fixed)");
  }
  return absl::StrCat("`", blas, "`");
}

}  // namespace

std::string ProvenanceSection(const RunInfo& run,
                              const std::string& results_file) {
  return MarkdownTable(
      {"provenance", "value"},
      {
          {"results file", absl::StrCat("`", results_file, "`")},
          {"preset",
           absl::StrCat("`", run.preset(), "`",
                        run.config_overridden() ? " (changed by flags)" : "")},
          {"command line", absl::StrCat("`", run.command_line(), "`")},
          {"git revision", absl::StrCat("`", run.git_revision(), "`")},
          {"started (UTC)", run.start_time_utc()},
          {"machine",
           absl::StrFormat("%s (%d cores)", run.machine(), run.cpu_cores())},
          {"device", run.device()},
          {"threads",
           absl::StrFormat("%d (LibTorch intra-op %d%s, OpenMP %s)",
                           run.threads(), run.torch_threads(),
                           run.blas_threads() > 0
                               ? absl::StrCat(", OpenBLAS ", run.blas_threads())
                               : "",
                           run.openmp_passive() ? "passive" : "spinning")},
          {"LibTorch / protobuf",
           absl::StrCat(run.torch_version(), " / ", run.protobuf_version())},
          {"BLAS", BlasText(run.blas())},
          {"wall time of the last invocation",
           absl::StrFormat("%.1f min", run.wall_seconds() / 60)},
      });
}

std::string RunTimingsTable(
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const TrainingRecord& r : runs) {
    const Timings& t = r.timings();
    rows.push_back({absl::StrCat("`", r.name(), "`"),
                    absl::StrCat(r.init_seed()), absl::StrCat(r.data_seed()),
                    absl::StrFormat("%.1f min", t.wall_seconds() / 60),
                    absl::StrFormat("%.1f min", t.train_seconds() / 60),
                    absl::StrFormat("%.1f s", t.probe_seconds()),
                    absl::StrFormat("%.0f", t.tokens_per_second()),
                    absl::StrCat(t.resumed())});
  }
  return MarkdownTable({"run", "init seed", "data seed", "wall", "training",
                        "probes", "tokens/s", "resumed"},
                       rows);
}

std::string SweepHowMeasured(
    const RunInfo& run, const std::string& results_file,
    const google::protobuf::RepeatedPtrField<TrainingRecord>& runs,
    const std::string& experiment) {
  std::string stem = results_file;
  if (absl::EndsWith(stem, ".pb")) stem.resize(stem.size() - 3);
  return absl::StrCat(
      "## How this was measured\n\n", ProvenanceSection(run, results_file),
      "\n", RunTimingsTable(runs), "\n",
      "Regenerate: `bazel run //experiments:", experiment,
      " -- --preset=", run.preset(),
      "` then `bazel run //reports:render`. Each run's record and checkpoint "
      "stay in `<out_dir>/",
      stem, ".runs/`; an interrupted sweep continues with `--resume`.\n");
}

namespace {

void AppendDifferences(const google::protobuf::Message& a,
                       const google::protobuf::Message& b,
                       const std::string& prefix,
                       std::vector<std::string>* out) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor* d = a.GetDescriptor();
  const google::protobuf::Reflection* ra = a.GetReflection();
  const google::protobuf::Reflection* rb = b.GetReflection();
  auto value = [](const google::protobuf::Message& m,
                  const google::protobuf::Reflection* r,
                  const FieldDescriptor* f) -> std::string {
    if (f->has_presence() && !r->HasField(m, f)) return "unset";
    std::string text;
    google::protobuf::TextFormat::PrintFieldValueToString(m, f, -1, &text);
    return text;
  };
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path = absl::StrCat(prefix, f->name());
    if (f->is_repeated()) {
      if (ra->FieldSize(a, f) != rb->FieldSize(b, f)) {
        out->push_back(absl::StrCat(path, ": ", ra->FieldSize(a, f), " -> ",
                                    rb->FieldSize(b, f), " entries"));
      }
      continue;
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      AppendDifferences(ra->GetMessage(a, f), rb->GetMessage(b, f), path + ".",
                        out);
      continue;
    }
    const std::string va = value(a, ra, f), vb = value(b, rb, f);
    if (va != vb) out->push_back(absl::StrCat(path, " ", va, " -> ", vb));
  }
}

}  // namespace

std::vector<std::string> ConfigDifferences(
    const google::protobuf::Message& from,
    const google::protobuf::Message& to) {
  std::vector<std::string> out;
  AppendDifferences(from, to, "", &out);
  return out;
}

}  // namespace sparsity
