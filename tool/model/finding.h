// What `check` found, and the baseline of direct sites a codebase accepts for now.
#pragma once

#include <map>
#include <string>
#include <tuple>

namespace poolify::model {

struct Finding {
  std::string path;
  unsigned line = 0, col = 0;
  std::string rule;
  std::string message;
  bool error = true;  // false: a warning
  std::string code{}; // what identifies it in its file besides the rule: the site's normalised source
                      // line, a failure's reason, a patch's target (SARIF fingerprints)
};

/// Direct sites a codebase accepts for now, keyed by file + rule + the site's whitespace-normalised
/// source line (not its line number), with a count per key.
struct Baseline {
  using Key = std::tuple<std::string, std::string, std::string>; // file, rule, code
  std::map<Key, unsigned> entries;
};

} // namespace poolify::model
