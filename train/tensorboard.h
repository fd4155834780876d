// TensorBoard event files written from C++: a run's training curve and
// probes as scalars TensorBoard (`tensorboard --logdir DIR`) shows while the
// run trains. The files are TFRecord files (each record: its length as
// uint64, the masked CRC-32C of those 8 bytes, the bytes, their masked
// CRC-32C) of Event messages (proto/tensorboard.proto, TensorFlow's field
// numbers), named events.out.tfevents.<unix seconds>.<host>.<pid> as
// TensorFlow names them.
//
//   absl::StatusOr<std::unique_ptr<EventFileWriter>> w =
//       EventFileWriter::Open("runs/x/tensorboard/base__i1-d1");
//   (*w)->AddScalar("train/loss", 10, 3.25);
//
// In training (TrainOne, with RunOptions.tensorboard_dir), rank 0 logs after
// every step: train/loss, train/lr, train/grad_norm, train/tokens_per_second
// (this step's training tokens over its wall time); and each probe:
// probe/loss, probe/density/layer_L (mean token density) and
// probe/dead_units/layer_L. A run that starts over removes its folder's old
// event files; a resumed run adds a new file from the step after its
// checkpoint (TensorBoard's reader then drops the first session's points
// from that step on: its purge of orphaned data after a restart).
#ifndef SPARSITY_TRAIN_TENSORBOARD_H_
#define SPARSITY_TRAIN_TENSORBOARD_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/results.pb.h"
#include "train/trainer.h"

namespace sparsity {

// One TFRecord: the framing around `data`.
std::string TfRecord(std::string_view data);

class EventFileWriter {
 public:
  // Creates `dir` if needed and a new event file in it, starting with the
  // file-version event.
  static absl::StatusOr<std::unique_ptr<EventFileWriter>> Open(
      const std::string& dir);
  ~EventFileWriter();

  absl::Status AddScalar(const std::string& tag, int64_t step, double value);
  // Makes what was added visible to a reader.
  absl::Status Flush();
  const std::string& path() const { return path_; }

 private:
  EventFileWriter(std::string path, std::FILE* file)
      : path_(std::move(path)), file_(file) {}
  absl::Status Write(const std::string& event_bytes);

  std::string path_;
  std::FILE* file_;
};

// Removes the event files in `dir` (a run that starts over).
void RemoveEventFiles(const std::string& dir);

// The training callback that logs a run's steps and probes (see above).
class TensorBoardLogger : public TrainingCallback {
 public:
  // `logged_probes`: the probes a resumed run's record holds already (an
  // earlier session logged them).
  TensorBoardLogger(std::unique_ptr<EventFileWriter> writer,
                    int64_t tokens_per_step, int logged_probes = 0)
      : writer_(std::move(writer)),
        tokens_per_step_(tokens_per_step),
        logged_probes_(logged_probes) {}
  absl::Status AfterLogged(int64_t step, const TrainingRecord& record) override;

 private:
  absl::Status LogProbe(const Probe& probe);

  std::unique_ptr<EventFileWriter> writer_;
  int64_t tokens_per_step_;
  int logged_probes_;
};

}  // namespace sparsity

#endif  // SPARSITY_TRAIN_TENSORBOARD_H_
