#include "pipeline/intercept.h"

#include "index/module_names.h"
#include "pipeline/reader.h"
#include "pipeline/uses.h"
#include "python/limits.h"
#include "python/nodes.h"
#include "python/scopes.h"
#include "rewrite/patches.h"
#include "source/discover.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

namespace poolify::pipeline {

namespace {

std::string joinDotted(const std::vector<std::string> &parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i)
    out += (i > from ? "." : "") + parts[i];
  return out;
}

// File i's text read again (hash-checked: Run::reread) and parsed, its BOM (base bytes) left out
// of the tree; null when it cannot be read or parsed.
struct ParsedAgain {
  std::string bytes;
  uint32_t base;
  py::Tree tree;
  py::ScopeModel model;
  ParsedAgain(std::string b, uint32_t bom)
      : bytes(std::move(b)), base(bom), tree(py::Tree::parse(std::string_view(bytes).substr(base))), model(tree) {}
};

std::unique_ptr<ParsedAgain> parseAgain(const Run &run, size_t i) {
  auto bytes = run.reread(i);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return nullptr;
  }
  uint32_t base = std::string_view(*bytes).substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  if (py::parserLimitProblem(std::string_view(*bytes).substr(base)))
    return nullptr;
  auto p = std::make_unique<ParsedAgain>(std::move(*bytes), base);
  return p->tree.firstError() ? nullptr : std::move(p);
}

// What the reach needs of file i (model::ReachFacts), from its text read again and parsed; not
// parsed when it cannot be read or parsed.
model::ReachFacts reachFactsOf(const Run &run, size_t i) {
  std::unique_ptr<ParsedAgain> parsed = parseAgain(run, i);
  return parsed ? reachFactsFrom(parsed->tree, parsed->model) : model::ReachFacts{};
}
} // namespace

model::ReachFacts reachFactsFrom(const py::Tree &tree, const py::ScopeModel &model) {
  model::ReachFacts out;
  out.parsed = true;
  auto nameOf = [&](TSNode n) {
    if (py::is(n, "aliased_import"))
      n = py::field(n, "name");
    return py::is(n, "dotted_name") ? std::string(tree.text(n)) : std::string();
  };
  tree.nodes().forEachNamed(0, [&](TSNode n) {
    if (py::is(n, "import_statement")) {
      for (TSNode c : py::namedChildren(n))
        if (auto name = nameOf(c); !name.empty())
          out.imported.add(0, name);
      return false;
    }
    if (!py::is(n, "import_from_statement"))
      return true;
    TSNode module = py::field(n, "module_name");
    std::string text(tree.text(module));
    text.erase(std::remove_if(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); }), text.end());
    auto dots = static_cast<uint32_t>(std::min(text.find_first_not_of('.'), text.size()));
    std::string base = text.substr(dots);
    out.imported.add(dots, base);
    for (TSNode c : py::namedChildren(n))
      if (!py::same(c, module))
        if (auto name = nameOf(c); !name.empty())
          out.imported.add(dots, base.empty() ? name : base + "." + name);
    return false;
  });
  std::map<std::string, std::string> bound; // name -> its first binding's
  for (const py::Binding &b : model.bindings())
    if (b.scope == 0 && b.kind == py::BindingKind::Import && !b.qname.empty() && b.qname[0] != '.')
      bound.emplace(b.name, b.qname);
  out.moduleImports = model::ImportTable({bound.begin(), bound.end()});
  out.imported.shrink();
  return out;
}

namespace {

// The run's files by what they are called, their imports, and what a patch target reaches.
class Reach {
public:
  explicit Reach(Run &run) : run_(run), resolver_(run), byPath_(run.found.files), names_(run.namesByDisplay()) {
    for (const auto &r : run.rules)
      for (const auto &rw : r.rewrites)
        callables_.insert(rw.match.begin(), rw.match.end());
    for (const std::string &c : callables_) // "google.cloud.bigquery", "google.cloud", "google"
      for (size_t dot = c.rfind('.'); dot != std::string::npos && dot > 0; dot = c.rfind('.', dot - 1))
        libraries_.insert(c.substr(0, dot));
  }

