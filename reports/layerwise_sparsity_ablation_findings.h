// Findings of the layerwise_sparsity ablation (--preset=ablation): which
// factor, if any, moves layer 0 toward [W]'s collapse. The reference is the
// variant whose declared role is "reference" (Variant.role); every other
// variant is compared with it, paired by seed, on layer 0's window union,
// rare units, batch union and token density, and each variant (the
// reference too) is tested for [W]'s ordering (layer 0's window union below
// the last layer's). All in one Holm family (docs/method.md, "Verdicts").
//
//   absl::StatusOr<AblationFindings> f = AnalyzeAblation(results);
#ifndef SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_FINDINGS_H_
#define SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_FINDINGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/results.pb.h"
#include "reports/report.h"
#include "reports/verdict.h"

namespace sparsity {

struct AblationVariant {
  Runs runs;
  std::string name, role, description;
  int steps = 0;
  bool words = false;
  Spread heldout;
  // At the last probe: layer 0 and the last layer.
  Spread bu0, bu_last, wu0, wu_last, td0, td_last, rare0;
  int last_layer = 0;
  // Per seed: the layer(s) with the lowest window union, "1" or "0=2".
  std::vector<std::string> lowest_window_layer;
};

// What the sweep leaves untested: its largest scale, data and length.
struct AblationScope {
  int max_d_model = 0, max_layers = 0;
  int64_t max_steps = 0, max_tokens = 0, max_vocab = 0;
  double max_passes = 0;
  int64_t train_documents = 0;
  // With a byte and a word variant: bytes per word of the training
  // documents (0 without both), whether they share the document split, and
  // their probe batches' sizes in tokens.
  double bytes_per_word = 0;
  bool same_split = false;
  int64_t byte_probe_tokens = 0, word_probe_tokens = 0;
};

struct AblationFindings {
  std::vector<AblationVariant> variants;  // sweep order
  int reference = 0;                      // index into variants
  std::vector<ComparisonResult> verdicts;
  int counted_tests = 0;
  AblationScope scope;
  // The longest variant with the reference's tokenizer, if longer than the
  // reference (-1: none), and the id of its held-out loss comparison.
  int longest = -1;
  // Scorecard rows for W2: [W]'s ordering within every variant (all of
  // them, the unfavourable ones too).
  std::vector<ClaimRow> claims;
};

// Comparison ids: "<variant>.<measure>" with measure one of these, and
// "<variant>.ordering" for [W]'s ordering within a variant, and
// "<variant>.heldout" for the longest variant's held-out loss.
inline constexpr char kAblWindow[] = "window_union";
inline constexpr char kAblRare[] = "rare_units";
inline constexpr char kAblBatch[] = "batch_union";
inline constexpr char kAblToken[] = "token_density";
inline constexpr char kAblOrdering[] = "ordering";
inline constexpr char kAblHeldout[] = "heldout";

std::string AblationId(const std::string& variant, const char* measure);

// An error when no variant or more than one declares role "reference".
absl::StatusOr<AblationFindings> AnalyzeAblation(
    const LayerwiseSparsityResults& results);

}  // namespace sparsity

#endif  // SPARSITY_REPORTS_LAYERWISE_SPARSITY_ABLATION_FINDINGS_H_
