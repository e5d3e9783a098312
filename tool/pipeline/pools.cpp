#include "pipeline/pools.h"

#include "rules/embedded.h"
#include "source/discover.h"
#include "source/file_io.h"
#include "source/modules.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <map>
#include <set>

namespace poolify::pipeline {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {

std::string join(const std::string &dir, const std::string &rel) {
  llvm::SmallString<256> p(dir);
  path::append(p, rel);
  return std::string(p);
}

// The files that make `module` importable from `root`: the __init__.py of each package folder that
// does not exist yet, then the module itself. An error when a plain module stands where a package
// must go (`shared.py` where `shared/` is needed).
llvm::Expected<std::vector<std::string>> filesFor(const std::string &root, const std::string &module) {
  std::vector<std::string> files;
  llvm::SmallVector<llvm::StringRef, 8> parts;
  llvm::StringRef(module).split(parts, '.');
  std::string dir = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string next = join(dir, parts[i].str());
    if (fs::exists(next + ".py") && !fs::is_directory(next))
      return llvm::createStringError(std::errc::file_exists,
                                     "%s.py is a module where the package %s must be; the pool module cannot be "
                                     "added there",
                                     next.c_str(), parts[i].str().c_str());
    if (!fs::exists(next))
      files.push_back(join(next, "__init__.py"));
    dir = next;
  }
  files.push_back(join(dir, parts.back().str() + ".py"));
  return files;
}

// Where writing `file` lands: its deepest existing folder with symlinks resolved, then the rest. A
// unit whose `shared` is a symlink to the tree's package gets its pool where the tree does.
std::string realDestination(const std::string &file) {
  std::string dir(path::parent_path(file));
  std::vector<std::string> rest{std::string(path::filename(file))};
  while (!dir.empty() && !fs::exists(dir)) {
    rest.push_back(std::string(path::filename(dir)));
    dir = std::string(path::parent_path(dir));
  }
  llvm::SmallString<256> real;
  std::string out = dir.empty() || fs::real_path(dir, real) ? dir : std::string(real);
  for (auto it = rest.rbegin(); it != rest.rend(); ++it)
    out = join(out, *it);
  return out;
}

using source::displayOf;

} // namespace

llvm::Expected<std::vector<PoolWrite>> planPools(const Run &run, const std::string &into) {
  // Modules some site was left for, and the units those sites are in.
  std::map<std::string, std::set<const ImportRoots::Unit *>> waiting;
  for (const auto &o : run.outcomes)
    for (const auto &r : o.records)
      if (auto module = r.missingPool()) {
        auto &units = waiting[*module];
        if (const ImportRoots::Unit *u = run.roots->unitOf(o.file->path))
          units.insert(u);
      }
  std::vector<PoolWrite> out;
  std::set<std::string> planned;
  auto plan = [&](const rules::Rule &rule, const std::string &module, const std::string &root,
                  const std::string &where) -> llvm::Error {
    if (!planned.insert(root + "\n" + module).second || source::findModule({root}, module))
      return llvm::Error::success();
    if (rule.templatePath.empty())
      return llvm::createStringError(std::errc::invalid_argument,
                                     "rule %s ships no template for %s; write that module yourself", rule.id.c_str(),
                                     module.c_str());
    auto files = filesFor(root, module);
    if (!files)
      return files.takeError();
    // The same file through a symlink (a unit's `shared` linking to the tree's): written once.
    if (!planned.insert("file\n" + realDestination(files->back())).second)
      return llvm::Error::success();
    out.push_back({rule.id, module, root, where, rule.templatePath, std::move(*files)});
    return llvm::Error::success();
  };
  for (const auto &rule : run.rules) {
    std::set<std::string> modules;
    for (const auto &rw : rule.rewrites)
      modules.insert(rw.replace.module);
    for (const auto &module : modules) {
      if (!into.empty()) {
        std::string dir = source::lexicalAbsolute(into);
        if (auto err = plan(rule, module, dir, displayOf(dir)))
          return err;
        continue;
      }
      auto it = waiting.find(module);
      if (it == waiting.end())
        continue;
      if (auto err = plan(rule, module, run.roots->roots().front(), displayOf(run.roots->roots().front())))
        return err;
      for (const ImportRoots::Unit *u : it->second)
        if (auto err = plan(rule, module, u->dir, u->display + " (deployment unit)"))
          return err;
    }
  }
  return out;
}

// A rule's template: compiled in (`<embedded>/templates/NAME`) or a file beside the rule file.
llvm::Expected<std::string> templateText(const PoolWrite &w) {
  if (rules::isEmbeddedPath(w.templatePath)) {
    if (auto t = rules::embeddedTemplate(llvm::sys::path::filename(w.templatePath).str()))
      return std::string(*t);
  } else if (auto text = source::readFile(w.templatePath)) {
    return text;
  } else {
    llvm::consumeError(text.takeError());
  }
  return llvm::createStringError(std::errc::no_such_file_or_directory,
                                 "rule %s names template %s, which is not there; write %s yourself", w.rule.c_str(),
                                 w.templatePath.c_str(), w.module.c_str());
}

llvm::Expected<std::vector<std::string>> writePool(const PoolWrite &w) {
  auto text = templateText(w);
  if (!text)
    return text.takeError();
  // Computed again: an earlier write of this run may have made some of the packages.
  auto files = filesFor(w.root, w.module);
  if (!files)
    return files.takeError();
  std::vector<std::string> written;
  for (const auto &file : *files) {
    if (auto ec = fs::create_directories(path::parent_path(file)))
      return llvm::createStringError(ec, "%s: cannot create the folder: %s", file.c_str(), ec.message().c_str());
    bool module = &file == &files->back();
    if (auto err = source::createNewFile(file, module ? *text : std::string()))
      return err;
    written.push_back(file);
  }
  return written;
}

} // namespace poolify::pipeline
