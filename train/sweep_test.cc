#include "train/sweep.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/cli.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "train/sparsity_probe.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

RunConfig Base() {
  RunConfig c;
  const std::string corpus =
      fs::path(std::getenv("BROWN_CA01")).parent_path().string();
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        model {
          vocab_size: 256
          d_model: 16
          n_layers: 2
          n_heads: 2
          d_ff: 32
          max_seq_len: 16
        }
        data {
          source: BROWN
          seq_len: 16
          batch_size: 4
          heldout_fraction: 0.1
          split_seed: 0
        }
        optim {
          lr: 3e-3
          min_lr: 3e-4
          warmup_steps: 2
          weight_decay: 0.1
          beta1: 0.9
          beta2: 0.95
          eps: 1e-8
          grad_clip: 1.0
        }
        train { steps: 8 log_every: 100 threads: 1 checkpoint_every: 3 }
        probe { every: 4 batch_tokens: 64 seq_len: 16 }
        init_seed: 1
        data_seed: 1
      )pb",
      &c);
  c.mutable_data()->set_corpus_dir(corpus);
  return c;
}

SweepConfig TwoByTwo() {
  SweepConfig s;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        variants { name: "base" }
        variants {
          name: "no_decay"
          patch { optim { weight_decay: 0 } }
        }
        seeds { init: 1 data: 1 }
        seeds { init: 2 data: 3 }
      )pb",
      &s);
  return s;
}

TEST(ExpandSweep, VariantsTimesSeedsWithZeroPatchesApplied) {
  auto runs = ExpandSweep(Base(), TwoByTwo());
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[0].name, "base/i1-d1");
  EXPECT_EQ((*runs)[1].name, "base/i2-d3");
  EXPECT_EQ((*runs)[3].name, "no_decay/i2-d3");
  EXPECT_FLOAT_EQ((*runs)[0].config.optim().weight_decay(), 0.1f);
  // The patch's zero is applied (presence-aware fields), the rest kept.
  EXPECT_EQ((*runs)[2].config.optim().weight_decay(), 0.0f);
  EXPECT_FLOAT_EQ((*runs)[2].config.optim().lr(), 3e-3f);
  EXPECT_EQ((*runs)[3].config.init_seed(), 2u);
  EXPECT_EQ((*runs)[3].config.data_seed(), 3u);
}

TEST(ExpandSweep, BadVariantsAreErrorsNamingThem) {
  SweepConfig s = TwoByTwo();
  s.mutable_variants(1)->mutable_patch()->mutable_model()->set_d_ff(0);
  auto runs = ExpandSweep(Base(), s);
  ASSERT_FALSE(runs.ok());
  EXPECT_NE(runs.status().message().find("variant no_decay: model.d_ff"),
            std::string::npos)
      << runs.status();
  s = TwoByTwo();
  s.mutable_variants(1)->set_name("base");
  EXPECT_NE(ExpandSweep(Base(), s).status().message().find("listed twice"),
            std::string::npos);
  s = TwoByTwo();
  s.mutable_variants(1)->set_name("a b");
  EXPECT_FALSE(ExpandSweep(Base(), s).ok());
}

