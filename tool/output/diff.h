// Differences between two texts, as data (hunks of lines) and as unified diffs that `git apply`
// takes: a/ b/ prefixes, 3 lines of context, "\ No newline at end of file" where it applies.
// Line endings are part of each line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace poolify::output {

struct DiffLine {
  char sign;        // ' ' kept, '-' removed, '+' added
  std::string text; // the line with its line ending (none on a last line without one)
  bool endsLine() const { return !text.empty() && text.back() == '\n'; }
};

/// A run of changed lines with up to 3 lines of context; starts are 0-based line numbers.
struct Hunk {
  unsigned oldStart = 0, oldLength = 0, newStart = 0, newLength = 0;
  std::vector<DiffLine> lines;
};

/// The hunks that turn `before` into `after` (none when they are equal).
std::vector<Hunk> diffHunks(std::string_view before, std::string_view after);
/// "@@ -1,4 +1,5 @@"
std::string hunkHeader(const Hunk &h);
/// The "diff --git" / "---" / "+++" lines of a file's diff, the path relative to the current folder and
/// quoted as git quotes it.
std::string diffHeader(const std::string &path);
/// The unified diff of one file from its hunks ("" when there are none).
std::string renderUnified(const std::vector<Hunk> &hunks, const std::string &path);
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