  const std::vector<model::SourceFile> &files() const { return run_.found.files; }
  std::string_view dotted(size_t i) const { return names_->dotted(i); }

  // What `target` replaces, or nullopt when it is not a callable a rule rewrites.
  std::optional<PatchedCallable> classify(const std::string &target) {
    if (callables_.count(target))
      return PatchedCallable{target, true, SIZE_MAX, "", "", false};
    std::vector<std::string> parts = splitDotted(target);
    for (size_t k = parts.size() - 1; k >= 1; --k) {
      std::string prefix = joinDotted(parts, 0, k);
      for (size_t m : modulesNamed(prefix)) {
        auto qname = importBinding(m, parts[k]);
        if (!qname)
          continue;
        std::string callable = *qname + (k + 1 < parts.size() ? "." + joinDotted(parts, k + 1, parts.size()) : "");
        // `pkg.mod.bigquery`: the module's binding of the library itself, replaced whole.
        if (k + 1 == parts.size() && libraries_.count(callable))
          return PatchedCallable{callable, false, m, prefix, parts[k], true};
        if (!callables_.count(callable))
          return std::nullopt;
        bool global = k + 1 < parts.size();
        return PatchedCallable{callable, global, m, prefix, global ? "" : parts[k], false};
      }
    }
    return std::nullopt;
  }

  // The files a test reaches: what it imports, transitively, and the module its target names;
  // sorted. Marked in one array by run (epoch), not a tree of nodes per test.
  const std::vector<size_t> &closure(size_t test) {
    auto it = closures_.find(test);
    if (it != closures_.end())
      return it->second;
    if (mark_.size() != run_.outcomes.size())
      mark_.assign(run_.outcomes.size(), 0);
    ++epoch_;
    std::vector<size_t> seen{test};
    mark_[test] = epoch_;
    std::vector<size_t> todo{test};
    while (!todo.empty()) {
      size_t f = todo.back();
      todo.pop_back();
      for (size_t d : importsOf(f))
        if (mark_[d] != epoch_) {
          mark_[d] = epoch_;
          seen.push_back(d);
          todo.push_back(d);
        }
    }
    std::sort(seen.begin(), seen.end());
    return closures_[test] = std::move(seen);
  }

  // Computes, on the thread pool, the facts of every file the closures of `starts` reach: level by
  // level (a level's imports are known once its files are parsed), so the closures asked for after
  // read and parse nothing on the one thread that plans the patches. Each file writes only its own
  // outcome's facts; the cache serialises its puts.
  void prefetchClosures(const std::vector<size_t> &starts) {
    std::vector<char> seen(run_.outcomes.size(), 0);
    std::vector<size_t> level;
    for (size_t s : starts)
      if (!seen[s]) {
        seen[s] = 1;
        level.push_back(s);
      }
    while (!level.empty()) {
      std::vector<size_t> unknown;
      for (size_t f : level)
        if (!run_.outcomes[f].reach)
          unknown.push_back(f);
      parallelFor(unknown, run_.options.jobs, [this](size_t f) { facts(f); });
      prefetchImports(level);
      std::vector<size_t> next;
      for (size_t f : level)
        for (size_t d : importsOf(f))
          if (!seen[d]) {
            seen[d] = 1;
            next.push_back(d);
          }
      level = std::move(next);
    }
  }

  // Computes, on the thread pool, the facts of every module a prefix of one of `targets` names
  // (what classify() may read), so that classifying them on one thread parses nothing.
  void prefetchNamed(const std::vector<const std::string *> &targets) {
    std::vector<char> seen(run_.outcomes.size(), 0);
    std::vector<size_t> unknown;
    for (const std::string *target : targets) {
      if (callables_.count(*target))
        continue;
      std::vector<std::string> parts = splitDotted(*target);
      for (size_t k = 1; k < parts.size(); ++k)
        for (size_t m : modulesNamed(joinDotted(parts, 0, k)))
          if (!seen[m] && !run_.outcomes[m].reach) {
            seen[m] = 1;
            unknown.push_back(m);
          }
    }
    parallelFor(unknown, run_.options.jobs, [this](size_t f) { facts(f); });
  }

