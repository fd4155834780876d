// End to end: the smoke preset of //experiments:layerwise_sparsity trains,
// probes and writes a complete results file; the same seeds give the same
// results (timings aside); a run killed with SIGKILL and resumed gives the
// results of a run never killed; a non-committed preset never writes into
// results/; --help is the project's own; the renderer turns the results
// into a report with plots. The ablation preset's smoke twin runs every
// variant (word vocabularies included) and renders the ablation report.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/experiment_test_util.h"

namespace sparsity {
namespace {

namespace fs = std::filesystem;

std::string Command(const std::string& out_dir, const std::string& extra) {
  return Env("EXPERIMENT") + " --preset=smoke --quiet --json" +
         (out_dir.empty() ? "" : " --out_dir=" + out_dir) +
         " --corpus_dir=" + Corpus() + " " + extra;
}

int RunExperiment(const std::string& out_dir, const std::string& extra = "") {
  return std::system(Command(out_dir, extra).c_str());
}

TEST(LayerwiseSparsitySmoke, WritesCompleteResults) {
  const std::string out = Tmp("run1");
  ASSERT_EQ(
      RunExperiment(out, "--override='base { optim { weight_decay: 0 } }'"), 0);
  ASSERT_TRUE(fs::exists(out + "/layerwise_sparsity.json"));
  const Results r = Read(out + "/layerwise_sparsity.pb");
  EXPECT_EQ(r.run().experiment(), "layerwise_sparsity");
  EXPECT_EQ(r.run().preset(), "smoke");
  EXPECT_TRUE(r.run().config_overridden());
  EXPECT_FALSE(r.run().machine().empty());
  // Defect 6: the whole command line, not argv[0] alone.
  EXPECT_NE(r.run().command_line().find("--preset=smoke"), std::string::npos)
      << r.run().command_line();
  EXPECT_NE(r.run().command_line().find("weight_decay: 0"), std::string::npos);
  const LayerwiseSparsityResults& e = r.layerwise_sparsity();
  ASSERT_EQ(e.runs_size(), 2);  // the smoke preset's two seeds
  EXPECT_EQ(e.runs(0).name(), "base/i1-d1");
  EXPECT_EQ(e.runs(1).name(), "base/i2-d2");
  for (const TrainingRecord& run : e.runs()) {
    // Defect 1: the override's zero was applied.
    EXPECT_EQ(run.config().optim().weight_decay(), 0.0f);
    const int64_t steps = run.config().train().steps();
    const int every = run.config().probe().every();
    const int layers = run.config().model().n_layers();
    ASSERT_EQ(run.loss_size(), steps);
    EXPECT_GT(run.timings().tokens_per_second(), 0);
    ASSERT_EQ(run.probes_size(), steps / every + 1 + (steps % every ? 1 : 0));
    EXPECT_EQ(run.probes(0).step(), 0);
    EXPECT_EQ(run.probes(run.probes_size() - 1).step(), steps);
    EXPECT_EQ(run.data().probe_tokens(), run.config().probe().batch_tokens());
    for (const Probe& p : run.probes()) {
      ASSERT_EQ(p.layers_size(), layers);
      for (const LayerSparsity& l : p.layers()) {
        EXPECT_LE(l.token_density_p10(), l.token_density_p50());
        EXPECT_LE(l.token_density_mean(), l.sequence_union_density() + 1e-6);
        EXPECT_LE(l.sequence_union_density(), l.batch_union_density() + 1e-6);
        EXPECT_EQ(l.firing_frequency_size(),
                  p.step() == steps ? run.config().model().d_ff() : 0);
      }
    }
    EXPECT_LT(run.loss(steps - 1).loss(), run.loss(0).loss() - 0.5);
  }
  EXPECT_NE(e.runs(0).loss(5).loss(), e.runs(1).loss(5).loss());
  // Defect 6: JSON has every field, zeros included, int64 as numbers.
  const std::string json = Slurp(out + "/layerwise_sparsity.json");
  EXPECT_NE(json.find("\"layer\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"step\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"weight_decay\": 0"), std::string::npos);
  EXPECT_NE(json.find("\"tokens_seen\": 2560"), std::string::npos);
  // The work folder keeps each run's record and checkpoint.
  EXPECT_TRUE(
      fs::exists(out + "/layerwise_sparsity.runs/base__i1-d1.record.pb"));
  EXPECT_TRUE(fs::exists(out + "/layerwise_sparsity.runs/base__i2-d2.ckpt"));
}

TEST(LayerwiseSparsitySmoke, SameSeedsSameResults) {
  ASSERT_EQ(RunExperiment(Tmp("a")), 0);
  ASSERT_EQ(RunExperiment(Tmp("b")), 0);
  ASSERT_EQ(RunExperiment(Tmp("c"), "--seeds=3"), 0);
  const Results a = WithoutTimings(Read(Tmp("a/layerwise_sparsity.pb")));
  const Results b = WithoutTimings(Read(Tmp("b/layerwise_sparsity.pb")));
  const Results c = WithoutTimings(Read(Tmp("c/layerwise_sparsity.pb")));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
  ASSERT_EQ(c.layerwise_sparsity().runs_size(), 1);
  EXPECT_EQ(c.layerwise_sparsity().runs(0).init_seed(), 3u);
  EXPECT_NE(c.layerwise_sparsity().runs(0).loss(3).loss(),
            a.layerwise_sparsity().runs(0).loss(3).loss());
  // Without --json a second write into a folder removes the stale JSON.
  ASSERT_EQ(std::system((Env("EXPERIMENT") +
                         " --preset=smoke --quiet "
                         "--out_dir=" +
                         Tmp("a") + " --corpus_dir=" + Corpus())
                            .c_str()),
            0);
  EXPECT_FALSE(fs::exists(Tmp("a/layerwise_sparsity.json")));
}

// Starts the experiment in the background, kills it with SIGKILL once the
// first checkpoint of the second run exists, then resumes it.
TEST(LayerwiseSparsitySmoke, KilledAndResumedEqualsUninterrupted) {
  const std::string extra =
      "--steps=300 --checkpoint_every=20 --probe_every=50";
  ASSERT_EQ(RunExperiment(Tmp("straight"), extra), 0);
  const std::string out = Tmp("killed");
  const std::string ckpt = out + "/layerwise_sparsity.runs/base__i2-d2.ckpt";
  ASSERT_TRUE(KillWhenFileAppears(Command(out, extra), ckpt));
  EXPECT_FALSE(fs::exists(out + "/layerwise_sparsity.pb"));
  EXPECT_TRUE(
      fs::exists(out + "/layerwise_sparsity.runs/base__i1-d1.record.pb"));
  EXPECT_FALSE(
      fs::exists(out + "/layerwise_sparsity.runs/base__i2-d2.record.pb"));
  ASSERT_EQ(RunExperiment(out, extra + " --resume"), 0);
  const Results straight = Read(Tmp("straight/layerwise_sparsity.pb"));
  const Results resumed = Read(out + "/layerwise_sparsity.pb");
  const Timings& t = resumed.layerwise_sparsity().runs(1).timings();
  EXPECT_EQ(t.resumed(), 1);
  EXPECT_GE(t.wall_seconds(), t.train_seconds() + t.probe_seconds());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(straight), WithoutTimings(resumed)));
}

