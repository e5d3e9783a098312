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
  bool error = true; // false: a warning
};

/// Direct sites a codebase accepts for now, keyed by file + rule + the site's whitespace-normalised
/// source line (not its line number), with a count per key.
struct Baseline {
  std::map<std::tuple<std::string, std::string, std::string>, unsigned> entries;
};

} // namespace poolify::model