  // File f's module as test `test` imports it: its name under the first of the test's sys.path
  // entries (ModuleResolver::rootSets) from which that name loads f; "" when none does.
  std::string importedName(size_t test, size_t f) {
    std::string path = source::lexicalAbsolute(run_.found.files[f].path, cwd_);
    for (const auto &roots : resolver_.rootSets(test))
      for (const auto &root : roots) {
        std::string under = root == "/" ? root : root + "/";
        if (path.size() <= under.size() + 3 || path.compare(0, under.size(), under) != 0 ||
            path.compare(path.size() - 3, 3, ".py") != 0)
          continue;
        std::string name = path.substr(under.size(), path.size() - under.size() - 3);
        if (name == "__init__")
          continue;
        if (name.size() > 9 && name.compare(name.size() - 9, 9, "/__init__") == 0)
          name.resize(name.size() - 9);
        std::replace(name.begin(), name.end(), '/', '.');
        const std::string &found = resolver_.find(roots, name);
        if (auto g = found.empty() ? std::nullopt : byPath_.find(found); g && *g == f)
          return name;
      }
    return "";
  }

private:
  std::set<std::string> libraries_; // the modules (and their parents) that hold a rule's callables

  std::vector<size_t> modulesNamed(const std::string &prefix) const { return names_->endingWith(prefix); }

  // File i's reach facts: known to its outcome, else from the cache (by the hash of its bytes),
  // else read and parsed (and remembered in the cache); nullptr when it cannot be parsed.
  const model::ReachFacts *facts(size_t i) {
    model::FileOutcome &o = run_.outcomes[i];
    const model::SourceFile &file = run_.found.files[i];
    if (!o.reach && run_.cache && o.hash)
      if (auto hit = run_.cache->lookup(file, o.hash, model::kReachVariant); hit && hit->reach)
        o.reach = std::move(hit->reach);
    if (!o.reach) {
      // Taken from the file's analysis when it was parsed there, else parsed again.
      std::optional<model::ReachFacts> known = run_.reachMemo->take(i);
      o.reach = known ? std::move(*known) : reachFactsOf(run_, i);
      if (run_.cache && o.hash && o.reach->parsed) { // the bytes the run analyzed (reread checks)
        model::FileOutcome entry;
        entry.file = file;
        entry.hash = o.hash;
        entry.reach = o.reach;
        run_.cache->put(entry, model::kReachVariant);
      }
    }
    return o.reach->parsed ? &*o.reach : nullptr;
  }

  // The qualified name an import binds to `name` at module level of file m.
  std::optional<std::string> importBinding(size_t m, const std::string &name) {
    const model::ReachFacts *f = facts(m);
    if (!f)
      return std::nullopt;
    if (auto qname = f->moduleImports.find(name))
      return std::string(*qname);
    return std::nullopt;
  }

  // The run's files that file i's imports load (packages' __init__ files included). Resolved once
  // per file: every test's closure goes through the same modules.
  const std::vector<size_t> &importsOf(size_t i) {
    auto memo = imports_.find(i);
    if (memo != imports_.end())
      return memo->second;
    const model::ReachFacts *known = facts(i);
    return imports_[i] = known ? resolveImports(resolver_, i, *known) : std::vector<size_t>();
  }