TEST(ExpandSweep, ExtendsAppliesAnEarlierVariantsPatchFirst) {
  SweepConfig s = TwoByTwo();
  Variant* child = s.add_variants();
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "no_decay_wide"
        extends: "no_decay"
        patch {
          model { d_ff: 64 }
          optim { lr: 1e-3 }
        }
      )pb",
      child));
  Variant* grandchild = s.add_variants();
  grandchild->set_name("no_decay_wide_slow");
  grandchild->set_extends("no_decay_wide");
  grandchild->mutable_patch()->mutable_optim()->set_lr(5e-4f);
  auto runs = ExpandSweep(Base(), s);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 8u);
  const RunConfig& wide = (*runs)[4].config;
  EXPECT_EQ((*runs)[4].name, "no_decay_wide/i1-d1");
  EXPECT_EQ(wide.optim().weight_decay(), 0.0f);  // from no_decay
  EXPECT_EQ(wide.model().d_ff(), 64);
  EXPECT_FLOAT_EQ(wide.optim().lr(), 1e-3f);
  const RunConfig& slow = (*runs)[7].config;
  EXPECT_EQ(slow.optim().weight_decay(), 0.0f);
  EXPECT_EQ(slow.model().d_ff(), 64);
  EXPECT_FLOAT_EQ(slow.optim().lr(), 5e-4f);
  // The parent itself is unchanged by its children.
  EXPECT_EQ((*runs)[2].config.model().d_ff(), Base().model().d_ff());
  // Only earlier variants can be extended.
  s = TwoByTwo();
  s.mutable_variants(0)->set_extends("no_decay");
  EXPECT_NE(ExpandSweep(Base(), s).status().message().find(
                "variant base extends 'no_decay', which is not an earlier"),
            std::string::npos)
      << ExpandSweep(Base(), s).status();
  s.mutable_variants(0)->set_extends("base");
  EXPECT_FALSE(ExpandSweep(Base(), s).ok());
}

TEST(ExpandSweep, AVariantsOwnSeedsAndInitFromAnEarlierRun) {
  SweepConfig s = TwoByTwo();
  Variant* frozen = s.add_variants();
  frozen->set_name("frozen");
  frozen->mutable_patch()->set_init_from("no_decay/i2-d3");
  Seeds* one = frozen->add_seeds();
  one->set_init(1);
  one->set_data(1);
  auto runs = ExpandSweep(Base(), s);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 5u);
  EXPECT_EQ((*runs)[4].name, "frozen/i1-d1");
  EXPECT_EQ((*runs)[4].config.init_from(), "no_decay/i2-d3");
  // init_from must name a run that comes earlier.
  frozen->mutable_patch()->set_init_from("frozen/i1-d1");
  EXPECT_NE(
      ExpandSweep(Base(), s).status().message().find("not an earlier run"),
      std::string::npos);
  frozen->mutable_patch()->set_init_from("base/i9-d9");
  EXPECT_FALSE(ExpandSweep(Base(), s).ok());
}

TEST(ExpandSweep, InitFromAVariantMeansItsRunWithTheSameSeeds) {
  SweepConfig s = TwoByTwo();
  Variant* tuned = s.add_variants();
  tuned->set_name("tuned");
  tuned->mutable_patch()->set_init_from("no_decay");
  auto runs = ExpandSweep(Base(), s);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 6u);
  for (size_t i = 4; i < 6; ++i) {
    const SweepRun& r = (*runs)[i];
    EXPECT_EQ(r.config.init_from(),
              absl::StrCat("no_decay/i", r.config.init_seed(), "-d",
                           r.config.data_seed()));
  }
  // A variant without a run of those seeds is an error.
  Seeds* other = tuned->add_seeds();
  other->set_init(7);
  other->set_data(7);
  EXPECT_NE(
      ExpandSweep(Base(), s).status().message().find("not an earlier run"),
      std::string::npos);
}

TEST(ExpandSweep, NoVariantsNoSeedsIsTheBaseRun) {
  auto runs = ExpandSweep(Base(), SweepConfig());
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].name, "base/i1-d1");
}

// Fails the run named `victim` at step `at` (after a checkpoint), once.
struct Saboteur {
  std::string victim;
  int64_t at;
  bool armed = true;
};

class FailAt : public TrainingCallback {
 public:
  FailAt(Saboteur* s) : s_(s) {}
  absl::Status AfterStep(int64_t step, Model&) override {
    if (s_->armed && step == s_->at) {
      s_->armed = false;
      return absl::AbortedError("simulated kill");
    }
    return absl::OkStatus();
  }

 private:
  Saboteur* s_;
};

