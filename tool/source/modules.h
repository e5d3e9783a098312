// Where Python finds a module on disk, as its path-based finder does for one sys.path: a regular
// package (a folder with __init__.py) ends the search for that name, a plain module file comes
// next, a folder without __init__.py is a portion of a namespace package that may continue in
// the other path entries. Symlinks are followed, as Python follows them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace poolify::source {

/// The file that `import <dotted>` loads with `paths` as sys.path (a `.py` file or a package's
/// `__init__.py`), or nullopt when it does not resolve there.
std::optional<std::string> findModule(const std::vector<std::string> &paths, const std::string &dotted);

} // namespace poolify::source
