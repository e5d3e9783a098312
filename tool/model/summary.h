// The totals a command's summary line states (migrate, check, report, the pools a migration waits
// for) and the result of a rule's examples (`rules test`): counted in the run's layers, worded by
// output/summary.h.
#pragma once

#include "model/outcome.h"

#include <map>
#include <string>
#include <vector>

namespace poolify::model {

/// What `migrate` did to the files it selected.
struct MigrateTally {
  unsigned changed = 0, rewritten = 0, left = 0, removed = 0, errors = 0, written = 0, unsafe = 0;
  unsigned patches = 0, patchesLeft = 0; // test patches retargeted; those needing a hand fix

  /// Counts a selected file's sites: rewritten, removed, left, unsafe, and its test patches.
  void addSites(const FileOutcome &o);
};

/// The check's result line: direct sites that fail it, warnings, and what was silenced.
struct CheckTotals {
  unsigned errors = 0, warnings = 0, baselined = 0, ignored = 0, unsafeFixable = 0;
  unsigned unanalyzable = 0; // of the errors: files that could not be analyzed (rules syntax, unanalyzable)
};

/// Files that would change and sites left for a hand fix, over a run's outcomes.
struct ChangeTotals {
  size_t changed = 0, left = 0;
};
ChangeTotals countChanges(const std::vector<FileOutcome> &outcomes);

/// Sites left because their pool module is not importable where they run, per module (only those
/// that need a hand fix).
std::map<std::string, unsigned> missingPools(const std::vector<FileOutcome> &outcomes);

/// One example of a rule run (`rules test`): its `before` rewritten by that rule alone.
struct ExampleResult {
  std::string ruleFile;              // the rule's file
  std::string label;                 // "<rule id>#<n>" and the example's name in parentheses
  std::string path;                  // the name the example was processed under ("example_<n>.py")
  std::string expected, actual;      // the example's `after`, and what the rule made of `before`
  std::vector<std::string> messages; // what processing it said
  bool passed = false;
};

} // namespace poolify::model