  // importsOf() of each of `files` whose facts are known and imports are not, resolved on the
  // thread pool: each worker takes a resolver of its own (one is not thread-safe; they find the
  // same files, from the same disk), and the results are kept here afterwards.
  void prefetchImports(const std::vector<size_t> &files) {
    std::vector<size_t> unknown;
    for (size_t f : files)
      if (!imports_.count(f) && run_.outcomes[f].reach && run_.outcomes[f].reach->parsed)
        unknown.push_back(f);
    std::vector<std::vector<size_t>> found(unknown.size());
    std::mutex idleMutex;
    std::vector<std::unique_ptr<ModuleResolver>> idle;
    parallelFor(unknown.size(), run_.options.jobs, [&](size_t k) {
      std::unique_ptr<ModuleResolver> resolver;
      {
        std::lock_guard<std::mutex> lock(idleMutex);
        if (!idle.empty()) {
          resolver = std::move(idle.back());
          idle.pop_back();
        }
      }
      if (!resolver)
        resolver = std::make_unique<ModuleResolver>(run_);
      found[k] = resolveImports(*resolver, unknown[k], *run_.outcomes[unknown[k]].reach);
      std::lock_guard<std::mutex> lock(idleMutex);
      idle.push_back(std::move(resolver));
    });
    for (size_t k = 0; k < unknown.size(); ++k)
      imports_.emplace(unknown[k], std::move(found[k]));
  }

  // The run's files that the imports of file i (with facts `known`) load, found by `resolver`.
  std::vector<size_t> resolveImports(ModuleResolver &resolver, size_t i, const model::ReachFacts &known) const {
    std::vector<size_t> out;
    auto absoluteRoots = resolver.rootSets(i);
    known.imported.forEach([&](uint32_t dots, std::string_view name) {
      std::vector<std::string> parts = name.empty() ? std::vector<std::string>{} : splitDotted(std::string(name));
      auto rootSets = dots ? std::vector<std::vector<std::string>>{{resolver.packageDir(i, dots)}} : absoluteRoots;
      for (const auto &roots : rootSets) {
        for (size_t k = dots ? 0 : 1; k <= parts.size(); ++k) {
          const std::string &file = resolver.find(roots, k == 0 ? "__init__" : joinDotted(parts, 0, k));
          if (auto f = file.empty() ? std::nullopt : byPath_.find(file))
            out.push_back(*f);
        }
      }
    });
    return out;
  }

  Run &run_;
  ModuleResolver resolver_;
  FilesByPath byPath_;
  std::shared_ptr<const index::ModuleNames> names_;
  std::set<std::string> callables_;
  std::map<size_t, std::vector<size_t>> closures_;
  std::vector<uint32_t> mark_; // closure(): the epoch that reached each file last
  uint32_t epoch_ = 0;
  std::unordered_map<size_t, std::vector<size_t>> imports_;
  std::string cwd_ = source::workingDirectory(); // asked once
};

std::string siteName(const std::vector<model::SourceFile> &files, const ReachedSite &s) {
  return fmt::format("{}:{}", files[s.file].display(), s.record->line);
}

// retargetProblem's last question: whether the module of `fixed` binds the head of the pooled
// callee ("get_bigquery_client", "http_pool" of "http_pool.get") at module level after the run
// ("" when it does).
std::string bindsProblem(const std::vector<ReachedSite> &fixed, const std::vector<model::SourceFile> &files,
                         const BindsAtModuleLevel &binds) {
  size_t module = fixed.front().file;
  const std::string &pooled = fixed.front().record->pooled;
  std::string head = pooled.substr(0, pooled.find('.'));
  if (binds(module, head))
    return "";
  return fmt::format("{} imports {} inside a function, so it is not an attribute of the module",
                     files[module].display(), head);
}

} // namespace

