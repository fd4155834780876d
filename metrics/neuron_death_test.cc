#include "metrics/neuron_death.h"

#include <cmath>
#include <random>
#include <string>
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
    h.add_residual_norms(1.0f);
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

TEST(AnalyzeNeuronDeath, RanksAnOutlierBeforeADeathAboveItsNull) {
  // Unit 0 dies at step 9 (last fires on 8); all others keep firing.
  std::vector<std::string> units(4, "111111111111");
  units[0] = "111111110000";
  NeuronDeathHistory h = FromStrings(units);
  // The layer's input norm peaks at step 7 and its residual stream at step
  // 8 (inside the 2-step window before the death: steps 7..8); unit 0's
  // update peaks at step 8.
  h.set_input_norms(6, 50.0f);
  h.set_residual_norms(7, 80.0f);
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
  EXPECT_FLOAT_EQ(e.residual_norm(), 80.0f);
  EXPECT_FLOAT_EQ(e.update_norm(), 9.0f);
  // Step 9's block is steps 9..12, tiled by the windows before steps 9 and
  // 11. Input: the death's window holds the 50, the other a 1: rank
  // (1 + 0.5) / 2.
  EXPECT_FLOAT_EQ(e.input_rank(), 0.75f);
  // The residual spike at 8 is only in the death's window as well.
  EXPECT_FLOAT_EQ(e.residual_rank(), 0.75f);
  // Updates at step 9 among the 4 units that fired on step 8: unit 0's 9
  // above three 1s; all four fired as often: the matched peers are the same.
  EXPECT_FLOAT_EQ(e.update_rank(), (3 + 0.5) / 4.0f);
  EXPECT_FLOAT_EQ(e.update_rank_matched(), (3 + 0.5) / 4.0f);
  EXPECT_FLOAT_EQ(r.layers(0).update_norm_median(), 1.0f);
  // The fade: steps 5..8 in two bins, every step 1 of 10 tokens.
  ASSERT_EQ(e.fade_size(), 2);
  EXPECT_FLOAT_EQ(e.fade(0), 0.1f);
}

TEST(AnalyzeNeuronDeath, RanksTheUpdateAmongPeersAsRare) {
  // Unit 0 dies at step 9; units 1..25 fire once a step like it, units
  // 26..30 ten times. Updates at step 8: unit 0 5, the frequent units 9,
  // the rare ones 1.
  std::vector<std::string> units(31, "111111111111");
  units[0] = "111111110000";
  NeuronDeathHistory h = FromStrings(units);
  for (int k = 0; k < 12; ++k) {
    for (int j = 26; j <= 30; ++j) h.set_fire_counts(k * 31 + j, 10);
  }
  h.set_update_norms(7 * 31 + 0, 5.0f);
  for (int j = 26; j <= 30; ++j) h.set_update_norms(7 * 31 + j, 9.0f);
  DeathOptions o;
  o.dead_window = 4;
  o.outlier_window = 2;
  o.fade_steps = 4;
  o.fade_bin = 2;
  const NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
  ASSERT_EQ(r.deaths_size(), 1);
  // Among all 31 firing units: above the 25 rare ones only.
  EXPECT_FLOAT_EQ(r.deaths(0).update_rank(), 25.5f / 31);
  // Among the 20 as rare (itself and units 1..19): above all the others.
  EXPECT_FLOAT_EQ(r.deaths(0).update_rank_matched(), 19.5f / 20);
}

TEST(AnalyzeNeuronDeath, MatchesEachDeathWithANeverDyingUnitAsRare) {
  // 12 steps, dead_window 4, fade over the 4 steps before the death at 9.
  const NeuronDeathHistory h = FromStrings({
      "111101110000",  // dies at 9; fires 1 of 2 steps in bin 5..6
      "111111111111",  // never dies, fires 2 of 2 in bin 5..6
      "101010101010",  // never dies, 1 of 2 in 5..6: the match
      "100100100100",  // short silences only: never dies, 0 of 2
  });
  DeathOptions o;
  o.dead_window = 4;
  o.outlier_window = 2;
  o.fade_steps = 4;
  o.fade_bin = 2;
  const NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
  ASSERT_EQ(r.deaths_size(), 1);
  const DeathEvent& e = r.deaths(0);
  EXPECT_EQ(e.cohort_unit(), 2);
  EXPECT_EQ(std::vector<float>(e.cohort_fade().begin(), e.cohort_fade().end()),
            (std::vector<float>{0.05f, 0.05f}));
  EXPECT_EQ(std::vector<float>(e.fade().begin(), e.fade().end()),
            (std::vector<float>{0.05f, 0.1f}));
}