// Defect 2: a smoke run without --out_dir never touches results/.
TEST(LayerwiseSparsitySmoke, NonCommittedPresetsStayOutOfResults) {
  const std::string ws = Tmp("workspace");
  fs::create_directories(ws + "/results");
  std::ofstream(ws + "/results/layerwise_sparsity.pb") << "committed";
  const std::string cmd = "BUILD_WORKSPACE_DIRECTORY=" + ws + " " +
                          Command("", "") + " > " + Tmp("where.txt");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(Slurp(ws + "/results/layerwise_sparsity.pb"), "committed");
  EXPECT_TRUE(fs::exists(ws + "/runs/smoke/layerwise_sparsity.pb"));
  EXPECT_FALSE(fs::exists(ws + "/results/layerwise_sparsity.runs"));
  // The default preset changed by a flag is not the committed default.
  const std::string changed =
      "BUILD_WORKSPACE_DIRECTORY=" + ws + " " + Env("EXPERIMENT") +
      " --quiet --steps=2 --seeds=1 --corpus_dir=" + Corpus() + " > /dev/null";
  ASSERT_EQ(std::system(changed.c_str()), 0);
  EXPECT_EQ(Slurp(ws + "/results/layerwise_sparsity.pb"), "committed");
  EXPECT_TRUE(fs::exists(ws + "/runs/default/layerwise_sparsity.pb"));
}

