#include "data/run_data.h"

#include "data/image_data.h"
#include "data/lm_data.h"

namespace sparsity {

int64_t TokensPerExample(const RunConfig& config) {
  const ModelConfig& m = config.model();
  if (m.family() == ModelConfig::VIT) {
    const int64_t side = m.patch_size() > 0 ? kImageSide / m.patch_size() : 0;
    return side * side + 1;
  }
  return config.data().seq_len();
}

absl::StatusOr<RunData> MakeRunData(const RunConfig& config) {
  RunData out;
  DataSummary& s = out.summary;
  if (config.data().source() == DataConfig::FASHION_MNIST) {
    const int64_t tokens = TokensPerExample(config);
    absl::StatusOr<ImageData> data =
        MakeImageData(config.data(), config.probe().batch_tokens() / tokens,
                      tokens, config.data_seed());
    if (!data.ok()) return data.status();
    s.set_tokens_per_example(tokens);
    s.set_train_examples(data->train_examples);
    s.set_heldout_examples(data->heldout_examples);
    s.set_flipped_labels(data->flipped_labels);
    out.pixel_mean = data->pixel_mean;
    out.pixel_std = data->pixel_std;
    s.set_train_tokens(data->train_examples * tokens);
    s.set_probe_sequences(data->probe.size());
    s.set_probe_tokens(data->probe.size() * tokens);
    out.train = std::move(data->train);
    out.probe = std::move(data->probe);
    out.train_probe = std::move(data->train_probe);
    return out;
  }
  absl::StatusOr<LmData> data =
      MakeLmData(config.data(), config.probe(), config.model().vocab_size(),
                 config.data_seed());
  if (!data.ok()) return data.status();
  s.set_train_documents(data->train_documents);
  s.set_heldout_documents(data->heldout_documents);
  s.set_train_tokens(data->train_tokens);
  s.set_probe_tokens(data->probe_tokens());
  s.set_probe_sequences(data->probe_sequences());
  s.set_vocabulary_size(data->vocabulary_size);
  s.set_distinct_training_words(data->distinct_training_words);
  s.set_train_unknown_fraction(data->train_unknown_fraction);
  s.set_probe_unknown_fraction(data->probe_unknown_fraction);
  out.train = std::move(data->train);
  out.probe = std::move(data->probe);
  out.train_probe = std::move(data->train_probe);
  return out;
}

}  // namespace sparsity
