#include "python/limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

namespace poolify::py {

std::optional<Problem> parserLimitProblem(std::string_view text) {
  // Runs of extras: comment-only lines and lines holding only a line continuation (`\`), with
  // blank lines between them (no token at all). A line with code ends a run; its own trailing
  // comment and continuation start the next one (counted even when the `#` is in a string).
  std::array<size_t, 10> longest{}; // the 10 longest runs, descending
  size_t run = 0, runStart = 0, maxRun = 0, maxStart = 0;
  auto endRun = [&]() {
    if (run > maxRun) {
      maxRun = run;
      maxStart = runStart;
    }
    if (run > longest.back()) {
      longest.back() = run;
      std::sort(longest.begin(), longest.end(), std::greater<>());
    }
    run = 0;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    size_t first = pos;
    while (first < end && (text[first] == ' ' || text[first] == '\t' || text[first] == '\f' || text[first] == '\v'))
      ++first;
    size_t last = end;
    while (last > first && text[last - 1] == '\r')
      --last;
    if (first == last) {
      // blank: no token, the run goes on
    } else if (text[first] == '#' || (last - first == 1 && text[first] == '\\')) {
      if (run == 0)
        runStart = first;
      ++run;
    } else {
      endRun();
      size_t hash = text.substr(first, last - first).find('#'); // within the line: never quadratic
      bool comment = hash != std::string_view::npos;
      hash += first;
      bool continued = text[last - 1] == '\\';
      run = comment + continued;
      runStart = comment ? hash : last - 1;
    }
    pos = end + 1;
  }
  endRun();
  size_t inNode = 0;
  for (size_t r : longest)
    inNode += r;
  if (inNode > kMaxExtrasInNode)
    return Problem{maxStart,
                   fmt::format("{} comment or line-continuation lines stand with no code between them (the longest "
                               "run, {} lines, starts here); the tree-sitter 0.20 runtime corrupts memory on a syntax "
                               "node with 65,536 or more children (tree-sitter issue #2134), so poolify does not "
                               "parse this file",
                               inNode, maxRun)};
  if (maxRun > kMaxExtrasRun)
    return Problem{maxStart,
                   fmt::format("{} comment or line-continuation lines in a row with no code between them (more than "
                               "{}); tree-sitter-python takes time quadratic in such a run (70,000 lines: minutes), so "
                               "poolify does not parse this file",
                               maxRun, kMaxExtrasRun)};
  return std::nullopt;
}

} // namespace poolify::py
