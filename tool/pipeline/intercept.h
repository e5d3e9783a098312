// Test patches that must keep intercepting. By unittest.mock's resolution a patch target
// `pkg.mod.bigquery.Client` imports pkg.mod, takes its attribute `bigquery` — the library module
// itself when pkg/mod.py did `from google.cloud import bigquery` — and replaces that module's
// `Client`: every `bigquery.Client(...)` in the process is intercepted while the patch is active,
// in pkg.mod, in its base classes' modules, in helpers it imports. The same holds for
// `mock.patch("google.cloud.bigquery.Client")` and `mock.patch("requests.get")`. A target that
// names a module's own binding of the callable (`pkg.mod.Client` after
// `from google.cloud.bigquery import Client`) replaces that binding only: only pkg.mod's calls;
// one that names the module's binding of the library (`pkg.mod.bigquery`) replaces the whole
// library for pkg.mod's code: every `bigquery.X(...)` there.
//
// Once a call is rewritten to the pool it no longer looks the library up, so the patch stops
// reaching it. A patch whose reach (the modules its test file imports, transitively, and the
// module the target names) holds rewritten calls is either retargeted to the pooled callable —
// when those calls are all in one module, that module keeps no direct call the patch intercepts,
// and the pooled callee is a module attribute — or its calls are held: left as unsafe fixes
// whose reason names the test and the target (applied only with --unsafe-fixes, and then the patch
// is listed as a hand fix).
#pragma once

#include "pipeline/engine.h"
#include "pipeline/mocks.h"
#include "python/scopes.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace poolify::pipeline {

/// What a patch target replaces, by Python's binding rules.
struct PatchedCallable {
  std::string callable;     // qualified: "google.cloud.bigquery.Client"
  bool global = false;      // the library module's attribute: every call of it in the process
  size_t module = SIZE_MAX; // the run's module the target goes through (SIZE_MAX: none)
  std::string prefix;       // that module as the target writes it: "pkg.mod"
  std::string local;        // a module's own binding of the callable ("Client"); "" when global
  /// `pkg.mod.bigquery`: `local` is the module's binding of the library (or a parent package of it)
  /// and `callable` that library: it reaches every site of pkg.mod that goes through that name, and
  /// no patch of one pooled callable can stand in for it (its sites are held).
  bool wholeModule = false;
};

/// A site of the patched callable that a patch reaches.
struct ReachedSite {
  size_t file = 0;
  const model::SiteRecord *record = nullptr;
};

/// What the reach needs of a parsed file (its text after any BOM, its scopes).
model::ReachFacts reachFactsFrom(const py::Tree &tree, const py::ScopeModel &model);

/// Why one patch of `<module>.<pooled>` cannot stand in for the patch that reached `fixed` (the
/// rewritten or removed sites) and `kept` (direct sites left as they are), "" when it can; the
/// module is then `fixed`'s (files: the run's, by index). `named`: the module the target goes through (SIZE_MAX: the
/// library); `object`: a patch.object form, which can only be retargeted within the module it names.
std::string retargetProblem(const std::vector<ReachedSite> &fixed, const std::vector<ReachedSite> &kept,
                            const std::vector<model::SourceFile> &files, size_t named, bool object,
                            const BindsAtModuleLevel &binds);

/// The sites a run holds back so that test patches keep intercepting, and what becomes of the
/// patches that reach rewritten sites.
struct InterceptPlan {
  /// file -> (line, col) of a site -> why it is held (an unsafe fix, applied with --unsafe-fixes).
  std::map<size_t, std::map<std::pair<unsigned, unsigned>, std::string>> holds;
  /// Every patch this plan decides, (test file, MockCandidate::offset); the retargets among them
  /// (a retarget with handFix set is listed as a hand fix).
  std::set<std::pair<size_t, uint32_t>> decided;
  std::vector<PlannedRetarget> retargets;
};

/// The names each module's text after the run binds at module level, so that `patch("mod.name")`
/// finds them (BindsAtModuleLevel): each module's text read (or its names taken from the cache)
/// and parsed once. prefetch() fills them on the thread pool; binds() is asked from one thread.
class ModuleNamesAfterRun {
public:
  explicit ModuleNamesAfterRun(const Run &run) : run_(run) {}
  /// Reads the names of `modules` not known yet, on the thread pool.
  void prefetch(const std::vector<size_t> &modules);
  /// Whether `module` binds `name` at module level (true when its text cannot be read: not known).
  bool binds(size_t module, const std::string &name);
  /// binds(), as the planners take it.
  BindsAtModuleLevel function();

private:
  const Run &run_;
  std::map<size_t, std::optional<std::vector<std::string>>> names_; // nullopt: cannot be told
};

/// What the tests' patches reach in a run: the run's module names, each file's imports resolved
/// to the run's files, the closures of those imports, the patch targets classified. None of it
/// changes while the run plans again (it depends on the files' bytes and the disk), so the plans
/// made one after another until no more sites are held share one; built on first use.
class PatchReach {
public:
  explicit PatchReach(Run &run);
  ~PatchReach();
  PatchReach(const PatchReach &) = delete;
  PatchReach &operator=(const PatchReach &) = delete;

private:
  friend InterceptPlan planIntercepts(Run &run, ModuleNamesAfterRun &names, PatchReach &reach);
  class Impl;
  Impl &impl();
  Run &run_;
  std::unique_ptr<Impl> impl_;
};

/// The plan for the active files of `run` as planned now (held sites already held are kept).
/// The files it reads again (the modules' texts after the run, the tests a retarget is tried on)
/// are read and parsed on the thread pool.
InterceptPlan planIntercepts(Run &run, ModuleNamesAfterRun &names, PatchReach &reach);

} // namespace poolify::pipeline
