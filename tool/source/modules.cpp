#include "source/modules.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

namespace poolify::source {

namespace {

std::string join(const std::string &dir, const std::string &name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

bool isFile(const std::string &p) { return llvm::sys::fs::is_regular_file(p); }
bool isDir(const std::string &p) { return llvm::sys::fs::is_directory(p); }

} // namespace

std::optional<std::string> findModule(const std::vector<std::string> &paths, const std::string &dotted) {
  llvm::SmallVector<llvm::StringRef, 8> parts;
  llvm::StringRef(dotted).split(parts, '.');
  std::vector<std::string> portions = paths;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string name = parts[i].str();
    if (name.empty())
      return std::nullopt;
    bool last = i + 1 == parts.size();
    std::vector<std::string> next;
    for (const std::string &dir : portions) {
      std::string pkg = join(dir, name);
      if (isFile(join(pkg, "__init__.py"))) {
        if (last)
          return join(pkg, "__init__.py");
        next = {pkg}; // a regular package: the search for this name ends here
        break;
      }
      if (isFile(pkg + ".py")) {
        if (last)
          return pkg + ".py";
        return std::nullopt; // a module wins over namespace portions, and `name.x` cannot come from a module
      }
      if (isDir(pkg))
        next.push_back(pkg); // a namespace portion
    }
    if (last || next.empty())
      return std::nullopt; // a namespace package has no code: the pool's function is not there
    portions = std::move(next);
  }
  return std::nullopt;
}

} // namespace poolify::source
