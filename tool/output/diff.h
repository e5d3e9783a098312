// Unified diffs that `git apply` takes: a/ b/ prefixes, 3 lines of context,
// "\ No newline at end of file" where it applies. Line endings are part of each line.
#pragma once

#include <string>
#include <string_view>

namespace poolify::output {

/// The diff of one file from `before` to `after` ("" when they are equal).
std::string unifiedDiff(std::string_view before, std::string_view after, const std::string &path);

/// The same diff with ANSI colours (for a terminal): removed red, added green, hunk headers cyan.
std::string colorizeDiff(const std::string &diff);

} // namespace poolify::output
