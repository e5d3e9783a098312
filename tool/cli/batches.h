// Migration batches: which files a run may change (--batch, --category), how a selection is
// cut into numbered, independently reviewable batches (--max-files), and each batch's record
// (a patch, a manifest, a Markdown summary, a commit message).
#pragma once

#include "cli/run.h"

#include <optional>
#include <string>
#include <vector>

namespace poolify::cli {

struct BatchPlan {
  std::string name;          // "01-cloud_functions"
  std::vector<size_t> files; // indices into run.outcomes, sorted by path
};

/// The batches of a run. `batch`/`category` select one (error text in `error` when unknown);
/// with `all`, every configured batch in order, then "unbatched" for files no batch takes;
/// otherwise one batch "all". Only files with something to report are kept.
std::vector<BatchPlan> planBatches(const pipeline::Run &run, const std::string &batch, const std::string &category,
                                   unsigned maxFiles, bool all, std::string &error);

/// The batch's Markdown summary (files, sites rewritten per rule, overrides removed, sites left).
std::string batchSummary(const pipeline::Run &run, const BatchPlan &b);
/// The concatenated unified diffs of the batch's changed files.
std::string batchPatch(const pipeline::Run &run, const BatchPlan &b);

} // namespace poolify::cli
