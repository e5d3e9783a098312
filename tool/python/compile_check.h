// The last-line guard before a file is written: what tree-sitter's Python grammar accepts but
// CPython 3 (checked against 3.11's compile()) rejects, so that poolify never writes, and never
// rewrites, a file Python cannot import.
//
//   - a keyword used as a name: `from m import class`, `x.None`, `f(nonlocal=1)`, `def f(class)`
//     (tree-sitter takes any identifier there; soft keywords match, case, type and _ are names)
//   - `__debug__` bound: imported, `as __debug__`, a keyword argument, a parameter, assigned
//   - more than 200 nested parentheses, brackets or braces ("too many nested parentheses": the
//     tokenizer's MAXLEVEL; f-string internals are a separate parse and not counted), a 100th level
//     of indentation ("too many levels of indentation": MAXINDENT), expressions nested over 2,900 deep
//     (attributes, calls, operators, ...: the compiler's RecursionError at the default limit)
//   - a UTF-8 BOM with a coding cookie other than utf-8 ("encoding problem: iso-8859-1 with BOM")
//   - Python 2: `print "x"` and `exec "code"` statements (`print >>f, x` is a valid tuple), `<>`,
//     `10L`, `0777`, `except E, e:`, `raise E, "x"`, backquotes, `ur"..."`
#pragma once

#include "python/problem.h"
#include "python/syntax.h"

#include <optional>
#include <string_view>

namespace poolify::py {

/// The first reason CPython rejects `text` (a whole file, BOM included), or nullopt. Offsets are
/// into `text`. Parses `text` (a text over the parser's limits is a Problem too).
std::optional<Problem> cpythonRejects(std::string_view text);

/// Same with the tree of `text` after its BOM already parsed (`body.text()` is that part).
std::optional<Problem> cpythonRejects(std::string_view text, const Tree &body);

/// cpythonRejects(text), the parser's limits included, with the tree of `text` after its BOM
/// already parsed (a text that was parsed anyway): the same answer without parsing it again.
std::optional<Problem> cpythonRejectsParsed(std::string_view text, const Tree &body);

} // namespace poolify::py
