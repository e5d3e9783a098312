// Texts the parser runtime cannot be trusted with, found before they reach it.
//
// Debian 12's tree-sitter runtime (libtree-sitter0 0.20.7) keeps a syntax node's child count in a
// 16-bit field. A node with 65,536 or more children wraps it: the runtime then computes the
// children's address from the wrong count and frees a pointer into the middle of a block
// (`free(): invalid size`, `double free`, a segmentation fault), in the parse or when the tree is
// deleted: tree-sitter issue #2134, fixed upstream by a 32-bit field. In the Python grammar the
// only unbounded flat children are "extras" (comments and line continuations): a run of them with
// no code between goes whole into the node around it, and a node has at most 10 children of its
// own (function_definition), so at most 9 gaps between them (the module: its leading and trailing
// runs too) can hold such runs. A text whose 10 longest runs add up to more than kMaxExtrasInNode
// is refused. (A newer runtime, built from source, does not need this bound; it does no harm.)
//
// tree-sitter-python's external scanner, looking for the next line's indentation, reads past every
// following comment or continuation line, once per line of the run: time quadratic in a run's
// length (inside a block: 8,000 lines take 2.3 s, 70,000 did not finish in 120 s). A run longer
// than kMaxExtrasRun is refused too.
#pragma once

#include "python/problem.h"

#include <optional>
#include <string_view>

namespace poolify::py {

constexpr size_t kMaxExtrasInNode = 65000; // the runtime fails at 65,536 children
constexpr size_t kMaxExtrasRun = 10000;

/// Why `text` must not be parsed (at the start of the longest run), or nullopt. One pass over the
/// bytes, no allocation per line. Counting is conservative: a `#` line inside a string counts too.
std::optional<Problem> parserLimitProblem(std::string_view text);

} // namespace poolify::py