// Defect 7: --help shows the project's flags and presets and exits 0.
TEST(LayerwiseSparsitySmoke, HelpIsTheProjectsOwn) {
  const std::string out = Tmp("help.txt");
  ASSERT_EQ(std::system((Env("EXPERIMENT") + " --help > " + out).c_str()), 0);
  const std::string help = Slurp(out);
  EXPECT_EQ(help.rfind("Layer-wise activation sparsity", 0), 0u) << help;
  for (const char* needle : {"--preset", "smoke", "default", "--resume",
                             "--seeds", "--override", "--out_dir"}) {
    EXPECT_NE(help.find(needle), std::string::npos) << needle;
  }
  EXPECT_EQ(help.find("--flagfile"), std::string::npos);  // gflags' own
  EXPECT_LT(std::count(help.begin(), help.end(), '\n'), 120);
}

TEST(LayerwiseSparsitySmoke, RendersReportWithPlots) {
  const std::string out = Tmp("render_in");
  ASSERT_EQ(RunExperiment(out), 0);
  fs::remove(out + "/layerwise_sparsity.json");
  const std::string reports = Tmp("render_out");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/layerwise_sparsity.md");
  for (const char* needle :
       {"## Findings", "## Verdicts", "## Final values per layer",
        "batch union", "window union",
        "Tests in this report's family: 7 (7 comparisons",
        "2 paired seeds, fewer than 5",
        "Means over seeds, min–max in parentheses", "### Per seed",
        "base/i2-d2", "layerwise_sparsity_token_density.png",
        "layerwise_sparsity_window_union.png",
        "layerwise_sparsity_rare_units.png", "layerwise_sparsity_loss.png",
        "layerwise_sparsity_batch_union.png",
        "layerwise_sparsity_sequence_union.png",
        "layerwise_sparsity_firing_histogram.png", "| 1 |"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  // Two seeds: the scorecard shows the claims, never a verdict.
  const std::string index = Slurp(reports + "/README.md");
  EXPECT_NE(index.find("(layerwise_sparsity.md)"), std::string::npos);
  EXPECT_NE(index.find("## The claims scorecard"), std::string::npos);
  EXPECT_NE(index.find("| W2 |"), std::string::npos);
  EXPECT_EQ(index.find("| **supports** ("), std::string::npos);
  EXPECT_EQ(index.find("| **contradicts** ("), std::string::npos);
  for (const char* png :
       {"token_density", "window_union", "rare_units", "batch_union",
        "sequence_union", "loss", "firing_histogram"}) {
    const std::string path =
        reports + "/layerwise_sparsity_" + std::string(png) + ".png";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(Slurp(path).substr(1, 3), "PNG") << path;
    EXPECT_GT(fs::file_size(path), 5000u) << path;
    const std::string gp =
        reports + "/layerwise_sparsity_" + std::string(png) + ".gp";
    EXPECT_NE(Slurp(gp).find("EOD"), std::string::npos) << gp;
  }
}

const TrainingRecord* FindRun(const Results& r, const std::string& name) {
  for (const TrainingRecord& run : r.layerwise_sparsity().runs()) {
    if (run.name() == name) return &run;
  }
  ADD_FAILURE() << "no run " << name;
  return nullptr;
}

TEST(LayerwiseSparsityAblationSmoke, RunsEveryVariantAndRendersTheAnswer) {
  const std::string out = Tmp("ablation");
  ASSERT_EQ(std::system((Env("EXPERIMENT") +
                         " --preset=ablation_smoke --quiet --out_dir=" + out +
                         " --corpus_dir=" + Corpus())
                            .c_str()),
            0);
  // Not a committed preset: the plain name.
  const Results r = Read(out + "/layerwise_sparsity.pb");
  const auto& runs = r.layerwise_sparsity().runs();
  ASSERT_EQ(runs.size(), 14);
  const std::vector<std::string> variants = {
      "reference",  "d_ff_16x",  "d_ff_32x", "words_4096",
      "words_8192", "post_norm", "steps_4x"};
  for (size_t v = 0; v < variants.size(); ++v) {
    EXPECT_EQ(runs[2 * v].name(), variants[v] + "/i1-d1");
    EXPECT_EQ(runs[2 * v + 1].name(), variants[v] + "/i2-d2");
  }
  const TrainingRecord* ref = FindRun(r, "reference/i1-d1");
  const TrainingRecord* words = FindRun(r, "words_4096/i2-d2");
  const TrainingRecord* wide = FindRun(r, "d_ff_32x/i1-d1");
  const TrainingRecord* post = FindRun(r, "post_norm/i1-d1");
  const TrainingRecord* longer = FindRun(r, "steps_4x/i2-d2");
  ASSERT_TRUE(ref && words && wide && post && longer);
  EXPECT_EQ(ref->data().vocabulary_size(), 0);  // bytes
  EXPECT_EQ(words->config().data().tokenizer(), DataConfig::WORDS);
  EXPECT_EQ(words->data().vocabulary_size(), 4096);
  EXPECT_GT(words->data().distinct_training_words(), 4095);
  EXPECT_GT(words->data().train_unknown_fraction(), 0);
  EXPECT_LT(words->data().train_unknown_fraction(), 1);
  EXPECT_GT(words->data().probe_unknown_fraction(), 0);
  // Same documents, the same split, fewer (word) tokens.
  EXPECT_EQ(words->data().train_documents(), ref->data().train_documents());
  EXPECT_EQ(words->data().probe_tokens(), ref->data().probe_tokens());
  EXPECT_LT(words->data().train_tokens(), ref->data().train_tokens());
  EXPECT_EQ(
      wide->probes(wide->probes_size() - 1).layers(0).firing_frequency_size(),
      1024);
  EXPECT_TRUE(post->config().model().post_norm());
  // Roles come from the preset, recorded in every run.
  EXPECT_EQ(ref->role(), "reference");
  EXPECT_EQ(post->role(), "normalisation");
  EXPECT_EQ(wide->role(), "width");
  EXPECT_EQ(longer->probes(longer->probes_size() - 1).step(),
            4 * ref->probes(ref->probes_size() - 1).step());

  const std::string reports = Tmp("ablation_reports");
  ASSERT_EQ(RenderReports(out, reports), 0);
  const std::string md = Slurp(reports + "/layerwise_sparsity_ablation.md");
  for (const char* needle :
       {"## Answer (computed from the measurements)", "## Verdicts",
        "**[W]'s ordering within each variant**", "--preset=ablation_paper",
        "| `words_8192` |", "| `steps_4x` | 40 |", "<unk>",
        "| `post_norm.window_union` |", "| `d_ff_16x` | `width` |",
        "2 paired seeds, fewer than 5", "**Left untested by this sweep.**"}) {
    EXPECT_NE(md.find(needle), std::string::npos) << needle;
  }
  EXPECT_FALSE(fs::exists(reports + "/layerwise_sparsity.md"));
  EXPECT_NE(
      Slurp(reports + "/README.md").find("(layerwise_sparsity_ablation.md)"),
      std::string::npos);
  for (const char* plot :
       {"layer0_window_union", "layer0_batch_union", "final_window_union",
        "final_batch_union", "final_token_density"}) {
    const std::string png =
        reports + "/layerwise_sparsity_ablation_" + std::string(plot) + ".png";
    ASSERT_TRUE(fs::exists(png)) << png;
    EXPECT_GT(fs::file_size(png), 5000u) << png;
    const std::string gp = Slurp(reports + "/layerwise_sparsity_ablation_" +
                                 std::string(plot) + ".gp");
    for (const std::string& v : variants) {
      EXPECT_NE(gp.find("\"" + v + "\""), std::string::npos) << plot << v;
    }
  }
}

// A committed preset other than default writes NAME_PRESET.pb, so that its
// results sit beside default's.
TEST(LayerwiseSparsityAblationSmoke, CommittedAblationHasItsOwnFileName) {
  const std::string out = Tmp("ablation_name");
  ASSERT_EQ(std::system((Env("EXPERIMENT") +
                         " --preset=ablation --quiet --out_dir=" + out +
                         " --corpus_dir=" + Corpus() +
                         " --variants=reference --seeds=1 --steps=2 "
                         "--probe_every=1 --probe_tokens=256 --n_layers=1")
                            .c_str()),
            0);
  EXPECT_TRUE(fs::exists(out + "/layerwise_sparsity_ablation.pb"));
  EXPECT_TRUE(fs::exists(out + "/layerwise_sparsity_ablation.runs"));
  EXPECT_FALSE(fs::exists(out + "/layerwise_sparsity.pb"));
}

// A sweep split into 3 shards run in parallel processes into one folder,
// one shard killed mid-run and resumed, assembles into the results of the
// unsplit sweep (timings and provenance aside); a shard that is done before
// the others says so and exits 0.
TEST(LayerwiseSparsityShards, ThreeShardsOneKilledAssembleTheUnsplitSweep) {
  // Two threads everywhere (--workers would otherwise divide the cores):
  // the same reduction order, so the results compare exactly.
  const std::string ablation =
      Env("EXPERIMENT") +
      " --preset=ablation_smoke --quiet --threads=2 --corpus_dir=" + Corpus();
  const std::string whole = Tmp("unsplit"), split = Tmp("sharded");
  ASSERT_EQ(std::system((ablation + " --out_dir=" + whole).c_str()), 0);
  auto shard = [&](int i) {
    return ablation + " --out_dir=" + split + " --shard=" + std::to_string(i) +
           "/3";
  };
  // Shards 0 and 2 in the background (shard 2 as task 2 of a Slurm job
  // array, from the environment); shard 1 killed once its first run
  // (reference/i2-d2, the second of the sweep) has checkpointed.
  const std::string slurm_task_2 =
      "SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3 " +
      ablation + " --out_dir=" + split;
  const pid_t others = fork();
  if (others == 0) {
    execl("/bin/sh", "sh", "-c",
          (shard(0) + " > " + split + "_0.log & " + slurm_task_2 + " > " +
           split + "_2.log & wait")
              .c_str(),
          nullptr);
    _exit(127);
  }
  ASSERT_GT(others, 0);
  ASSERT_TRUE(KillWhenFileAppears(
      shard(1), split + "/layerwise_sparsity.runs/reference__i2-d2.ckpt"));
  int status = 0;
  waitpid(others, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Shard 1 is missing: nobody wrote the results; both others said why.
  EXPECT_FALSE(fs::exists(split + "/layerwise_sparsity.pb"));
  for (const char* log : {"_0.log", "_2.log"}) {
    EXPECT_NE(Slurp(split + log).find("are not finished yet"),
              std::string::npos)
        << Slurp(split + log);
  }
  // Resumed, it finishes last and writes the sweep's results.
  ASSERT_EQ(std::system((shard(1) + " --resume").c_str()), 0);
  const Results a = Read(whole + "/layerwise_sparsity.pb");
  const Results b = Read(split + "/layerwise_sparsity.pb");
  ASSERT_EQ(b.layerwise_sparsity().runs_size(), 14);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(a), WithoutTimings(b)));
  // --merge writes the same file again without training; bad shards are
  // one error line.
  ASSERT_EQ(
      std::system((ablation + " --out_dir=" + split + " --merge").c_str()), 0);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      WithoutTimings(b),
      WithoutTimings(Read(split + "/layerwise_sparsity.pb"))));
  EXPECT_NE(std::system(
                (ablation + " --out_dir=" + split + " --shard=3/3 2> /dev/null")
                    .c_str()),
            0);
}

}  // namespace
}  // namespace sparsity