std::string retargetProblem(const std::vector<ReachedSite> &fixed, const std::vector<ReachedSite> &kept,
                            const std::vector<model::SourceFile> &files, size_t named, bool object,
                            const BindsAtModuleLevel &binds) {
  size_t module = fixed.front().file;
  for (const auto &s : fixed)
    if (s.file != module)
      return fmt::format("it reaches rewritten calls in {} and {}, which one patch cannot replace",
                         files[module].display(), files[s.file].display());
  if (!kept.empty())
    return fmt::format("it also intercepts {}, which keeps its direct call", siteName(files, kept.front()));
  const std::string &pooled = fixed.front().record->pooled;
  for (const auto &s : fixed) {
    if (s.record->outcome == model::Outcome::Removed)
      return fmt::format("{} is removed as a redundant override: there is no pooled call to patch", siteName(files, s));
    if (s.record->pooled != pooled)
      return fmt::format("{} reaches the pool both as {} and as {}", files[module].display(), pooled, s.record->pooled);
  }
  bool attribute = !pooled.empty() && std::all_of(pooled.begin(), pooled.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  if (!attribute)
    return fmt::format("the pooled call {}(...) is not an attribute of {} a patch can replace", pooled,
                       files[module].display());
  if (object && module != named)
    return fmt::format("the rewritten call is in {}, not in the module the patched object comes from",
                       files[module].display());
  return binds ? bindsProblem(fixed, files, binds) : "";
}

namespace {

// The sites of `pc` a patch in `test` reaches: (fixed, kept).
std::pair<std::vector<ReachedSite>, std::vector<ReachedSite>> reachedSites(Run &run, Reach &reach, size_t test,
                                                                           const PatchedCallable &pc) {
  std::vector<size_t> files; // sorted
  if (pc.global) {
    const std::vector<size_t> &fromTest = reach.closure(test);
    if (pc.module != SIZE_MAX) {
      const std::vector<size_t> &fromModule = reach.closure(pc.module);
      std::set_union(fromTest.begin(), fromTest.end(), fromModule.begin(), fromModule.end(), std::back_inserter(files));
    } else {
      files = fromTest;
    }
  } else {
    files.push_back(pc.module);
  }
  std::pair<std::vector<ReachedSite>, std::vector<ReachedSite>> out;
  for (size_t f : files) {
    if (!run.active[f] || run.outcomes[f].failed)
      continue;
    for (const auto &r : run.outcomes[f].records) {
      auto startsWith = [](const std::string &text, const std::string &prefix) { return text.rfind(prefix, 0) == 0; };
      bool reached = pc.wholeModule ? startsWith(r.callable, pc.callable + ".") && startsWith(r.callee, pc.local + ".")
                                    : r.callable == pc.callable && (pc.global || r.callee == pc.local);
      if (!r.isDirect() || !reached)
        continue;
      (r.fixable() ? out.first : out.second).push_back({f, &r});
    }
  }
  return out;
}

// File `f`'s module as the patch target of test `test` names modules. The run names a module from
// the folder it was started in ("repo.pkg.base" when started in the repo's parent); the test imports
// it from the root its target's own module was found under ("pkg.mod" for the run's "repo.pkg.mod":
// "pkg.base"). A target that names no module of the run (the library's own callable) has no such
// root: the module is named as the test's sys.path imports it.
std::string moduleAsTargetNames(Reach &reach, const PatchedCallable &pc, size_t test, size_t f) {
  std::string dotted(reach.dotted(f));
  if (pc.module == SIZE_MAX) {
    std::string imported = reach.importedName(test, f);
    return imported.empty() ? dotted : imported;
  }
  std::string_view named = reach.dotted(pc.module);
  if (named.size() <= pc.prefix.size() || named.substr(named.size() - pc.prefix.size()) != pc.prefix)
    return dotted;
  std::string_view root = named.substr(0, named.size() - pc.prefix.size()); // "repo."
  if (root.back() != '.' || dotted.compare(0, root.size(), root) != 0)
    return dotted;
  return dotted.substr(root.size());
}

model::PatchRetarget retargetFor(Reach &reach, size_t test, const model::MockCandidate &mock, const PatchedCallable &pc,
                                 const std::vector<ReachedSite> &fixed) {
  const ReachedSite &first = fixed.front();
  model::PatchRetarget r;
  r.offset = mock.offset;
  r.target = mock.target;
  r.module = first.file == pc.module ? pc.prefix : moduleAsTargetNames(reach, pc, test, first.file);
  r.pooled = first.record->pooled;
  r.rule = first.record->rule;
  r.callable = first.record->callable;
  r.modulePath = reach.files()[first.file].display();
  for (const auto &s : fixed)
    r.inferred = r.inferred || s.record->inferred;
  return r;
}

// Why retargeting `r` in test file `test` would need a hand fix (the assertions on its mock read
// the direct call's arguments, its replacement takes them, ...): the retarget tried on the test's
// text (rewrite::retargetPatches, as the test's own planning will do it); "" when it would not.
// A default run holds the sites instead of applying a retarget that changes what the test checks.
// One trial per test file, on the thread pool: the test is parsed again on its first retarget the
// cache does not know, once, and its tree dropped with the trial (a tree per test held to the end
// of the run was a third of the heap at its peak).
class RetargetTrial {
public:
  RetargetTrial(const Run &run, size_t test) : run_(run), test_(test) {}

  // Remembered in the cache by the test's bytes and the retarget (a warm run reads no test file).
  std::string handFix(const model::PatchRetarget &r) {
    const model::FileOutcome &o = run_.outcomes[test_];
    std::string variant =
        fmt::format("trial {:x}", contentHash(fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", r.offset, r.target, r.module,
                                                          r.pooled, r.rule, r.callable, r.inferred)));
    if (run_.cache && o.hash)
      if (auto hit = run_.cache->lookup(o.file, o.hash, variant))
        return hit->messages.empty() ? "" : hit->messages.front().text;
    if (!parsedYet_) {
      parsed_ = parseAgain(run_, test_);
      parsedYet_ = true;
    }
    if (!parsed_)
      return "";
    model::PatchRetarget body = r;
    body.offset -= parsed_->base;
    rewrite::PatchPlan plan = rewrite::retargetPatches(parsed_->tree, parsed_->model, {body}, run_.rules);
    std::string why = plan.changes.empty() ? "" : plan.changes.front().second.handFix;
    if (run_.cache && o.hash) { // reread() checked that these are the bytes the run analyzed
      model::FileOutcome entry;
      entry.file = o.file;
      entry.hash = o.hash;
      if (!why.empty())
        entry.messages.push_back({0, 0, why, false});
      run_.cache->put(entry, variant);
    }
    return why;
  }

private:
  const Run &run_;
  size_t test_;
  bool parsedYet_ = false;
  std::unique_ptr<ParsedAgain> parsed_;
};

bool alreadyPatched(const model::FileOutcome &test, const std::string &target) {
  return std::any_of(test.mocks.begin(), test.mocks.end(),
                     [&](const model::MockCandidate &m) { return !m.object && m.target == target; });
}

} // namespace