std::vector<RunHook> Hooks(Saboteur* saboteur) {
  std::vector<RunHook> hooks = {AddSparsityProbe};
  if (saboteur != nullptr) {
    hooks.push_back([saboteur](RunContext& ctx) -> absl::Status {
      if (ctx.record.name() == saboteur->victim) {
        auto cb = std::make_shared<FailAt>(saboteur);
        ctx.trainer.add_callback(cb.get());
        ctx.keep_alive.push_back(cb);
      }
      return absl::OkStatus();
    });
  }
  return hooks;
}

void ClearTimings(TrainingRecord* r) {
  r->clear_timings();
  for (LossPoint& p : *r->mutable_loss()) p.clear_seconds();
}

TEST(RunSweep, KilledAndResumedEqualsUninterrupted) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  auto runs = ExpandSweep(Base(), TwoByTwo());
  ASSERT_TRUE(runs.ok());
  SweepOptions straight{tmp + "/straight", false, true};
  auto a = RunSweep(*runs, Hooks(nullptr), straight);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ((*a)[0].probes_size(), 3);  // steps 0, 4, 8

  // Killed in run 3 at step 4 (checkpoint at 3), then resumed.
  Saboteur saboteur{"no_decay/i1-d1", 4};
  SweepOptions killed{tmp + "/killed", false, true};
  auto failed = RunSweep(*runs, Hooks(&saboteur), killed);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("no_decay/i1-d1"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(tmp + "/killed/base__i2-d3.record.pb"));
  EXPECT_FALSE(fs::exists(tmp + "/killed/no_decay__i1-d1.record.pb"));
  killed.resume = true;
  auto b = RunSweep(*runs, Hooks(&saboteur), killed);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->size(), 4u);
  EXPECT_EQ((*b)[2].timings().resumed(), 1);
  // A resumed run's wall time covers its training before the kill too.
  for (const TrainingRecord& r : *b) {
    EXPECT_GE(r.timings().wall_seconds(), r.timings().train_seconds())
        << r.name();
  }
  for (size_t i = 0; i < 4; ++i) {
    TrainingRecord x = (*a)[i], y = (*b)[i];
    ClearTimings(&x);
    ClearTimings(&y);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(x, y))
        << x.name();
  }
  // A second resume skips everything: the same records come back.
  auto c = RunSweep(*runs, Hooks(nullptr), killed);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals((*b)[3], (*c)[3]));
  // Killed after the final checkpoint but before the record was written:
  // the run comes back from its final checkpoint, nothing retrained.
  fs::remove(tmp + "/killed/no_decay__i2-d3.record.pb");
  auto d = RunSweep(*runs, Hooks(nullptr), killed);
  ASSERT_TRUE(d.ok()) << d.status();
  TrainingRecord x = (*a)[3], y = (*d)[3];
  EXPECT_EQ(y.timings().resumed(), 1);
  ClearTimings(&x);
  ClearTimings(&y);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(x, y));
  EXPECT_TRUE(fs::exists(tmp + "/killed/no_decay__i2-d3.record.pb"));
}

TEST(RunSweep, InitFromStartsAtThatRunsFinalWeights) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  SweepConfig s;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        variants { name: "trained" }
        variants {
          name: "frozen"
          patch {
            init_from: "trained/i1-d1"
            optim { lr: 0 min_lr: 0 }
          }
        }
      )pb",
      &s);
  auto runs = ExpandSweep(Base(), s);
  ASSERT_TRUE(runs.ok()) << runs.status();
  auto records = RunSweep(*runs, Hooks(nullptr), {tmp + "/init_from"});
  ASSERT_TRUE(records.ok()) << records.status();
  const TrainingRecord& trained = (*records)[0];
  const TrainingRecord& frozen = (*records)[1];
  // The frozen run starts where the trained one ended, and lr 0 keeps it
  // there: every probe equals the trained run's last.
  const Probe& last = trained.probes(trained.probes_size() - 1);
  for (const Probe& p : frozen.probes()) {
    EXPECT_EQ(p.probe_loss(), last.probe_loss());
    EXPECT_EQ(p.layers(0).token_density_mean(),
              last.layers(0).token_density_mean());
  }
  EXPECT_NE(trained.probes(0).probe_loss(), last.probe_loss());
  // A missing checkpoint is an error naming it.
  fs::remove(tmp + "/init_from/trained__i1-d1.ckpt");
  std::vector<SweepRun> only_frozen = {(*runs)[1]};
  auto missing = RunSweep(only_frozen, Hooks(nullptr), {tmp + "/init_from"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("trained__i1-d1.ckpt"),
            std::string::npos)
      << missing.status();
}

