#include "metrics/neuron_death.h"

#include <vector>

#include "gtest/gtest.h"

namespace sparsity {
namespace {

// A one-layer history from per-unit firing sequences (one string per unit,
// '1' fired on that step, '0' silent), tokens_per_step 10, updates and input
// norms 1 unless set afterwards.
NeuronDeathHistory FromStrings(const std::vector<std::string>& units) {
  NeuronDeathHistory h;
  const int64_t steps = units[0].size();
  h.set_layers(1);
  h.set_units(static_cast<int>(units.size()));
  h.set_tokens_per_step(10);
  for (int64_t k = 0; k < steps; ++k) {
    for (const std::string& u : units) {
      h.add_fire_counts(u[k] == '1' ? 1 : 0);
      h.add_update_norms(1.0f);
    }
    h.add_input_norms(1.0f);
  }
  return h;
}

TEST(Silences, FindsRunsOfAtLeastTheWindow) {
  const std::vector<uint32_t> c = {1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0};
  const std::vector<Silence> s = Silences(c.data(), 1, c.size(), 3);
  ASSERT_EQ(s.size(), 2);
  EXPECT_EQ(s[0].first, 2);
  EXPECT_EQ(s[0].length, 3);
  EXPECT_TRUE(s[0].revived);
  EXPECT_EQ(s[1].first, 9);
  EXPECT_EQ(s[1].length, 3);
  EXPECT_FALSE(s[1].revived);
}

TEST(AnalyzeNeuronDeath, OnceThenNeverRevivesNeverFires) {
  // 12 steps, dead_window 4.
  const NeuronDeathHistory h = FromStrings({
      "100000000000",  // fires once, then dead from step 2
      "110000011111",  // silent 3..7 (5 steps): a death that revives at 8
      "000000000000",  // never fires: dead from step 1
      "101110111011",  // short silences only: alive
      "111111110000",  // silent for the last 4 steps: dead from step 9
      "111111111000",  // silent for the last 3 steps: alive (< window)
  });
  DeathOptions o;
  o.dead_window = 4;
  o.outlier_window = 2;
  o.fade_steps = 2;
  o.fade_bin = 1;
  ASSERT_TRUE(ValidateHistory(h, o).ok());
  const NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
  ASSERT_EQ(r.layers_size(), 1);
  const LayerDeath& l = r.layers(0);
  EXPECT_EQ(std::vector<int>(l.last_fired().begin(), l.last_fired().end()),
            (std::vector<int>{1, 12, 0, 12, 8, 9}));
  EXPECT_EQ(std::vector<int>(l.death_step().begin(), l.death_step().end()),
            (std::vector<int>{2, 0, 1, 0, 9, 0}));
  EXPECT_EQ(std::vector<int>(l.revivals().begin(), l.revivals().end()),
            (std::vector<int>{0, 1, 0, 0, 0, 0}));
  // dead[k]: unit 2 from step 1, unit 0 from 2, unit 1 on 3..7, unit 4 on
  // 9..12.
  EXPECT_EQ(std::vector<int>(l.dead().begin(), l.dead().end()),
            (std::vector<int>{1, 2, 3, 3, 3, 3, 3, 2, 3, 3, 3, 3}));
  ASSERT_EQ(l.revived_size(), 12);
  EXPECT_EQ(l.revived(7), 1);  // step 8
  int total = 0;
  for (int v : l.revived()) total += v;
  EXPECT_EQ(total, 1);
  // Final frequency over the last 4 steps, 10 tokens a step.
  EXPECT_FLOAT_EQ(l.final_frequency(0), 0);
  EXPECT_FLOAT_EQ(l.final_frequency(1), 4.0f / 40);
  EXPECT_FLOAT_EQ(l.final_frequency(3), 3.0f / 40);
  EXPECT_FLOAT_EQ(l.final_frequency(5), 1.0f / 40);
  // Four deaths; the one at step 1 has no window before it.
  ASSERT_EQ(r.deaths_size(), 4);
  int at_one = 0;
  for (const DeathEvent& e : r.deaths()) {
    if (e.step() == 1) {
      ++at_one;
      EXPECT_EQ(e.input_rank(), -1);
      EXPECT_EQ(std::vector<float>(e.fade().begin(), e.fade().end()),
                (std::vector<float>{-1, -1}));  // no steps before step 1
    }
    if (e.unit() == 0) {  // dies at step 2: one bin of history
      EXPECT_EQ(std::vector<float>(e.fade().begin(), e.fade().end()),
                (std::vector<float>{-1, 0.1f}));
    }
    if (e.unit() == 1) {
      EXPECT_EQ(e.step(), 3);
      EXPECT_EQ(e.silent_steps(), 5);
      EXPECT_TRUE(e.revived());
      // Fade over steps 1..2, one bin a step: fired on 1 of 10 tokens each.
      ASSERT_EQ(e.fade_size(), 2);
      EXPECT_FLOAT_EQ(e.fade(0), 0.1f);
      EXPECT_FLOAT_EQ(e.fade(1), 0.1f);
    }
  }
  EXPECT_EQ(at_one, 1);
  // Histograms: windows of 4 steps ending at 4, 6 and 12.
  ASSERT_EQ(l.histograms_size(), 3);
  EXPECT_EQ(l.histograms(2).step(), 12);
  // Final window: units 0 and 2 and 4 never fired; 1 at 0.1 -> [0.1, 0.5);
  // 3 at 0.075 and 5 at 0.025 -> [1e-2, 0.1).
  EXPECT_EQ(std::vector<int>(l.histograms(2).counts().begin(),
                             l.histograms(2).counts().end()),
            (std::vector<int>{3, 0, 0, 0, 2, 1, 0}));
}

TEST(AnalyzeNeuronDeath, RanksAnOutlierBeforeADeathAboveTheBaseline) {
  // Unit 0 dies at step 9 (last fires on 8); all others keep firing.
  std::vector<std::string> units(4, "111111111111");
  units[0] = "111111110000";
  NeuronDeathHistory h = FromStrings(units);
  // The layer's input norm peaks at step 7 (inside the 2-step window before
  // the death: steps 7..8); unit 0's update peaks at step 8.
  h.set_input_norms(6, 50.0f);
  h.set_update_norms(7 * 4 + 0, 9.0f);
  DeathOptions o;
  o.dead_window = 4;
  o.outlier_window = 2;
  o.fade_steps = 4;
  o.fade_bin = 2;
  const NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
  ASSERT_EQ(r.deaths_size(), 1);
  const DeathEvent& e = r.deaths(0);
  EXPECT_EQ(e.step(), 9);
  EXPECT_FLOAT_EQ(e.input_norm(), 50.0f);
  EXPECT_FLOAT_EQ(e.update_norm(), 9.0f);
  // Baseline windows at steps 2..12 but 9: the spike is inside the windows
  // ending at 8 (7) and 9 (excluded: the death) and 10 (... 8, 9? no: 8..9).
  // Windows [k-2, k-1] containing step 7: k = 8 and 9; only k = 8 is in the
  // baseline (k = 9 is the death). 10 baseline windows, one equal (50), the
  // rest 1: rank (9 + 0.5) / 10.
  EXPECT_FLOAT_EQ(e.input_rank(), 0.95f);
  // Updates: unit 0's update spike at step 8 lies in its windows ending at
  // 9 (the death) and 10 (but unit 0 did not fire on step 9: not baseline).
  // So every baseline value is 1 and the death's 9 ranks above all.
  EXPECT_FLOAT_EQ(e.update_rank(), 1.0f);
  EXPECT_FLOAT_EQ(r.layers(0).update_norm_median(), 1.0f);
  // The fade: steps 5..8 in two bins, every step 1 of 10 tokens.
  ASSERT_EQ(e.fade_size(), 2);
  EXPECT_FLOAT_EQ(e.fade(0), 0.1f);
}

TEST(Rank, CountsTiesHalf) {
  EXPECT_DOUBLE_EQ(Rank({1, 2, 3, 4}, 3), 0.625);
  EXPECT_DOUBLE_EQ(Rank({1, 2}, 0), 0);
  EXPECT_DOUBLE_EQ(Rank({1, 2}, 5), 1);
  EXPECT_DOUBLE_EQ(Rank({}, 5), 0.5);
}

TEST(FiringBin, EdgesAreHalfOpen) {
  EXPECT_EQ(FiringBin(0), 0);
  EXPECT_EQ(FiringBin(1e-5), 1);
  EXPECT_EQ(FiringBin(1e-4), 2);
  EXPECT_EQ(FiringBin(0.0099), 3);
  EXPECT_EQ(FiringBin(0.01), 4);
  EXPECT_EQ(FiringBin(0.5), 6);
  EXPECT_EQ(FiringBin(1), 6);
}

TEST(ValidateHistory, RejectsSizesThatDoNotFit) {
  NeuronDeathHistory h = FromStrings({"1111", "1010"});
  DeathOptions o;
  o.dead_window = 2;
  o.fade_steps = 2;
  o.fade_bin = 1;
  EXPECT_TRUE(ValidateHistory(h, o).ok());
  h.add_update_norms(1.0f);
  EXPECT_FALSE(ValidateHistory(h, o).ok());
  o.fade_steps = 3;
  o.fade_bin = 2;
  EXPECT_FALSE(ValidateHistory(FromStrings({"11"}), o).ok());
}

}  // namespace
}  // namespace sparsity
