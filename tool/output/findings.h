// Findings of `poolify check` and the formats they are printed in: text (editor-clickable),
// JSON, SARIF 2.1.0 (GitHub code scanning) and GitHub workflow commands. One interface, four printers.
#pragma once

#include "rules/rule.h"

#include <llvm/Support/Error.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace poolify::output {

struct Finding {
  std::string path;
  unsigned line = 0, col = 0;
  std::string rule;
  std::string message;
  bool error = true; // false: a warning
};

std::string renderFindings(const std::string &format, const std::vector<Finding> &findings,
                           const std::vector<rules::Rule> &rules);
bool isFindingsFormat(const std::string &format);

/// A baseline: direct sites a codebase accepts for now, keyed by file + rule + the site's
/// whitespace-normalised source line (not its line number), with a count per key.
struct Baseline {
  std::map<std::tuple<std::string, std::string, std::string>, unsigned> entries;
};
llvm::Expected<Baseline> readBaseline(const std::string &path);
std::string renderBaseline(const Baseline &b);

} // namespace poolify::output
