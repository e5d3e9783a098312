#include "python/limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

namespace poolify::py {

std::optional<Problem> parserLimitProblem(std::string_view text) {
  // Runs of extras inside a block: comment-only lines and lines holding only a line continuation
  // (`\`), with blank lines between them (no token at all), after a line of code that is indented.
  // tree-sitter-python's scanner looks ahead over the rest of such a run at every line of it
  // (measured: 30,000 lines take a minute); at module level the same run is cheap.
  size_t run = 0, runStart = 0, maxRun = 0, maxStart = 0;
  bool inBlock = false; // the last line of code was indented
  auto endRun = [&]() {
    if (inBlock && run > maxRun) {
      maxRun = run;
      maxStart = runStart;
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
      inBlock = first > pos;
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
  if (maxRun > kMaxExtrasRun)
    return Problem{maxStart,
                   fmt::format("{} comment or line-continuation lines in a row inside a block, with no code between "
                               "them (more than {}); tree-sitter-python takes time quadratic in such a run (30,000 "
                               "lines: a minute), so poolify does not parse this file",
                               maxRun, kMaxExtrasRun)};
  return std::nullopt;
}

} // namespace poolify::py
