// Which names Python 3 accepts where a rewrite prints one: an imported name, a module path, an
// attribute, a keyword argument, a parameter. tree-sitter's grammar takes any identifier there;
// CPython does not (checked against 3.11: `from m import class` and `f(None=1)` are syntax errors,
// binding `__debug__` is "cannot assign to __debug__", soft keywords match, case, type, _ are names).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poolify::py {

/// Python 3's hard keywords (False, None, True, and, as, ... yield; async and await included).
bool isKeyword(std::string_view s);

/// Why `name` cannot be printed as a name Python binds or reads ("is a Python keyword", ...), or
/// nullopt when Python accepts it.
std::optional<std::string> badName(std::string_view name);

/// Same for a dotted name (a.b.c): an empty part, or the first part badName refuses.
std::optional<std::string> badDottedName(std::string_view dotted);

} // namespace poolify::py
