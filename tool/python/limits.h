// Texts the parser cannot be trusted with, found before they reach it.
//
// tree-sitter-python's external scanner, looking for the next line's indentation, reads past every
// following comment or continuation line, once per line of the run: time quadratic in a run's
// length inside a block (8,000 lines take 2.3 s, 30,000 a minute, 70,000 did not finish in 120 s);
// at module level the same run is cheap. A run inside a block longer than kMaxExtrasRun is refused,
// and so is a text of more than kMaxTokens tokens (memory: a 10 MB line holding a 5M-element list
// would take 2 GB).
// (Debian's tree-sitter 0.20 runtime also corrupted memory on a node of 65,536 or more children,
// such as a long run of comment lines: tree-sitter issue #2134. poolify builds the 0.25 runtime
// from source, which keeps the count in 32 bits; tests/binary_test.py runs the 65,534-line case.)
#pragma once

#include "python/problem.h"

#include <optional>
#include <string_view>

namespace poolify::py {

constexpr size_t kMaxExtrasRun = 10000;

/// tree-sitter's tree takes up to about 300 bytes per token as counted below (measured: 10 MB of
/// ordinary functions, 2.05M tokens, 596 MB; a list line of 1M elements, 2M tokens, 420 MB). A
/// text of more tokens than this is refused, so one file never takes more than about 600 MB
/// (measured: 50,000 functions of one client call each, 4.6 MB, are 300 MB and pass).
constexpr size_t kMaxTokens = 2000000;
constexpr size_t kTreeBytesPerToken = 300;

/// A lower bound of the tokens in `text` when it has more than `limit` (the offset where the count
/// passes it), or nullopt. Strings and comments count as one token each; never more than the
/// parser's count, so no text under the limit is refused.
std::optional<size_t> tokensPastLimit(std::string_view text, size_t limit);

/// Why `text` must not be parsed (at the start of the longest run), or nullopt. One pass over the
/// bytes, no allocation per line. Counting is conservative: a `#` line inside a string counts too.
std::optional<Problem> parserLimitProblem(std::string_view text);

} // namespace poolify::py
