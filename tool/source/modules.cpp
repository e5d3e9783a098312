#include "source/modules.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <dirent.h>
#include <sys/stat.h>

namespace poolify::source {

namespace {

std::string join(const std::string &dir, const std::string &name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

} // namespace

namespace {
PathKinds::Kind statKind(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return PathKinds::None;
  return S_ISREG(st.st_mode) ? PathKinds::File : S_ISDIR(st.st_mode) ? PathKinds::Dir : PathKinds::None;
}
} // namespace

PathKinds::Kind PathKinds::of(const std::string &path) {
  auto it = memo_.find(path);
  if (it != memo_.end())
    return it->second;
  size_t slash = path.rfind('/');
  Kind k = slash == std::string::npos || slash + 1 == path.size()
               ? statKind(path)
               : listed(slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1), path);
  memo_.emplace(path, k);
  return k;
}

PathKinds::Kind PathKinds::listed(const std::string &dir, const std::string &name, const std::string &path) {
  auto it = folders_.find(dir);
  if (it == folders_.end() && of(dir) != Dir) // known from its own folder's listing: no such folder
    it = folders_.emplace(dir, std::unordered_map<std::string, Kind>()).first;
  if (it == folders_.end()) {
    std::unordered_map<std::string, Kind> names;
    if (DIR *d = ::opendir(dir.c_str())) {
      while (const struct dirent *e = ::readdir(d)) {
        // Files and folders are known from the listing; anything else (a link, an unknown type) is
        // stat'ed when asked for (marked Dir + 1 here).
        Kind k = e->d_type == DT_REG ? File : e->d_type == DT_DIR ? Dir : static_cast<Kind>(Dir + 1);
        names.emplace(e->d_name, k);
      }
      ::closedir(d);
    } else {
      return statKind(path); // not listable (no read permission): ask for the path itself
    }
    it = folders_.emplace(dir, std::move(names)).first;
  }
  auto entry = it->second.find(name);
  if (entry == it->second.end())
    return None;
  return entry->second == File || entry->second == Dir ? entry->second : statKind(path);
}

std::optional<std::string> findModule(const std::vector<std::string> &paths, const std::string &dotted,
                                      PathKinds *kinds) {
  auto isFile = [&](const std::string &p) { return kinds ? kinds->isFile(p) : llvm::sys::fs::is_regular_file(p); };
  auto isDir = [&](const std::string &p) { return kinds ? kinds->isDir(p) : llvm::sys::fs::is_directory(p); };
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
