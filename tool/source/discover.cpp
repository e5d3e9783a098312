#include "source/discover.h"

#include "source/git.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

namespace poolify::source {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

bool isSkippedDir(const std::string &name) {
  static const std::set<std::string> skipped = {
      ".git", ".hg", ".svn", "__pycache__", "node_modules", "site-packages", "dist-packages", ".venv", "venv",
      ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", ".poolify-cache"};
  if (skipped.count(name))
    return true;
  return llvm::StringRef(name).endswith(".egg-info");
}

bool moduleFileAbove(const std::string &file, const std::string &module) {
  std::string rel = module;
  std::replace(rel.begin(), rel.end(), '.', '/');
  llvm::SmallString<256> dir(file);
  fs::make_absolute(dir);
  path::remove_dots(dir, true);
  for (llvm::StringRef d = path::parent_path(dir); !d.empty(); d = path::parent_path(d)) {
    llvm::SmallString<256> asFile(d), asPackage(d);
    path::append(asFile, rel + ".py");
    path::append(asPackage, rel, "__init__.py");
    if (fs::exists(asFile) || fs::exists(asPackage))
      return true;
    if (d == path::root_path(d))
      break;
  }
  return false;
}

namespace {

std::string currentDir() {
  llvm::SmallString<256> cwd;
  fs::current_path(cwd);
  return std::string(cwd);
}

std::string displayPath(const std::string &p, const std::string &cwd) {
  llvm::SmallString<256> abs(p);
  fs::make_absolute(abs);
  path::remove_dots(abs, /*remove_dot_dot=*/true);
  std::string a(abs);
  if (a.size() > cwd.size() && a.compare(0, cwd.size(), cwd) == 0 && a[cwd.size()] == '/')
    return a.substr(cwd.size() + 1);
  return a;
}

bool isVirtualenv(const std::string &dir) {
  llvm::SmallString<256> cfg(dir);
  path::append(cfg, "pyvenv.cfg");
  return fs::exists(cfg);
}

bool hasSkippedComponent(llvm::StringRef rel) {
  llvm::SmallVector<llvm::StringRef, 8> parts;
  rel.split(parts, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (isSkippedDir(parts[i].str()))
      return true;
  return false;
}

// Files git would show under `dir` (tracked, and untracked but not ignored), or false when
// `dir` is not inside a git work tree or git is not there.
bool gitFiles(const std::string &dir, std::vector<std::string> &out) {
  GitResult r = runGit({"ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"}, dir);
  if (r.code != 0)
    return false;
  llvm::SmallVector<llvm::StringRef, 64> names;
  llvm::StringRef(r.output).split(names, '\0', -1, false);
  std::map<std::string, bool> venv; // folder -> holds pyvenv.cfg
  auto inVirtualenv = [&](llvm::StringRef rel) {
    for (llvm::StringRef d = path::parent_path(rel, path::Style::posix); !d.empty();
         d = path::parent_path(d, path::Style::posix)) {
      auto it = venv.find(d.str());
      if (it == venv.end()) {
        llvm::SmallString<256> full(dir);
        path::append(full, d);
        it = venv.emplace(d.str(), isVirtualenv(std::string(full))).first;
      }
      if (it->second)
        return true;
    }
    return false;
  };
  for (auto n : names) {
    if (hasSkippedComponent(n) || inVirtualenv(n))
      continue;
    llvm::SmallString<256> full(dir);
    path::append(full, n);
    out.push_back(std::string(full));
  }
  return true;
}

void walk(const std::string &root, std::vector<std::string> &out, std::vector<std::string> &problems) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec, /*follow_symlinks=*/false), end; it != end; it.increment(ec)) {
    if (ec) {
      problems.push_back(fmt::format("{}: cannot list: {}; skipped", it->path(), ec.message()));
      ec.clear();
      continue;
    }
    const std::string &p = it->path();
    std::string name = path::filename(p).str();
    auto type = it->type();
    if (type == fs::file_type::directory_file) {
      if (isSkippedDir(name) || isVirtualenv(p))
        it.no_push();
      continue;
    }
    if (llvm::StringRef(name).endswith(".py") &&
        (type == fs::file_type::regular_file || type == fs::file_type::symlink_file))
      out.push_back(p);
  }
}

} // namespace

Discovery discover(const std::vector<std::string> &roots) {
  Discovery d;
  std::string cwd = currentDir();
  std::vector<std::string> found;
  for (const auto &root : roots) {
    fs::file_status st;
    if (auto ec = fs::status(root, st)) {
      d.problems.push_back(fmt::format("{}: {}; skipped", root, ec.message()));
      continue;
    }
    if (fs::is_directory(st)) {
      if (!gitFiles(root, found))
        walk(root, found, d.problems);
    } else {
      found.push_back(root);
    }
  }
  // The real folders of the roots: a symbolic link is followed only to a file inside one of them.
  std::vector<std::string> realRoots;
  for (const auto &root : roots) {
    llvm::SmallString<256> r;
    if (!fs::real_path(root, r))
      realRoots.push_back(fs::is_directory(r) ? std::string(r) : std::string(path::parent_path(r)));
  }
  auto inside = [&](const std::string &real) {
    return std::any_of(realRoots.begin(), realRoots.end(), [&](const std::string &r) {
      return real.size() > r.size() && real.compare(0, r.size(), r) == 0 && real[r.size()] == '/';
    });
  };
  // One lstat per file; plain files first, so a file reached both directly and through a link is
  // named by its own path. A file is the same file when its device and inode are.
  std::vector<std::pair<std::string, fs::file_status>> listed;
  for (auto &p : found) {
    fs::file_status st;
    if (!fs::status(p, st, /*Follow=*/false)) // else deleted since git listed it
      listed.push_back({std::move(p), st});
  }
  std::stable_partition(listed.begin(), listed.end(),
                        [](const auto &e) { return e.second.type() != fs::file_type::symlink_file; });
  std::set<fs::UniqueID> seen;
  for (const auto &entry : listed) {
    const std::string &p = entry.first;
    fs::file_status st = entry.second;
    if (st.type() == fs::file_type::symlink_file) {
      llvm::SmallString<256> real;
      if (fs::real_path(p, real)) {
        d.notes.push_back(fmt::format("{}: a symbolic link that leads nowhere (dangling or a loop); skipped",
                                      displayPath(p, cwd)));
        continue;
      }
      if (fs::status(real, st) || !fs::is_regular_file(st))
        continue;
      if (!inside(std::string(real))) {
        d.notes.push_back(fmt::format("{}: a symbolic link to {}, outside the tree; skipped", displayPath(p, cwd),
                                      std::string(real)));
        continue;
      }
    } else if (!fs::is_regular_file(st)) {
      continue; // a folder named x.py, a device, ...
    }
    if (!seen.insert(st.getUniqueID()).second)
      continue;
    d.files.push_back({p, displayPath(p, cwd)});
  }
  std::sort(d.files.begin(), d.files.end(), [](const model::SourceFile &a, const model::SourceFile &b) { return a.display < b.display; });
  return d;
}

} // namespace poolify::source
