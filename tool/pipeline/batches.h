// Migration batches: which files a run may change (--batch, --category), and how a selection is
// cut into numbered, independently reviewable batches (--max-files).
#pragma once

#include "pipeline/engine.h"

#include <llvm/Support/Error.h>

#include <optional>
#include <string>
#include <vector>

namespace poolify::pipeline {

struct BatchPlan {
  std::string name;          // "01-cloud_functions"
  std::vector<size_t> files; // indices into run.outcomes, sorted by path
};

struct BatchOptions {
  std::string batch;     // only this configured batch
  std::string category;  // only this category
  unsigned maxFiles = 0; // cut each batch into parts of at most this many changed files
  bool all = false;      // every configured batch in order, then "unbatched"; otherwise one batch "all"
};

/// Why `--category NAME` selects nothing the configuration knows (a typo would otherwise run on no
/// file and exit 0): the message names the known categories; nullopt for a configured category or
/// "other" (the files no category matches).
std::optional<std::string> unknownCategory(const config::Config &config, const std::string &category);

/// The batches of an analyzed run; only files with something to report are kept. The error names
/// an unknown batch or category.
llvm::Expected<std::vector<BatchPlan>> planBatches(const Run &run, const BatchOptions &options);

} // namespace poolify::pipeline
