#include "proto/plugins.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sparsity {

bool HasPlugIns(const ModelConfig& m) {
  return m.mlp().activation() != MlpConfig::RELU ||
         m.zeroth_bias() != ModelConfig::ZEROTH_BIAS_NONE ||
         m.restricted_ln() != ModelConfig::RESTRICTED_LN_NONE ||
         m.mlp().mix_steps() > 0;
}

std::string PlugInLabel(const ModelConfig& m) {
  std::vector<std::string> parts;
  switch (m.mlp().activation()) {
    case MlpConfig::TOPK_RELU:
      parts.push_back(absl::StrCat("Top-", m.mlp().topk(), " ReLU"));
      break;
    case MlpConfig::JSRELU:
      parts.push_back(m.mlp().mix_steps() > 0
                          ? absl::StrCat("JSReLU (mix over ",
                                         m.mlp().mix_steps(), " steps)")
                          : "JSReLU");
      break;
    default:
      if (!HasPlugIns(m)) return "ReLU";
      break;
  }
  if (m.zeroth_bias() == ModelConfig::MLP_INPUT) {
    parts.push_back("zeroth bias (MLP input)");
  } else if (m.zeroth_bias() == ModelConfig::MLP_OUTPUT) {
    parts.push_back("zeroth bias (MLP output)");
  }
  if (m.restricted_ln() == ModelConfig::FROM_SCRATCH) {
    parts.push_back("restricted LN");
  } else if (m.restricted_ln() == ModelConfig::FINETUNE) {
    parts.push_back(absl::StrCat(
        "restricted LN (finetuning, U = ", m.restricted_ln_steps(), ")"));
  }
  return absl::StrJoin(parts, " + ");
}

}  // namespace sparsity