TEST(FillLearningSilence, SplitsAliveUnitsBySilenceAfterTheStep) {
  NeuronDeathHistory h = FromStrings({
      "11110000",  // alive at 4, silent 5..8
      "11111000",  // alive at 4, fires on 5
      "10000000",  // not alive at 4 (silent 2..4 with window 3)
      "00010000",  // alive at 4, silent after
  });
  // 1000 tokens a step: one firing a step is 0.1%, below the 1% an active
  // unit needs over its last steps; unit 1 fires on 100 tokens a step.
  h.set_tokens_per_step(1000);
  for (int k = 0; k < 4; ++k) h.set_fire_counts(k * 4 + 1, 100);
  FrozenSilence f;
  f.set_step(4);
  f.set_steps(3);
  FillLearningSilence(h, &f);
  ASSERT_EQ(f.alive_size(), 1);
  EXPECT_EQ(
      std::vector<int>(f.alive(0).units().begin(), f.alive(0).units().end()),
      (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(std::vector<int>(f.learning_silent(0).units().begin(),
                             f.learning_silent(0).units().end()),
            (std::vector<int>{0, 3}));
  EXPECT_EQ(
      std::vector<int>(f.active(0).units().begin(), f.active(0).units().end()),
      (std::vector<int>{1}));
}

// The nulls: with deaths placed at random, whatever the statistics' trend
// and autocorrelation, every rank decile holds about 10% of the deaths.
// 40 simulated runs of 400 steps, 50 units each dying once at a random
// step (blocks of 50 steps, 10 windows of 5); the residual norm a random walk
// on a rising trend, the input norm nearly constant (ties), updates with a
// per-step schedule factor.
TEST(AnalyzeNeuronDeath, RanksAreUniformWhenDeathsAreRandom) {
  std::mt19937 rng(7);
  constexpr int kSteps = 400, kUnits = 50, kRuns = 40;
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> when(2, kSteps - 60);
  std::vector<int> input(10), residual(10), update(10), matched(10);
  int ranked = 0;
  for (int run = 0; run < kRuns; ++run) {
    std::vector<std::string> units;
    for (int j = 0; j < kUnits; ++j) {
      const int d = when(rng);
      units.push_back(std::string(d - 1, '1') +
                      std::string(kSteps - d + 1, '0'));
    }
    NeuronDeathHistory h = FromStrings(units);
    float walk = 0;
    for (int k = 0; k < kSteps; ++k) {
      walk = 0.9f * walk + normal(rng);
      h.set_residual_norms(k, 10.0f + 0.05f * k + walk);
      h.set_input_norms(k, 8.0f + (normal(rng) > 2.0f ? 0.01f : 0.0f));
      const float schedule = 1.0f + std::sin(k / 60.0f);
      for (int j = 0; j < kUnits; ++j) {
        h.set_update_norms(k * kUnits + j,
                           schedule * std::exp(0.5f * normal(rng)));
      }
    }
    DeathOptions o;
    o.dead_window = 50;  // blocks of 10 windows of 5 steps
    o.outlier_window = 5;
    o.fade_steps = 20;
    o.fade_bin = 5;
    const NeuronDeathRecord r = AnalyzeNeuronDeath(h, o);
    for (const DeathEvent& e : r.deaths()) {
      ++ranked;
      ++input[std::min(9, static_cast<int>(e.input_rank() * 10))];
      ++residual[std::min(9, static_cast<int>(e.residual_rank() * 10))];
      ++update[std::min(9, static_cast<int>(e.update_rank() * 10))];
      ++matched[std::min(9, static_cast<int>(e.update_rank_matched() * 10))];
    }
  }
  ASSERT_EQ(ranked, kRuns * kUnits);
  // 2000 deaths: a decile's share has a standard error of 0.7 points. The
  // input norm's ties put ranks at the block's middle, so only its mean is
  // checked; the residual's and the update's deciles each.
  for (int b = 0; b < 10; ++b) {
    EXPECT_NEAR(residual[b] / double(ranked), 0.1, 0.03) << "decile " << b;
    EXPECT_NEAR(update[b] / double(ranked), 0.1, 0.03) << "decile " << b;
    EXPECT_NEAR(matched[b] / double(ranked), 0.1, 0.03) << "decile " << b;
  }
  double input_mean = 0;
  for (int b = 0; b < 10; ++b) input_mean += (b + 0.5) * input[b];
  EXPECT_NEAR(input_mean / ranked / 10, 0.5, 0.05);
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
