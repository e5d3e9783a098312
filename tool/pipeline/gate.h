// The CI gate (`check`): which direct sites fail it (beyond `# poolify: ignore[...]` comments and
// a baseline), which test patches stop intercepting, and whether coverage meets the minimums.
#pragma once

#include "model/finding.h"
#include "model/manifest.h"
#include "model/summary.h"
#include "pipeline/engine.h"

#include <llvm/Support/Error.h>

#include <string>
#include <string_view>
#include <vector>

namespace poolify::pipeline {

/// --min-coverage: PCT (in total) or CATEGORY=PCT.
struct CoverageMinimum {
  std::string category; // "" for the total
  double percent = 0;
};
/// The error is the whole message to print.
llvm::Expected<CoverageMinimum> parseCoverageMinimum(std::string_view spec);
/// An error naming the first minimum whose category the configuration does not define.
llvm::Error checkCategories(const std::vector<CoverageMinimum> &minimums, const config::Config &config);

/// A baseline file (written by --write-baseline); errors name the file and what is wrong.
llvm::Expected<model::Baseline> readBaseline(const std::string &path);

struct GateResult {
  std::vector<model::Finding> findings; // sorted by path, line, column
  model::Baseline current;              // every direct site not ignored by a comment
  unsigned baselined = 0, ignored = 0;
  unsigned unsafeFixable = 0; // direct sites only `migrate --unsafe-fixes` rewrites
  unsigned unanalyzable = 0;  // files that could not be analyzed (each a finding, "syntax" or "unanalyzable")
  unsigned errors() const;
  /// The totals of the check's result line.
  model::CheckTotals totals() const;
};

/// The findings of an analyzed run: direct sites not silenced by a comment or `baseline`, files that
/// could not be analyzed (rule "syntax" or "unanalyzable", also baseline-able), and a warning (an
/// error when `strict`) for each of `mocks`.
/// Baseline entries name files relative to `baselineDir` (the baseline file's folder; "" for the
/// current one), so a baseline holds from any folder it is used from.
GateResult evaluateGate(const Run &run, model::Baseline baseline, const std::vector<model::MockTarget> &mocks,
                        bool strict, const std::string &baselineDir = "");

/// The folder a baseline file's paths are relative to: its own (real path), "" for the current one.
std::string baselineFolder(const std::string &baselineFile);

/// One message per minimum the manifest misses ("coverage in total is 50.0%, below the required 80%").
std::vector<std::string> coverageShortfalls(const model::Manifest &m, const std::vector<CoverageMinimum> &minimums);

} // namespace poolify::pipeline
