#include "pipeline/roots.h"

#include "python/limits.h"
#include "source/discover.h"
#include "source/file_io.h"
#include "source/git.h"
#include "source/modules.h"
#include "support/text.h"

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
  std::set<std::string> inRun;
  for (const auto &f : files)
    inRun.insert(source::lexicalAbsolute(f.path, cwd_));
  for (const auto &m : modules) {
    std::optional<std::string> inRoots = source::findModule(roots_, m);
    inRoots_[m] = inRoots.has_value();
    if (const PoolFile *f = add(inRoots, inRun))
      rootFiles_[m] = f;
    for (size_t u = 0; u < units_.size(); ++u) {
      std::optional<std::string> inUnit = source::findModule({units_[u].dir}, m);
      inUnit_[{u, m}] = inUnit.has_value();
      if (const PoolFile *f = add(inUnit, inRun))
        unitFiles_[{u, m}] = f;
    }
  }
}

// The pool module file at `file` (not read yet), or nullptr for none.
const ImportRoots::PoolFile *ImportRoots::add(const std::optional<std::string> &file,
                                              const std::set<std::string> &inRun) {
  if (!file || installed_)
    return nullptr;
  PoolFile &f = files_[*file];
  f.path = *file;
  f.inRun = inRun.count(source::lexicalAbsolute(*file, cwd_)) != 0;
  return &f;
}

void ImportRoots::load() const {
  std::call_once(loaded_, [this] {
    for (auto &[path, f] : files_) {
      f.display = displayOf(path);
      auto bytes = source::readFile(path);
      if (!bytes) {
        llvm::consumeError(bytes.takeError());
        f.hash = "unreadable";
        f.functions = std::make_shared<py::ModuleFunctions>(py::ModuleFunctions{{}, true});
        continue;
      }
      f.hash = fmt::format("{:x}", contentHash(*bytes));
      // A text the parser must not be given says nothing here (importing it is the module's business).
      f.functions = std::make_shared<py::ModuleFunctions>(
          py::parserLimitProblem(*bytes) ? py::ModuleFunctions{{}, true} : py::readModuleFunctions(*bytes));
    }
    std::string root;
    for (const auto &[m, f] : rootFiles_)
      root += fmt::format("{} {}\n", m, f->hash);
    std::vector<std::string> units(units_.size());
    for (const auto &[at, f] : unitFiles_)
      units[at.first] += fmt::format("{} {}\n", at.second, f->hash);
    auto key = [](const std::string &text) { return text.empty() ? text : fmt::format("{:x}", contentHash(text)); };
    rootKey_ = key(root);
    unitKeys_.clear();
    for (const auto &u : units)
      unitKeys_.push_back(key(u + root));
  });
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

std::string ImportRoots::callProblemIn(const PoolFile *file, const std::string &module, const std::string &function,
                                       const py::CallShape &call) const {
  if (!file)
    return "";
  const py::ModuleFunctions &m = *file->functions;
  auto it = m.names.find(function);
  if (it == m.names.end())
    return m.open ? ""
                  : fmt::format("pool module {} ({}) defines no {}: the import would raise ImportError", module,
                                file->display, function);
  const py::ModuleBinding &b = it->second;
  if (b.kind != py::ModuleBinding::Kind::Function)
    return "";
  std::string where = fmt::format("{}{} at {}:{}", function, b.text, file->display, b.line);
  if (b.async)
    return fmt::format("the pool's {} is a coroutine function: the call would give a coroutine, not the result", where);
  if (auto problem = py::bindProblem(b.parameters, call))
    return fmt::format("the pool's {} does not take this call's arguments (TypeError: {}() {})", where, function,
                       *problem);
  return "";
}

std::string ImportRoots::callProblem(const std::string &filePath, const std::string &module,
                                     const std::string &function, const py::CallShape &call) const {
  if (installed_)
    return "";
  load();
  if (const Unit *u = unitOf(filePath)) {
    auto it = unitFiles_.find({static_cast<size_t>(u - units_.data()), module});
    if (std::string p = callProblemIn(it != unitFiles_.end() ? it->second : nullptr, module, function, call);
        !p.empty())
      return p;
  }
  auto it = rootFiles_.find(module);
  return callProblemIn(it != rootFiles_.end() ? it->second : nullptr, module, function, call);
}

std::string ImportRoots::poolKey(const std::string &filePath) const {
  if (installed_ || files_.empty())
    return "";
  load();
  const Unit *u = unitOf(filePath);
  return u ? unitKeys_[static_cast<size_t>(u - units_.data())] : rootKey_;
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
  // A pool module outside the run's files by its stat data, not its bytes: a run that reuses its
  // results reads no file whose stat data did not change. (One whose stat data changed makes the
  // files be planned again; their plans are keyed by its bytes, so one touched, or edited back as
  // it was, is planned as before, from the cache.)
  for (const auto &[file, pool] : files_) {
    if (pool.inRun) { // the results are reused only while it has the bytes they were made from
      out += fmt::format("pool file {} in the run\n", file);
      continue;
    }
    fs::file_status st;
    if (fs::status(file, st))
      out += fmt::format("pool file {} unreadable\n", file);
    else
      out += fmt::format("pool file {} {} {} {} {}\n", file, st.getSize(),
                         st.getLastModificationTime().time_since_epoch().count(), st.getUniqueID().getFile(),
                         st.getUniqueID().getDevice());
  }
  return out;
}

} // namespace poolify::pipeline
