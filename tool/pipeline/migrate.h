// Migrating an analyzed run: file by file (tallied, a dry run's diff printed or the file written),
// the batch files of --out, and --commit's commit per batch. The command line picks the printers
// and hands them in as callbacks; what happens is said, in order, through `say` (stderr).
#pragma once

#include "model/manifest.h"
#include "model/summary.h"
#include "pipeline/batches.h"

#include <llvm/Support/Error.h>

#include <functional>
#include <string>
#include <vector>

namespace poolify::pipeline {

/// One line for the user (with its newline), in the order things happen.
using Say = std::function<void(const std::string &)>;

struct MigrateOptions {
  bool printDiffs = false; // a dry run: each changed selected file goes to `diff`
  bool write = false;      // --apply without --commit: each changed selected file is written
};

/// What the file loop hands the command line.
struct MigrateSink {
  /// Every file, selected or not, before anything else is done with it (its errors, --explain).
  std::function<void(const model::FileOutcome &, bool selected)> file;
  /// A changed selected file of a dry run; the error says why its diff could not be printed.
  std::function<llvm::Error(const model::FileOutcome &)> diff;
  Say say;
};

/// File by file: handed to the sink; a selected one tallied and its change printed or written (one
/// that fails counts as an error, not a change). False when interrupted before writing a file.
bool migrateFiles(const Run &run, const std::vector<bool> &selected, const MigrateOptions &options,
                  const MigrateSink &sink, model::MigrateTally &t);

/// Writes one batch's files under `base` ("<out>/01-name"): false when one could not be written.
using WriteBatch = std::function<bool(const BatchPlan &, const std::string &base, const model::Manifest &)>;

/// --out: the folder made, then each batch written with its manifest (the batch's files alone and
/// the patch targets among them). False, having said why, when the folder or a batch was not written.
bool writeBatchFiles(const Run &run, const std::vector<BatchPlan> &batches, const std::string &outDir,
                     const WriteBatch &write, const Say &say);

/// --commit: batch after batch, its changed files written and committed with the title "poolify:
/// migrate batch NAME to the shared pools" and the message body `body(batch)`. The exit code: 0,
/// 1 when a file could not be written or git failed, 130 when interrupted.
int commitBatches(const Run &run, const std::vector<BatchPlan> &batches,
                  const std::function<std::string(const BatchPlan &)> &body, const Say &say, model::MigrateTally &t);

/// The coverage manifest of `files` alone (indices into run.outcomes), with their patch targets.
model::Manifest batchManifest(const Run &run, const std::vector<size_t> &files);

} // namespace poolify::pipeline
