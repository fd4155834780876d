// Experiment 1 (SPEC.md): layer-wise activation sparsity over training
// (Wild & Anderson 2024, [W]).
//
// Method: train the decoder-only ReLU transformer LM on the Brown corpus
// (byte-level, held-out split by document). At step 0, every probe.every
// steps and at the end, run the model on one fixed held-out probe batch of
// probe.batch_tokens tokens and measure, per MLP layer, token density (mean,
// p10/p50/p90), sequence-union density and batch-union density
// (metrics/sparsity.h). The final probe also stores every unit's firing
// frequency. Everything lands in one Results message.
//
//   bazel run //experiments:layerwise_sparsity -- --preset=default
#include <chrono>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "data/lm_data.h"
#include "experiments/runner.h"
#include "models/transformer_lm.h"
#include "proto/config.pb.h"
#include "proto/results.pb.h"
#include "train/config_validation.h"
#include "train/run_info.h"
#include "train/sparsity_probe.h"
#include "train/trainer.h"

namespace sparsity {
namespace {

constexpr char kName[] = "layerwise_sparsity";

absl::Status Validate(const LayerwiseSparsityConfig& c) {
  for (const absl::Status& s :
       {ValidateModelConfig(c.model()), ValidateDataConfig(c.data(), c.model()),
        ValidateOptimConfig(c.optim()), ValidateTrainConfig(c.train()),
        ValidateProbeConfig(c.probe(), c.model())}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Run(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  LayerwiseSparsityConfig config;
  if (absl::Status s = LoadExperimentConfig(kName, &config); !s.ok()) return s;
  if (absl::Status s = Validate(config); !s.ok()) return s;
  absl::StatusOr<std::string> out_dir = PrepareOutputDir();
  if (!out_dir.ok()) return out_dir.status();

  const ThreadSettings threads = ConfigureCpu(config.train().threads());
  torch::manual_seed(config.seed());
  absl::StatusOr<LmData> data =
      MakeLmData(config.data(), config.probe(), config.model().vocab_size(),
                 config.seed());
  if (!data.ok()) return data.status();

  TransformerLM model(TransformerLMOptions::FromConfig(config.model()));
  Results results;
  *results.mutable_run() =
      CollectRunInfo(kName, FLAGS_preset, config.seed(), argc, argv);
  LayerwiseSparsityResults& out = *results.mutable_layerwise_sparsity();
  *out.mutable_config() = config;
  out.set_probe_tokens(data->probe_batch.size(0) *
                       (data->probe_batch.size(1) - 1));
  out.set_probe_sequences(data->probe_batch.size(0));
  out.set_train_documents(data->train_documents);
  out.set_heldout_documents(data->heldout_documents);
  out.set_parameters(model->NumParameters());

  if (!FLAGS_quiet) {
    std::printf(
        "%s: %lld parameters, %d layers x %d units; %lld train / %lld held-out "
        "documents (%lld train tokens); probe %lld tokens; %d threads "
        "(LibTorch "
        "%d, OpenBLAS %d)\n",
        kName, static_cast<long long>(out.parameters()),
        config.model().n_layers(), config.model().d_ff(),
        static_cast<long long>(data->train_documents),
        static_cast<long long>(data->heldout_documents),
        static_cast<long long>(data->train_tokens),
        static_cast<long long>(out.probe_tokens()), threads.threads,
        threads.torch_threads, threads.blas_threads);
  }

  SparsityProbe probe(data->probe_batch);
  Trainer trainer(model, config.optim(), config.train());
  trainer.set_quiet(FLAGS_quiet);
  const int64_t steps = config.train().steps();
  trainer.set_probe(
      config.probe().every(),
      [&](int64_t step, int64_t tokens) -> absl::StatusOr<ProbeSummary> {
        SparsityMeasurement m = probe.Measure(*model);
        Probe* p = out.add_probes();
        p->set_step(step);
        p->set_tokens_seen(tokens);
        ToProto(m, /*with_firing_frequency=*/step == steps, p);
        ProbeSummary summary{"density", {}};
        for (const auto& layer : m.layers) {
          summary.per_layer.push_back(layer.token_density.mean);
        }
        return summary;
      });
  absl::StatusOr<TrainingRun> run = trainer.Run(*data->train);
  if (!run.ok()) return run.status();
  for (const LossPoint& point : run->loss) *out.add_loss() = point;

  RunInfo& info = *results.mutable_run();
  info.set_threads(threads.threads);
  info.set_torch_threads(threads.torch_threads);
  info.set_blas_threads(threads.blas_threads);
  info.set_openmp_passive(threads.openmp_passive);
  info.set_train_seconds(run->train_seconds);
  info.set_probe_seconds(run->probe_seconds);
  info.set_tokens_per_second(run->tokens_per_second);
  info.set_wall_seconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  if (!FLAGS_quiet) {
    std::printf("trained %lld steps in %s (%.0f tokens/s); probes took %s\n",
                static_cast<long long>(steps),
                FormatDuration(run->train_seconds).c_str(),
                run->tokens_per_second,
                FormatDuration(run->probe_seconds).c_str());
  }
  return WriteExperimentResults(results, *out_dir, kName);
}

}  // namespace
}  // namespace sparsity

int main(int argc, char** argv) {
  sparsity::InitExperiment(
      sparsity::kName,
      "Layer-wise activation sparsity of a ReLU transformer LM over training "
      "(Wild & Anderson 2024): token, sequence-union and batch-union density "
      "per layer.",
      &argc, &argv);
  return sparsity::ExitCode(sparsity::kName, sparsity::Run(argc, argv));
}
