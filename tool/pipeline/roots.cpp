#include "pipeline/roots.h"

#include "source/discover.h"
#include "source/git.h"
#include "source/modules.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace poolify::pipeline {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

std::string absolute(const std::string &p) { return source::lexicalAbsolute(p); }

using source::displayOf;

bool exists(const std::string &dir, const char *name) {
  llvm::SmallString<256> p(dir);
  path::append(p, name);
  return fs::exists(p);
}

// The tree's import roots: source roots, else the configuration's folder, else the git work
// tree's top, else the nearest folder at or above the first path that marks a project
// (pyproject.toml, setup.py, setup.cfg), else the current folder when the first path lies in it,
// else the first path (a folder, or the folder of a file).
std::vector<std::string> treeRoots(const config::Config &config, const std::vector<std::string> &paths) {
  std::vector<std::string> out;
  if (!config.file.empty()) {
    for (const auto &r : config.sourceRoots) {
      llvm::SmallString<256> p(config.dir);
      path::append(p, r);
      out.push_back(absolute(std::string(p)));
    }
    if (out.empty())
      out.push_back(absolute(config.dir));
    return out;
  }
  std::string first = paths.empty() ? "." : paths.front();
  std::string start = absolute(fs::is_directory(first) ? first : std::string(path::parent_path(absolute(first))));
  source::GitResult git = source::runGit({"rev-parse", "--show-toplevel"}, start);
  if (git.code == 0 && !git.output.empty())
    return {absolute(git.output.substr(0, git.output.find('\n')))};
  for (std::string d = start; !d.empty(); d = std::string(path::parent_path(d))) {
    if (exists(d, "pyproject.toml") || exists(d, "setup.py") || exists(d, "setup.cfg"))
      return {d};
    if (d == "/")
      break;
  }
  std::string cwd = absolute(".");
  if (start == cwd || (start.size() > cwd.size() && start.compare(0, cwd.size(), cwd) == 0 && start[cwd.size()] == '/'))
    return {cwd};
  return {start};
}

} // namespace

ImportRoots::ImportRoots(const config::Config &config, const std::vector<std::string> &paths,
                         const std::vector<model::SourceFile> &files, const std::vector<std::string> &modules)
    : roots_(treeRoots(config, paths)), installed_(config.poolsInstalled) {
  for (const auto &r : roots_)
    rootsDisplay_ += (rootsDisplay_.empty() ? "" : ", ") + displayOf(r);
  // Units: folders of main.py files with a requirements.txt and no __init__.py, and configured ones.
  std::map<std::string, bool> found; // dir -> configured
  std::string configDir = config.file.empty() ? std::string() : absolute(config.dir);
  for (const auto &f : files) {
    std::string file = source::lexicalAbsolute(f.path, cwd_);
    std::string dir(path::parent_path(file));
    if (path::filename(file) == "main.py" && exists(dir, "requirements.txt") && !exists(dir, "__init__.py"))
      found.emplace(dir, false);
    if (config.units.empty() || configDir.empty())
      continue;
    for (std::string d = dir; d.size() > configDir.size() && d.compare(0, configDir.size(), configDir) == 0;
         d = std::string(path::parent_path(d))) {
      std::string rel = d.substr(configDir.size() + 1);
      if (std::any_of(config.units.begin(), config.units.end(),
                      [&](const std::string &g) { return config::globMatch(g, rel); }))
        found[d] = true;
    }
  }
  for (const auto &[dir, configured] : found)
    units_.push_back({dir, displayOf(dir), configured});
  for (const auto &m : modules) {
    inRoots_[m] = source::findModule(roots_, m).has_value();
    for (size_t u = 0; u < units_.size(); ++u)
      inUnit_[{u, m}] = source::findModule({units_[u].dir}, m).has_value();
  }
}

const ImportRoots::Unit *ImportRoots::unitOf(const std::string &filePath) const {
  if (units_.empty())
    return nullptr;
  std::string file = source::lexicalAbsolute(filePath, cwd_);
  for (std::string d(path::parent_path(file)); !d.empty() && d != "/"; d = std::string(path::parent_path(d))) {
    auto it = std::lower_bound(units_.begin(), units_.end(), d,
                               [](const Unit &u, const std::string &x) { return u.dir < x; });
    if (it != units_.end() && it->dir == d)
      return &*it;
  }
  return nullptr;
}

std::string ImportRoots::rootProblem(const std::string &module) const {
  auto it = inRoots_.find(module);
  bool resolves = it != inRoots_.end() ? it->second : source::findModule(roots_, module).has_value();
  if (resolves)
    return "";
  return fmt::format("pool module {} is not importable from {} (the {}); `poolify pools init` writes it", module,
                     rootsDisplay_, roots_.size() == 1 ? "import root of the tree" : "import roots of the tree");
}

std::string ImportRoots::problemIn(const Unit *u, const std::string &module) const {
  if (u) {
    size_t index = static_cast<size_t>(u - units_.data());
    auto it = inUnit_.find({index, module});
    bool resolves = it != inUnit_.end() ? it->second : source::findModule({u->dir}, module).has_value();
    if (!resolves)
      return fmt::format("pool module {} is not importable from {} (deployment unit{}); `poolify pools init` "
                         "writes it there",
                         module, u->display, u->configured ? " from poolify.yaml" : ": main.py and requirements.txt");
  }
  return rootProblem(module);
}

std::string ImportRoots::problem(const std::string &filePath, const std::string &module) const {
  if (installed_)
    return "";
  return problemIn(unitOf(filePath), module);
}

std::vector<std::string> ImportRoots::problems(const std::string &filePath,
                                               const std::vector<std::string> &modules) const {
  std::vector<std::string> out(modules.size());
  if (installed_)
    return out;
  const Unit *u = unitOf(filePath);
  for (size_t k = 0; k < modules.size(); ++k)
    out[k] = problemIn(u, modules[k]);
  return out;
}

std::string ImportRoots::fingerprint() const {
  std::string out = fmt::format("cwd {}\ninstalled {}\n", cwd_, installed_);
  for (const auto &r : roots_)
    out += fmt::format("root {}\n", r);
  for (const auto &u : units_)
    out += fmt::format("unit {} {}\n", u.dir, u.configured);
  for (const auto &[module, resolves] : inRoots_)
    out += fmt::format("module {} {}\n", module, resolves);
  for (const auto &[at, resolves] : inUnit_)
    out += fmt::format("in unit {} {} {}\n", at.first, at.second, resolves);
  return out;
}

} // namespace poolify::pipeline
