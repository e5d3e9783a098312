#include "python/limits.h"

#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <functional>

namespace poolify::py {

namespace {

// The end of the string literal whose quote is at `pos` (past its closing quote, or the end of the
// line for an unterminated one-quote string). A backslash keeps the next byte in the string, raw
// strings included (r"\"" is one string).
size_t stringEnd(std::string_view text, size_t pos) {
  char q = text[pos];
  auto tripleAt = [&](size_t k) { return k + 2 < text.size() && text[k] == q && text[k + 1] == q && text[k + 2] == q; };
  bool triple = tripleAt(pos);
  size_t i = pos + (triple ? 3 : 1);
  while (i < text.size()) {
    char c = text[i];
    if (c == '\\')
      i += 2;
    else if (c == q && (!triple || tripleAt(i)))
      return i + (triple ? 3 : 1);
    else if (c == '\n' && !triple)
      return i;
    else
      ++i;
  }
  return text.size();
}

// The end of the number or name that starts at `pos`: a number takes its dots and exponent signs
// (1.5e-3 is one token), a name stops at a dot.
size_t wordEnd(std::string_view text, size_t pos) {
  bool number = std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.';
  size_t i = pos + 1;
  while (i < text.size()) {
    char c = text[i];
    bool exponentSign = number && (c == '+' || c == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E');
    if (!identifierByte(c) && !(number && c == '.') && !exponentSign)
      break;
    ++i;
  }
  return i;
}

bool bracket(char c) { return std::strchr("()[]{},;", c) != nullptr; }

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\\'; }

// Operator bytes: a run of them is at least one token (`**=`, `->`, `...`).
bool operatorByte(char c) {
  return !identifierByte(c) && !bracket(c) && !space(c) && c != '#' && c != '"' && c != '\'' && c != '\0';
}
} // namespace

std::optional<size_t> tokensPastLimit(std::string_view text, size_t limit) {
  // Each token counted takes at least one byte: a text no longer than the limit is never scanned.
  size_t tokens = 0, i = 0;
  if (text.size() <= limit)
    return std::nullopt;
  while (i < text.size()) {
    char c = text[i];
    size_t start = i;
    if (space(c) || c == '\0') {
      ++i;
      continue;
    }
    if (c == '#') {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl;
    } else if (c == '"' || c == '\'') {
      i = stringEnd(text, i);
    } else if (identifierByte(c) ||
               (c == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      i = wordEnd(text, i);
    } else if (bracket(c)) {
      ++i;
    } else {
      while (i < text.size() && operatorByte(text[i]))
        ++i;
    }
    if (++tokens > limit)
      return start;
  }
  return std::nullopt;
}

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
  if (auto at = tokensPastLimit(text, kMaxTokens))
    return Problem{
        *at, fmt::format("more than {} million tokens by here; tree-sitter's tree of this file would take over {} "
                         "MB, so poolify does not parse it",
                         kMaxTokens / 1000000, kMaxTokens * kTreeBytesPerToken / 1000000)};
  return std::nullopt;
}

} // namespace poolify::py
