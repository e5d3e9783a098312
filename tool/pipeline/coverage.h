// A run's coverage manifests: of the tree as it was read, and (the report) of the tree once the
// migration's changes are applied — each changed file read once, hash-checked, and its new text
// analyzed again.
#pragma once

#include "model/manifest.h"
#include "pipeline/engine.h"

#include <functional>
#include <string>
#include <vector>

namespace poolify::pipeline {

/// The coverage manifest of the whole run, with the given patch targets. It views the run's site
/// records: the run outlives it.
model::Manifest manifestOf(const Run &run, std::vector<model::MockTarget> mocks);

/// Each file's outcome once the run's changes are applied (a file that could not be read again
/// keeps its outcome); `failed` when one could not be.
struct AfterMigration {
  std::vector<model::FileOutcome> outcomes;
  bool failed = false;
};

/// What analyzeAfter hands on for each file, in order: the texts of a changed one (an unchanged one
/// has none) or the reason they could not be read again.
struct AfterSink {
  std::function<void(const model::FileOutcome &, const model::Texts &)> texts;
  std::function<void(const model::FileOutcome &, const std::string &error)> unreadable;
};

/// The outcomes after migration: each changed file read once (the sink gets its texts, e.g. for its
/// diff) and its new text analyzed again.
AfterMigration analyzeAfter(const Run &run, const AfterSink &sink);

/// The coverage manifest of the outcomes after migration (their own patch targets). It views their
/// site records: `after` outlives it.
model::Manifest manifestAfter(const Run &run, const std::vector<model::FileOutcome> &after);

} // namespace poolify::pipeline
