// Where Python finds a module on disk, as its path-based finder does for one sys.path: a regular
// package (a folder with __init__.py) ends the search for that name, a plain module file comes
// next, a folder without __init__.py is a portion of a namespace package that may continue in
// the other path entries. Symlinks are followed, as Python follows them.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace poolify::source {

/// What a path is on disk, remembered for a whole resolution pass: a run's cross-file steps ask
/// for `root/google/__init__.py`, `root/google.py`, ... for every name every file imports, under
/// every root. Each folder is listed once (readdir) and a name it does not hold costs no system
/// call; a symbolic link (or an entry of unknown type) is stat'ed, as the import system follows
/// links. Not thread-safe.
class PathKinds {
public:
  enum Kind : char { None, File, Dir };
  Kind of(const std::string &path);
  bool isFile(const std::string &path) { return of(path) == File; }
  bool isDir(const std::string &path) { return of(path) == Dir; }

private:
  Kind listed(const std::string &dir, const std::string &name, const std::string &path);
  std::unordered_map<std::string, Kind> memo_;                                     // path -> kind
  std::unordered_map<std::string, std::unordered_map<std::string, Kind>> folders_; // folder -> name -> kind
};

/// The file that `import <dotted>` loads with `paths` as sys.path (a `.py` file or a package's
/// `__init__.py`), or nullopt when it does not resolve there. With `kinds`, the disk is asked
/// through it (and what it learns kept there).
std::optional<std::string> findModule(const std::vector<std::string> &paths, const std::string &dotted,
                                      PathKinds *kinds = nullptr);

} // namespace poolify::source
