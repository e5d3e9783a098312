// Unified diffs that `git apply` takes: a/ b/ prefixes, 3 lines of context,
// "\ No newline at end of file" where it applies. Line endings are part of each line.
#pragma once

#include <string>
#include <string_view>

namespace poolify::output {

/// The diff of one file from `before` to `after` ("" when they are equal). `path` is made relative
/// to the current folder (`../x.py`, never `a//tmp/x.py`) and quoted in the headers as git quotes it.
std::string unifiedDiff(std::string_view before, std::string_view after, const std::string &path);

/// `prefix` + `path` as git writes it in a diff header (quote_two_c_style with core.quotePath):
/// unchanged, or in double quotes with C escapes (\t \n \" \\ ...) and octal for other control
/// bytes and every byte from 0x80 (`"a/caf\303\251.py"`).
std::string gitQuoted(std::string_view prefix, std::string_view path);

/// An absolute path relative to the current folder (`../other/x.py`); other paths as they are.
std::string relativeToCurrentDir(const std::string &path);

/// The same diff with ANSI colours (for a terminal): removed red, added green, hunk headers cyan.
std::string colorizeDiff(const std::string &diff);

} // namespace poolify::output
