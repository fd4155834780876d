#include "reports/report.h"

#include "gtest/gtest.h"
#include "reports/plot.h"

namespace sparsity {
namespace {

TEST(SpreadOf, MeanMinMax) {
  const Spread s = SpreadOf({0.2, 0.3, 0.4});
  EXPECT_NEAR(s.mean, 0.3, 1e-12);
  EXPECT_EQ(s.min, 0.2);
  EXPECT_EQ(s.max, 0.4);
  EXPECT_EQ(s.n, 3);
  EXPECT_EQ(SpreadOf({}).n, 0);
}

TEST(PctSpread, ShowsTheSpreadOnlyOverSeveralValues) {
  EXPECT_EQ(PctSpread(SpreadOf({0.25, 0.27, 0.26})), "26.0% (25.0–27.0)");
  EXPECT_EQ(PctSpread(SpreadOf({0.5})), "50.0%");
  EXPECT_EQ(NumSpread(SpreadOf({1, 3}), "%.0f"), "2 (1–3)");
}

TEST(BandSeries, MeanLineAndMinMaxBand) {
  Series s = BandSeries("x", {0, 1}, {{1, 2}, {3, 6}});
  EXPECT_EQ(s.y, (std::vector<double>{2, 4}));
  EXPECT_EQ(s.lo, (std::vector<double>{1, 2}));
  EXPECT_EQ(s.hi, (std::vector<double>{3, 6}));
  // One run: no band.
  EXPECT_TRUE(BandSeries("x", {0, 1}, {{1, 2}}).lo.empty());
}

TEST(PerLayerBandPlot, OneSeriesPerLayer) {
  // 2 runs x 2 points x 3 layers.
  LinePlot p = PerLayerBandPlot(
      "t", "step", "y", {0, 10},
      {{{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}}, {{0.3, 0.2, 0.1}, {0.6, 0.5, 0.4}}});
  ASSERT_EQ(p.series.size(), 3u);
  EXPECT_EQ(p.series[2].title, "layer 2");
  EXPECT_NEAR(p.series[0].y[1], 0.5, 1e-12);
  EXPECT_NEAR(p.series[0].lo[1], 0.4, 1e-12);
  EXPECT_NEAR(p.series[0].hi[1], 0.6, 1e-12);
}

TEST(HistogramSeries, CountsPerBinLinearAndLog) {
  Series h =
      HistogramSeries("h", {0.05, 0.15, 0.15, 0.95, 1.0, 2.0}, 10, 0, 1, false);
  ASSERT_EQ(h.y.size(), 11u);  // 10 bins + the closing point
  EXPECT_EQ(h.y[0], 1);
  EXPECT_EQ(h.y[1], 2);
  EXPECT_EQ(h.y[9], 2);  // 0.95 and the right edge 1.0; 2.0 is out of range
  Series lg = HistogramSeries("h", {0.001, 0.01, 0.1, 1.0}, 3, 0.001, 1, true,
                              /*scale=*/2);
  EXPECT_NEAR(lg.x[1], 0.01, 1e-12);
  EXPECT_EQ(lg.y[0], 0.5);  // 0.001
  EXPECT_EQ(lg.y[1], 0.5);  // 0.01
  EXPECT_EQ(lg.y[2], 1.0);  // 0.1 and 1.0
}

TEST(Report, AddPlotNamesTheFileAndReturnsTheLink) {
  Report r("exp", "Exp");
  EXPECT_EQ(r.AddPlot("loss", "the loss", LinePlot{}),
            "![the loss](exp_loss.png)");
  ASSERT_EQ(r.plots.size(), 1u);
  EXPECT_EQ(r.plots[0].first, "exp_loss.png");
}

TEST(GnuplotScript, BandsLogAxesAndHistogram) {
  LinePlot p{"T", "x", "y", {}};
  p.log_x = true;
  Series a = BandSeries("a", {1, 2}, {{1, 2}, {3, 4}});
  Series h = HistogramSeries("h", {0.5}, 2, 0, 1, false);
  p.series = {a, h};
  const std::string s = GnuplotScript(p, "out.png");
  EXPECT_NE(s.find("set output \"out.png\""), std::string::npos);
  // Titles are plain text: an underscore in a variant name is no subscript.
  EXPECT_NE(s.find("noenhanced"), std::string::npos);
  EXPECT_NE(s.find("set logscale x"), std::string::npos);
  EXPECT_NE(s.find("filledcurves"), std::string::npos);
  // Each bin's count spans its bin: "steps", never "fsteps" (which draws
  // the next bin's count over this one).
  EXPECT_NE(s.find("with steps"), std::string::npos);
  EXPECT_EQ(s.find("fsteps"), std::string::npos);
  EXPECT_NE(s.find("1 2 1 3\n"), std::string::npos);  // x mean lo hi
  EXPECT_EQ(s.find("set xtics"), std::string::npos);
  // Tics at given values, each labelled (a log axis over one decade).
  p.x_tics = {0.0005, 0.002};
  EXPECT_NE(GnuplotScript(p, "out.png")
                .find("set xtics (\"0.0005\" 0.0005, \"0.002\" 0.002)\n"),
            std::string::npos);
}

TEST(ConfigDifferences, ListsChangedLeavesWithPresence) {
  RunConfig a, b;
  a.mutable_model()->set_d_model(128);
  b.mutable_model()->set_d_model(64);
  a.mutable_data()->set_batch_size(32);
  b.mutable_data()->set_batch_size(32);
  b.mutable_model()->set_post_norm(false);  // set to false vs unset: differs
  b.mutable_data()->set_tokenizer(DataConfig::WORDS);
  EXPECT_EQ(ConfigDifferences(a, b),
            (std::vector<std::string>{"model.d_model 128 -> 64",
                                      "model.post_norm unset -> false",
                                      "data.tokenizer unset -> WORDS"}));
  EXPECT_TRUE(ConfigDifferences(a, a).empty());
}

}  // namespace
}  // namespace sparsity