TEST(ShardOfRuns, RoundRobinKeepingInitFromChainsTogether) {
  SweepConfig s;
  google::protobuf::TextFormat::ParseFromString(
      R"pb(
        variants { name: "a" }
        variants { name: "b" }
        variants {
          name: "c"
          patch { init_from: "a/i1-d1" }
        }
        variants { name: "d" }
      )pb",
      &s);
  auto runs = ExpandSweep(Base(), s);
  ASSERT_TRUE(runs.ok()) << runs.status();
  // a, b, d dealt 0, 1, 2; c joins a's shard.
  EXPECT_EQ(ShardOfRuns(*runs, 3), (std::vector<int>{0, 1, 0, 2}));
  EXPECT_EQ(ShardOfRuns(*runs, 1), (std::vector<int>{0, 0, 0, 0}));
}

TEST(RunSweep, ShardsAssembleTheUnsplitRecords) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  auto runs = ExpandSweep(Base(), TwoByTwo());
  ASSERT_TRUE(runs.ok());
  auto whole = RunSweep(*runs, Hooks(nullptr), {tmp + "/whole", false, true});
  ASSERT_TRUE(whole.ok()) << whole.status();
  // Merging before any shard ran: an error naming a missing run.
  SweepOptions merge{tmp + "/sharded", false, true};
  merge.merge_only = true;
  auto early = RunSweep(*runs, Hooks(nullptr), merge);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find("not finished"), std::string::npos);
  // Shard 1 of 2 first: done, but the sweep is not (not an error).
  SweepOptions one{tmp + "/sharded", false, true};
  one.shard = 1;
  one.shards = 2;
  auto partial = RunSweep(*runs, Hooks(nullptr), one);
  ASSERT_FALSE(partial.ok());
  EXPECT_TRUE(IsFinishedEarly(partial.status())) << partial.status();
  // Shard 0 finishes last and returns every run's record, as unsplit. A
  // shard started over never removes the other shard's records.
  SweepOptions zero = one;
  zero.shard = 0;
  auto all = RunSweep(*runs, Hooks(nullptr), zero);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), whole->size());
  for (size_t i = 0; i < all->size(); ++i) {
    TrainingRecord x = (*whole)[i], y = (*all)[i];
    ClearTimings(&x);
    ClearTimings(&y);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(x, y))
        << x.name();
  }
  // --merge now assembles the same records without training.
  auto merged = RunSweep(*runs, Hooks(nullptr), merge);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals((*all)[3],
                                                                 (*merged)[3]));
}

TEST(RunSweep, ResumeWithAnotherConfigIsAnError) {
  const std::string tmp = std::getenv("TEST_TMPDIR");
  auto runs = ExpandSweep(Base(), SweepConfig());
  ASSERT_TRUE(runs.ok());
  SweepOptions o{tmp + "/changed", false, true};
  ASSERT_TRUE(RunSweep(*runs, Hooks(nullptr), o).ok());
  RunConfig other = Base();
  other.mutable_optim()->set_lr(1e-3);
  auto changed = ExpandSweep(other, SweepConfig());
  o.resume = true;
  auto r = RunSweep(*changed, Hooks(nullptr), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("different config"), std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace sparsity
