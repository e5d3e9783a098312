// Syntax colouring of Python text from its tree-sitter parse (the HTML report's diffs): the same
// parser that decides the rewrites says what is a keyword, a string or a comment, so a colour never
// disagrees with what poolify read.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace poolify::py {

/// A coloured span of a text. `cls` is one letter: k keyword (and True/False/None), s string
/// (prefix and quotes included, f-strings whole), c comment, n number, d decorator name, f the
/// name a def or class defines, b a common builtin (self, cls, len, ...).
struct Token {
  uint32_t start = 0, end = 0;
  char cls = 0;
};

/// The tokens of `text` in document order, not overlapping; text in none is plain. A string may
/// span lines. Text that does not parse is coloured as far as tree-sitter's recovery goes.
std::vector<Token> highlightTokens(std::string_view text);

} // namespace poolify::py
