#include "train/train_one.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "models/transformer_lm.h"
#include "models/vision_transformer.h"
#include "train/checkpoint.h"
#include "train/tensorboard.h"

namespace sparsity {

bool SameResultsConfig(const RunConfig& a, const RunConfig& b) {
  RunConfig x = a, y = b;
  for (RunConfig* c : {&x, &y}) {
    c->mutable_train()->clear_log_every();
    c->mutable_train()->clear_checkpoint_every();
  }
  return google::protobuf::util::MessageDifferencer::Equals(x, y);
}

std::shared_ptr<Model> BuildModel(const RunConfig& config) {
  const torch::Device device(config.train().device() == "cuda" ? torch::kCUDA
                                                               : torch::kCPU);
  torch::manual_seed(config.init_seed());
  if (config.model().family() == ModelConfig::VIT) {
    VisionTransformer vit(VisionTransformerOptions::FromConfig(config.model()));
    vit->to(device);
    return vit.ptr();
  }
  TransformerLM lm(TransformerLMOptions::FromConfig(config.model()));
  lm->to(device);
  return lm.ptr();
}

absl::StatusOr<std::shared_ptr<Model>> LoadTrainedModel(
    const RunConfig& config, const std::string& checkpoint) {
  std::shared_ptr<Model> model = BuildModel(config);
  if (absl::Status s = LoadCheckpointWeights(checkpoint, *model); !s.ok()) {
    return s;
  }
  model->eval();
  return model;
}

absl::StatusOr<TrainingRecord> TrainOne(const SweepRun& run,
                                        const std::vector<RunHook>& hooks,
                                        const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const RunConfig& config = run.config;
  absl::StatusOr<RunData> data = MakeRunData(config);
  if (!data.ok()) return data.status();

  std::shared_ptr<Model> model = BuildModel(config);
  if (!options.init_checkpoint_path.empty()) {
    if (absl::Status s = LoadCheckpointWeights(options.init_checkpoint_path,
                                               *model, IsPlugInTensor);
        !s.ok()) {
      return s;
    }
  }

  TrainingRecord record;
  record.set_name(run.name);
  record.set_variant(run.variant);
  record.set_role(run.role);
  record.set_init_seed(config.init_seed());
  record.set_data_seed(config.data_seed());
  *record.mutable_config() = config;
  record.set_parameters(model->NumParameters());
  *record.mutable_data() = data->summary;

  Trainer trainer(model, config.optim(), config.train());
  trainer.set_quiet(options.quiet);
  trainer.set_progress_prefix(options.progress_prefix);
  trainer.set_checkpoint(options.checkpoint_path,
                         config.train().checkpoint_every());
  trainer.set_data_parallel(options.dp);
  RunContext ctx{config, model, *data, trainer, record, {}, options.dp};
  for (const RunHook& hook : hooks) {
    if (absl::Status s = hook(ctx); !s.ok()) return s;
  }

  if (options.resume && !options.checkpoint_path.empty() &&
      std::filesystem::exists(options.checkpoint_path)) {
    // The config first, so that a changed config is named as such rather
    // than as tensors that do not fit.
    absl::StatusOr<TrainingRecord> saved =
        ReadCheckpointRecord(options.checkpoint_path);
    if (!saved.ok()) return saved.status();
    if (!SameResultsConfig(saved->config(), config)) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint ", options.checkpoint_path,
                       " was made with a different config than run ", run.name,
                       "; run without --resume to start over"));
    }
    if (absl::Status s = trainer.Resume(options.checkpoint_path, &record);
        !s.ok()) {
      return s;
    }
    *record.mutable_config() = config;
    data->train->Skip(record.loss_size());
    if (!options.quiet) {
      std::printf("%sresumed at step %d from %s\n",
                  options.progress_prefix.c_str(), record.loss_size(),
                  options.checkpoint_path.c_str());
    }
  }
  if (!options.tensorboard_dir.empty() &&
      (options.dp == nullptr || options.dp->lead())) {
    if (record.loss_size() == 0) RemoveEventFiles(options.tensorboard_dir);
    absl::StatusOr<std::unique_ptr<EventFileWriter>> writer =
        EventFileWriter::Open(options.tensorboard_dir);
    if (!writer.ok()) return writer.status();
    auto logger = std::make_shared<TensorBoardLogger>(
        *std::move(writer), data->train->batch_tokens(), record.probes_size());
    trainer.add_callback(logger.get());
    ctx.keep_alive.push_back(logger);
  }
  // Setup (data, model, resume) counts towards the run's wall time, before
  // training, so that checkpoints carry it too; the trainer adds its own.
  Timings& timings = *record.mutable_timings();
  timings.set_wall_seconds(
      timings.wall_seconds() +
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  if (absl::Status s = trainer.Run(*data->train, &record); !s.ok()) return s;
  return record;
}

}  // namespace sparsity
