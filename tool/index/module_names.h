// The module path of each of a run's files, and the files a dotted name can denote. The class
// index (bases named by import) and the reach of the tests' patches (patch targets) both ask
// "which files can `pkg.mod` be?" of every file of a run, so the answer is packed: one buffer for
// all module paths and one sorted array of (hash of the last component, file). About 50 bytes a
// file, where a string per file and a hash map of vectors by last component took about 200.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolify::index {

class ModuleNames {
public:
  ModuleNames() = default;
  /// Files 0..n-1, file i by its '/'-separated path `pathOf(i)` (its module path follows from it).
  template <class PathOf> ModuleNames(size_t n, PathOf pathOf) {
    ends_.reserve(n);
    package_.reserve(n);
    for (size_t i = 0; i < n; ++i)
      add(pathOf(i));
    index();
  }

  size_t size() const { return ends_.size(); }
  /// File i's module path ("pkg.mod"; "" for a top-level __init__.py).
  std::string_view dotted(size_t i) const;
  /// Whether file i is a package's __init__.py.
  bool isPackage(size_t i) const { return package_[i]; }
  /// The files whose module path is `module` or ends with "." + `module`, in file order.
  std::vector<size_t> endingWith(std::string_view module) const;
  /// An import's target in file `fromFile` made absolute: "..base.Name" from pkg/sub/mod.py is
  /// "pkg.base.Name"; an absolute one is returned as it is.
  std::string absolute(const std::string &qname, size_t fromFile) const;

  /// Whether module path `dotted` is `module` or ends with "." + `module` (a file endingWith() finds).
  static bool endsWith(std::string_view dotted, std::string_view module) {
    return dotted == module ||
           (dotted.size() > module.size() && dotted.substr(dotted.size() - module.size()) == module &&
            dotted[dotted.size() - module.size() - 1] == '.');
  }
  /// The module path of a path: "pkg/mod.py" -> "pkg.mod", "pkg/__init__.py" -> "pkg",
  /// "./mod.py" -> "mod", "__init__.py" -> "".
  static std::string dottedPath(std::string_view path);

private:
  void add(std::string_view path);
  void index();
  static uint32_t hashOf(std::string_view lastComponent);

  std::string names_;                                 // every module path, back to back
  std::vector<uint64_t> ends_;                        // file i's is names_[ends_[i-1], ends_[i])
  std::vector<bool> package_;                         // file i is an __init__.py
  std::vector<std::pair<uint32_t, uint32_t>> byLast_; // (hash of the last component, file), sorted
};

} // namespace poolify::index