class PatchReach::Impl : public Reach {
public:
  using Reach::Reach;
};

PatchReach::PatchReach(Run &run) : run_(run) {}
PatchReach::~PatchReach() = default;

PatchReach::Impl &PatchReach::impl() {
  if (!impl_)
    impl_ = std::make_unique<Impl>(run_);
  return *impl_;
}

namespace {

// The names `text` binds at module level (an import or any other binding of the module scope), sorted.
std::vector<std::string> moduleLevelNames(const std::string &text) {
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF")
    body.remove_prefix(3);
  py::Tree tree = py::Tree::parse(body);
  py::ScopeModel model(tree);
  std::set<std::string> names;
  for (const py::Binding &b : model.bindings())
    if (b.scope == 0)
      names.insert(b.name);
  return {names.begin(), names.end()};
}

// The names module's text after the run binds at module level: from the cache (keyed by the
// bytes read and the run's edits of them), else parsed (and put in the cache); nullopt when the
// text cannot be read.
std::optional<std::vector<std::string>> namesAfterRun(const Run &run, size_t module) {
  const model::FileOutcome &o = run.outcomes[module];
  std::string key;
  for (const auto &e : o.edits)
    key += fmt::format("{} {} {}\n", e.offset, e.length, e.text);
  std::string variant = fmt::format("bound {:x}", contentHash(key));
  if (run.cache && o.hash)
    if (auto hit = run.cache->lookup(o.file, o.hash, variant); hit && hit->reach)
      return hit->reach->moduleNames;
  auto read = texts(o);
  if (!read) {
    llvm::consumeError(read.takeError());
    return std::nullopt;
  }
  model::FileOutcome entry;
  entry.file = o.file;
  entry.hash = o.hash;
  entry.reach.emplace();
  entry.reach->moduleNames = moduleLevelNames(read->updated);
  if (run.cache && o.hash) // texts() checked that these are the bytes the run analyzed
    run.cache->put(entry, variant);
  return std::move(entry.reach->moduleNames);
}

// A patch whose reach holds rewritten sites, decided in steps: what the reach tells, then whether
// the module binds the pooled callee (its text after the run, read on the thread pool), then the
// retarget tried on the test (on the thread pool).
struct Reaching {
  size_t test = 0;
  const model::MockCandidate *mock = nullptr;
  std::vector<ReachedSite> fixed;
  model::PatchRetarget retarget;
  std::string problem;
  bool askBinds = false; // the problem is retargetProblem's, but for its question to `binds`
};

// The patches of the run's tests whose reach holds rewritten sites, in test and patch order, with
// what the reach tells of each.
std::vector<Reaching> reachingPatches(Run &run, Reach &reach, InterceptPlan &plan) {
  std::vector<size_t> starts; // of the closures reachedSites will ask for
  // Every mock's callable, classified once, in the order the loop below visits them.
  std::vector<std::optional<PatchedCallable>> classified;
  std::vector<const std::string *> targets;
  for (size_t t = 0; t < run.outcomes.size(); ++t)
    if (run.active[t] && !run.outcomes[t].failed)
      for (const auto &mock : run.outcomes[t].mocks)
        targets.push_back(&mock.target);
  reach.prefetchNamed(targets);
  for (size_t t = 0; t < run.outcomes.size(); ++t) {
    if (!run.active[t] || run.outcomes[t].failed)
      continue;
    for (const auto &mock : run.outcomes[t].mocks)
      if (const auto &pc = classified.emplace_back(reach.classify(mock.target)); pc && pc->global) {
        starts.push_back(t);
        if (pc->module != SIZE_MAX)
          starts.push_back(pc->module);
      }
  }
  reach.prefetchClosures(starts);
  std::vector<Reaching> out;
  size_t next = 0;
  for (size_t t = 0; t < run.outcomes.size(); ++t) {
    if (!run.active[t] || run.outcomes[t].failed)
      continue;
    for (const auto &mock : run.outcomes[t].mocks) {
      const std::optional<PatchedCallable> &pc = classified[next++];
      if (!pc)
        continue;
      auto [fixed, kept] = reachedSites(run, reach, t, *pc);
      if (fixed.empty())
        continue;
      plan.decided.insert({t, mock.offset});
      Reaching &p = out.emplace_back();
      p.test = t;
      p.mock = &mock;
      if (pc->wholeModule)
        p.problem = fmt::format("it replaces all of {} in {}, which a patch of the pooled call cannot stand in for",
                                pc->local, pc->prefix);
      else if (!mock.constant.empty())
        p.problem = fmt::format("its target is the value of {}, which poolify does not edit", mock.constant);
      else
        p.problem = retargetProblem(fixed, kept, reach.files(), pc->module, mock.object, nullptr);
      p.askBinds = !pc->wholeModule && mock.constant.empty() && p.problem.empty();
      p.retarget = retargetFor(reach, t, mock, *pc, fixed);
      p.fixed = std::move(fixed);
    }
  }
  return out;
}

// The problems of `reaching` that the modules' texts after the run and the trials of the retargets
// tell: both read and parse files, on the thread pool; the questions are asked in order.
void askModulesAndTrials(const Run &run, const std::vector<model::SourceFile> &files, std::vector<Reaching> &reaching,
                         ModuleNamesAfterRun &names) {
  std::vector<size_t> modules;
  for (const Reaching &p : reaching)
    if (p.askBinds)
      modules.push_back(p.fixed.front().file);
  names.prefetch(modules);
  BindsAtModuleLevel binds = names.function();
  std::map<size_t, std::vector<size_t>> trials; // test -> its retargets to try (indices into reaching)
  for (size_t k = 0; k < reaching.size(); ++k) {
    Reaching &p = reaching[k];
    if (p.askBinds)
      p.problem = bindsProblem(p.fixed, files, binds);
    for (const auto &s : p.fixed)
      if (p.problem.empty() && s.record->atImport)
        p.problem = fmt::format("{} runs when its module is imported, before a patch of the module's attribute can "
                                "be in place",
                                siteName(files, s));
    if (p.problem.empty() && !run.options.unsafeFixes)
      trials[p.test].push_back(k);
  }
  std::vector<size_t> tests;
  tests.reserve(trials.size());
  for (const auto &[test, _] : trials)
    tests.push_back(test);
  std::vector<std::string> why(reaching.size());
  parallelFor(tests, run.options.jobs, [&](size_t test) {
    RetargetTrial trial(run, test);
    for (size_t k : trials.at(test))
      why[k] = trial.handFix(reaching[k].retarget);
  });
  for (size_t k = 0; k < reaching.size(); ++k)
    if (!why[k].empty())
      reaching[k].problem = "retargeted, it would need a hand fix: " + why[k];
}

} // namespace

void ModuleNamesAfterRun::prefetch(const std::vector<size_t> &modules) {
  std::vector<size_t> unknown;
  for (size_t m : modules)
    if (names_.emplace(m, std::nullopt).second)
      unknown.push_back(m);
  // Each module's slot exists before the pool starts: the tasks write their own, the map is not changed.
  parallelFor(unknown, run_.options.jobs, [this](size_t m) { names_.at(m) = namesAfterRun(run_, m); });
}

bool ModuleNamesAfterRun::binds(size_t module, const std::string &name) {
  auto it = names_.find(module);
  if (it == names_.end())
    it = names_.emplace(module, namesAfterRun(run_, module)).first;
  return !it->second || std::binary_search(it->second->begin(), it->second->end(), name);
}

BindsAtModuleLevel ModuleNamesAfterRun::function() {
  return [this](size_t module, const std::string &name) { return binds(module, name); };
}

InterceptPlan planIntercepts(Run &run, ModuleNamesAfterRun &names, PatchReach &shared) {
  InterceptPlan plan;
  Reach &reach = shared.impl();
  std::vector<Reaching> reaching = reachingPatches(run, reach, plan);
  askModulesAndTrials(run, reach.files(), reaching, names);
  for (Reaching &p : reaching) {
    const model::FileOutcome &test = run.outcomes[p.test];
    const model::MockCandidate &mock = *p.mock;
    model::PatchRetarget &r = p.retarget;
    if (p.problem.empty()) {
      // The test patches the pooled callable already (written for the migrated code): that patch
      // intercepts the rewritten call, and this one is left as it is.
      if (!alreadyPatched(test, r.module + "." + r.pooled))
        plan.retargets.push_back({p.test, p.fixed.front().file, std::move(r)});
      continue;
    }
    std::string why = fmt::format("{}:{} patches {}, which intercepts this call; the pooled call would escape the "
                                  "patch ({})",
                                  test.file->display(), mock.line, mock.target, p.problem);
    for (const auto &s : p.fixed)
      plan.holds[s.file].emplace(std::make_pair(s.record->line, s.record->col), why);
    if (run.options.unsafeFixes) {
      r.handFix = fmt::format("the calls it intercepted are rewritten as unsafe fixes ({}; {}); patch the pooled "
                              "call where the code under test makes it",
                              siteName(reach.files(), p.fixed.front()), p.problem);
      plan.retargets.push_back({p.test, p.fixed.front().file, std::move(r)});
    }
  }
  return plan;
}

} // namespace poolify::pipeline
